import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { handToServiceUser } from './process-control.ts';

/** A certificate authority made for one stack (no key is ever checked in). */
export interface CertificateAuthority {
  /** The CA's certificate (PEM): what clients verify against. */
  certFile: string;
  keyFile: string;
}

/** The server's certificate and key, signed by the stack's CA, as PostgreSQL and PgBouncer read them. */
export interface ServerCertificate {
  certFile: string;
  keyFile: string;
}

/** The address every server of the stack listens on: its certificate names this IP, and nothing else. */
export const STACK_HOST = '127.0.0.1';

const OPENSSL_HINT = 'apt-get install -y openssl';

/**
 * Makes a CA in `dir` with Debian's openssl (P-256 keys: fast to make, fast to handshake). Valid for two
 * days: a stack lives minutes.
 */
export function createCertificateAuthority(dir: string, name = 'ca'): CertificateAuthority {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=mpgkit test stack ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(certFile, 0o644);
  return { certFile, keyFile };
}

/**
 * Issues the servers' certificate: its only name is `IP:127.0.0.1`, so `verify-full` passes for the stack's
 * URLs and fails for `localhost` (a wrong host name the tests can use). PostgreSQL refuses a key file that
 * others can read or that another user owns, so the key is 0600 and the service user's.
 */
export function issueServerCertificate(ca: CertificateAuthority, dir: string): ServerCertificate {
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  const csrFile = join(dir, 'server.csr');
  const extFile = join(dir, 'server.ext');
  writeFileSync(
    extFile,
    [
      `subjectAltName = IP:${STACK_HOST}`,
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      '',
    ].join('\n'),
  );
  openssl(['req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${STACK_HOST}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '2',
    '-extfile',
    extFile,
  ]);
  chmodSync(keyFile, 0o600);
  chmodSync(certFile, 0o644);
  handToServiceUser(keyFile);
  handToServiceUser(certFile);
  return { certFile, keyFile };
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === 'ENOENT')
      throw new Error(`The test stack needs openssl for its certificates: ${OPENSSL_HINT}`);
    throw new Error(`openssl ${args[0]} failed: ${stderr?.toString().trim() ?? String(error)}`);
  }
}
