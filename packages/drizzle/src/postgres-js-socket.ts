import net from 'node:net';
import { markConnectPhase } from '@mpgkit/core/adapter';

// postgres.js 3.4.9 never settles a query whose connection is closed cleanly (a FIN, no error) while it
// waits for its login: src/connection.js closed() runs `if (initial) return reconnect()` before every path
// that rejects, having cancelled connect_timeout's timer, and reconnects with no delay
// (porsager/postgres#1193, fix PR #1214 open). That is what a proxy in front of a stopped PgBouncer does:
// it accepts the connection, cannot reach its backend, and closes. Measured on the stack: no answer within
// 8 s, for as long as PgBouncer is down. A socket that ends before the server sent a single byte is such a
// login cut; this one ends with an error instead, which postgres.js hands to the waiting query
// (connection.js error() → errored(): `initial && queryError(initial, err)`), marked as the connect phase:
// nothing of the query was sent, so a retry is safe, as through every other adapter.

/** The options postgres.js hands its `socket` factory (postgres 3.4.9 src/index.js parseOptions). */
interface PostgresJsSocketOptions {
  readonly host: readonly string[];
  readonly port: readonly number[];
}

/**
 * postgres.js's `socket` option for one TCP host: the connection postgres.js would open itself (same host
 * and port, connected here since postgres.js then skips its own `connect`), except that a close before the
 * server's first byte rejects the waiting query with `CONNECTION_CLOSED` in the connect phase, and a server
 * that declines TLS fails it with "The server does not support SSL connections" (unless `tlsMode` is
 * `prefer`, which falls back to plaintext as asked).
 *
 * @param tlsMode - The endpoint's TLS mode. @default 'verify-full'
 * @example
 * ```ts
 * postgres(url, { ...options, socket: loginCutSocket(endpoint.tls?.mode) });
 * ```
 */
export function loginCutSocket(tlsMode = 'verify-full'): (options: PostgresJsSocketOptions) => net.Socket {
  return (options) => {
    const host = options.host[0] ?? 'localhost';
    const port = options.port[0] ?? 5432;
    const socket = net.connect({ host, port });
    // postgres.js names the TLS server from `socket.host` (connection.js secure()) and sets it on its own
    // sockets after connecting; a socket it did not connect needs it set here.
    Object.assign(socket, { host, port });
    if (tlsMode !== 'prefer') failWhenTlsDeclined(socket, host, port);
    socket.once('end', () => {
      if (socket.bytesRead > 0) return;
      const error = Object.assign(
        new Error(`connection to ${host}:${port} closed before the server answered the login`),
        { code: 'CONNECTION_CLOSED', errno: 'CONNECTION_CLOSED', address: host, port },
      );
      markConnectPhase(error);
      socket.destroy(error);
    });
    return socket;
  };
}

// postgres.js asks for TLS with an SSLRequest and reads one byte back; on 'N' (the server declines) it goes on
// with a TLS handshake anyway unless ssl is 'prefer' (postgres 3.4.9 src/connection.js secure(): `if (!canSSL &&
// ssl === 'prefer') return connected()`), which the server cannot read, and the query waits out the connect
// timeout, explained as a DNS or IPv6 timeout. pg and Prisma say "The server does not support SSL connections".
// Here that 'N' becomes that error, before postgres.js sees the byte, marked as the connect phase.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]);

function failWhenTlsDeclined(socket: net.Socket, host: string, port: number): void {
  let asked = false;
  let answered = false;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!asked && Buffer.isBuffer(chunk) && chunk.equals(SSL_REQUEST)) asked = true;
    return write(chunk, ...rest);
  }) as typeof socket.write;
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'data' && asked && !answered) {
      answered = true;
      const [chunk] = args;
      if (Buffer.isBuffer(chunk) && chunk[0] === 0x4e) {
        const error = Object.assign(
          new Error(`The server does not support SSL connections (${host}:${port})`),
          {
            code: 'SSL_NOT_SUPPORTED',
            address: host,
            port,
          },
        );
        markConnectPhase(error);
        emit('error', error);
        socket.destroy();
        return true;
      }
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/**
 * Whether a URL's server is one TCP host, where {@link loginCutSocket} dials what postgres.js would; a Unix
 * socket or a list of hosts is left to postgres.js.
 *
 * @example
 * ```ts
 * isSingleTcpHost('postgresql://u:p@db.example:5432/app'); // true
 * ```
 */
export function isSingleTcpHost(host: string): boolean {
  return host !== '' && !host.startsWith('/') && !host.includes(',');
}
