import { createConnection, createServer, type Server, type Socket } from 'node:net';

// A TCP relay between a client and a PostgreSQL-protocol server (PostgreSQL or PgBouncer) that reads the
// server's messages as they pass and can cut the connection right after a chosen one: the fault that
// turns "the server committed" into "the client never heard it". The frame format is the protocol's own
// (PostgreSQL docs, "Message Formats": a type byte, then an Int32 length that counts itself but not the type
// byte); the one unframed reply is the single byte answering an SSLRequest or GSSENCRequest, so the relay
// is for plaintext routes (sslmode=disable, as loopback URLs default to).

/** One server message as the relay saw it. */
export interface ServerMessage {
  /** The type byte as a character: `C` CommandComplete, `Z` ReadyForQuery, `E` ErrorResponse… */
  readonly type: string;
  /** The body after the length. */
  readonly body: Buffer;
}

/** A relay from {@link startProtocolRelay}. */
export interface ProtocolRelay {
  /** The port on 127.0.0.1 that clients connect to. */
  readonly port: number;
  /**
   * Cuts the next connection that receives a server message matching `when`: the message and everything after
   * it are never forwarded, and both sides are closed. Resolves when the cut happened.
   */
  cutAfter(when: (message: ServerMessage) => boolean): Promise<void>;
  /** How many connections the relay has cut. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** CommandComplete (`C`) whose tag is exactly `tag`, e.g. `COMMIT`: the server's answer to that command. */
export function commandComplete(tag: string): (message: ServerMessage) => boolean {
  return (message) => message.type === 'C' && message.body.toString('utf8').replace(/\0$/, '') === tag;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Starts a relay on 127.0.0.1 in front of `target`.
 *
 * @example
 * ```ts
 * const relay = await startProtocolRelay({ host: '127.0.0.1', port: 6432 });
 * const cut = relay.cutAfter(commandComplete('COMMIT'));
 * ```
 */
export async function startProtocolRelay(target: { host: string; port: number }): Promise<ProtocolRelay> {
  const armed: { when: (message: ServerMessage) => boolean; done: () => void }[] = [];
  const open = new Set<Socket>();
  let cuts = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    open.add(client).add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => open.delete(client) && upstream.end());
    upstream.on('close', () => open.delete(upstream) && client.end());
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    let pending = Buffer.alloc(0);
    let unframedReplies = 0;
    let firstClientBytes = true;
    client.on('data', (chunk: Buffer) => {
      if (firstClientBytes && chunk.length >= 8) {
        const code = chunk.readInt32BE(4);
        if (chunk.readInt32BE(0) === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST))
          unframedReplies++;
        else firstClientBytes = false;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let forward = 0;
      while (unframedReplies > 0 && forward < pending.length) {
        unframedReplies--;
        forward++;
      }
      while (pending.length - forward >= 5) {
        const length = pending.readInt32BE(forward + 1);
        if (pending.length - forward < 1 + length) break;
        const message = {
          type: String.fromCharCode(pending[forward] ?? 0),
          body: pending.subarray(forward + 5, forward + 1 + length),
        };
        const index = armed.findIndex((cut) => cut.when(message));
        if (index >= 0) {
          const [cut] = armed.splice(index, 1);
          client.write(pending.subarray(0, forward), () => {
            closeBoth();
            cuts++;
            cut?.done();
          });
          upstream.pause();
          pending = Buffer.alloc(0);
          return;
        }
        forward += 1 + length;
      }
      if (forward > 0) client.write(pending.subarray(0, forward));
      pending = pending.subarray(forward);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the relay has no port');
  return {
    port: address.port,
    cutAfter: (when) => new Promise<void>((done) => armed.push({ when, done })),
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
