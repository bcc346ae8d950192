import type { ResolvedTls } from '@mpgkit/core/adapter';
import type { DoctorCheck } from './doctor-check.ts';
import { probeTls, type TlsProbe } from './tls-probe.ts';

/**
 * The doctor's TLS check of one URL: what the server offers (version, cipher, certificate names, issuer),
 * whether the chain verifies against Node's roots and the configured CA for that host name, which mode the
 * policy will use, and what to set when the two disagree.
 *
 * @example
 * ```ts
 * add(await checkTls('pooled', new URL(policy.urls.pooled), policy.tls.pooled, 5000));
 * ```
 */
export async function checkTls(
  label: string,
  url: URL,
  tls: ResolvedTls,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const name = `TLS (${label})`;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.searchParams.has('host') || host === '') {
    return { name, status: 'skip', detail: 'a Unix socket: no TLS' };
  }
  let probe: TlsProbe;
  try {
    probe = await probeTls(host, Number(url.port || 5432), { timeoutMs, ...(tls.ca ? { ca: tls.ca } : {}) });
  } catch (error) {
    return { name, status: 'warn', detail: `could not probe: ${(error as Error).message}` };
  }
  const policy = `policy: ${tls.mode} (${tls.source === 'default' ? 'default' : `from ${tls.source}`})`;
  if (!probe.offered) {
    if (tls.mode === 'disable' || tls.mode === 'prefer') {
      return {
        name,
        status: tls.local ? 'ok' : 'warn',
        detail: `the server offers no TLS; ${policy}${tls.local ? '' : ': traffic to a remote host is plaintext'}`,
      };
    }
    return {
      name,
      status: 'fail',
      detail:
        `the server offers no TLS, but ${policy} needs it: connections will fail. Check the host and port; for a ` +
        "server without TLS on a network you trust, set tls: 'disable'.",
    };
  }
  const offered = `${probe.protocol} ${probe.cipher}, certificate for ${probe.names?.join(', ') || '?'} by ${probe.issuer || '?'} (until ${probe.validTo})`;
  const chain = tls.ca === undefined ? probe.systemRoots : probe.configuredCa;
  const against =
    tls.ca === undefined
      ? "Node's trusted roots"
      : `the configured CA${tls.caPath ? ` (${tls.caPath})` : ''}`;
  const chainOk = chain?.verified === true;
  const hostOk = probe.hostName?.matches === true;
  if (tls.mode === 'disable') {
    return {
      name,
      status: tls.local ? 'ok' : 'warn',
      detail: `${offered}; ${policy}: plaintext although the server offers TLS${tls.local ? '' : ". Set tls: 'verify-full'"}`,
    };
  }
  if (tls.mode === 'verify-full' || tls.mode === 'verify-ca') {
    const problems = [
      ...(chainOk
        ? []
        : [
            `the chain does not verify against ${against} (${chain?.reason ?? 'unknown'}): give tls.ca the CA that signed it (${probe.issuer || 'see the issuer'})`,
          ]),
      ...(tls.mode === 'verify-full' && !hostOk
        ? [
            `the certificate does not name ${host} (${probe.names?.join(', ') || 'no names'}): connect with a name it has`,
          ]
        : []),
    ];
    if (problems.length > 0) {
      return {
        name,
        status: 'fail',
        detail: `${offered}; ${policy}, but ${problems.join('; and ')}. Connections will be refused.`,
      };
    }
    return {
      name,
      status: 'ok',
      detail: `${offered}; verifies against ${against}${tls.mode === 'verify-full' ? ` for ${host}` : ''}; ${policy}`,
    };
  }
  // require / prefer: encrypted, unchecked. Say whether verify-full would work as things stand.
  const upgrade =
    chainOk && hostOk
      ? "verify-full would work as is: set tls: 'verify-full'"
      : `verify-full would need ${chainOk ? 'a host name the certificate names' : "tls.ca (the issuer's certificate)"}`;
  return {
    name,
    status: tls.local ? 'ok' : 'warn',
    detail: `${offered}; ${policy}: encrypted, certificate unchecked; ${upgrade}`,
  };
}
