import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as connectTls, type PeerCertificate, type TLSSocket } from 'node:tls';

/** What a server says about TLS, read the way libpq starts a connection. */
export interface TlsProbe {
  /** Whether the server answered the SSLRequest with 'S'. */
  offered: boolean;
  /** e.g. 'TLSv1.3'. */
  protocol?: string;
  /** e.g. 'TLS_AES_256_GCM_SHA384'. */
  cipher?: string;
  /** The certificate's subject alternative names (or CN), and issuer CN. */
  names?: string[];
  issuer?: string;
  validTo?: string;
  /** Whether the chain verifies against Node's trusted roots, and OpenSSL's reason when it does not. */
  systemRoots?: { verified: boolean; reason?: string };
  /** The same against the configured CA, when there is one. */
  configuredCa?: { verified: boolean; reason?: string };
  /** Whether the certificate names the host dialled, and why not. */
  hostName?: { matches: boolean; reason?: string };
}

// The SSLRequest: length 8, code 80877103 (PostgreSQL protocol docs, "SSLRequest"). The server answers one
// byte, 'S' (go on with a TLS handshake) or 'N' (plaintext only); PgBouncer answers the same way.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * Probes a PostgreSQL (or PgBouncer) endpoint's TLS without logging in: asks for TLS, completes a handshake
 * without verifying, then checks the chain against Node's roots and, if given, the configured CA, and the
 * host name against the certificate.
 *
 * @example
 * ```ts
 * const probe = await probeTls('pgbouncer.c1.flympg.net', 5432, { timeoutMs: 5000 });
 * probe.systemRoots?.verified; // true when Node trusts the chain
 * ```
 */
export async function probeTls(
  host: string,
  port: number,
  options: { timeoutMs: number; ca?: string },
): Promise<TlsProbe> {
  const first = await handshake(host, port, options.timeoutMs, undefined);
  if (first === undefined) return { offered: false };
  const { socket, certificate } = first;
  const probe: TlsProbe = {
    offered: true,
    protocol: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    names: namesOf(certificate),
    issuer: String(certificate.issuer?.CN ?? certificate.issuer?.O ?? ''),
    validTo: certificate.valid_to,
    systemRoots: verdict(socket),
  };
  const identity = checkServerIdentity(host, certificate);
  probe.hostName = identity === undefined ? { matches: true } : { matches: false, reason: identity.message };
  socket.destroy();
  if (options.ca !== undefined) {
    const second = await handshake(host, port, options.timeoutMs, options.ca);
    if (second !== undefined) {
      probe.configuredCa = verdict(second.socket);
      second.socket.destroy();
    }
  }
  return probe;
}

function verdict(socket: TLSSocket): { verified: boolean; reason?: string } {
  return socket.authorized
    ? { verified: true }
    : { verified: false, reason: String(socket.authorizationError ?? 'not verified') };
}

function namesOf(certificate: PeerCertificate): string[] {
  const alt = certificate.subjectaltname;
  if (alt) return alt.split(', ').map((name) => name.replace(/^(DNS|IP Address):/, ''));
  return certificate.subject?.CN ? [String(certificate.subject.CN)] : [];
}

function handshake(
  host: string,
  port: number,
  timeoutMs: number,
  ca: string | undefined,
): Promise<{ socket: TLSSocket; certificate: PeerCertificate } | undefined> {
  return new Promise((resolve, reject) => {
    const tcp: Socket = connectTcp({ host, port });
    const timer = setTimeout(() => {
      tcp.destroy();
      reject(new Error(`no TLS answer from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      tcp.destroy();
      reject(error);
    };
    tcp.once('error', fail);
    tcp.once('connect', () => tcp.write(SSL_REQUEST));
    tcp.once('data', (answer) => {
      if (answer[0] !== 0x53 /* 'S' */) {
        clearTimeout(timer);
        tcp.destroy();
        resolve(undefined);
        return;
      }
      tcp.removeListener('error', fail);
      // Verification is judged afterwards, so the handshake always completes: `authorized` says whether the
      // chain verifies (the identity check is switched off here: Node would otherwise fold a name mismatch, or
      // for an IP address without `host` a check against 'localhost', into authorizationError), and the host
      // name is checked on its own with tls.checkServerIdentity.
      const socket = connectTls({
        socket: tcp,
        host,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...(ca === undefined ? {} : { ca }),
      });
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve({ socket, certificate: socket.getPeerCertificate() });
      });
    });
  });
}
