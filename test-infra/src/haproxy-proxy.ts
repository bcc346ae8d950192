import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackBinaries } from './binaries.ts';
import { acceptsTcp } from './pgbouncer-pooler.ts';
import { isAlive, readPid, runServiceCommand, signal, waitFor } from './process-control.ts';

/** One TCP frontend of the proxy and the server behind it. */
export interface ProxyRoute {
  name: string;
  listenPort: number;
  targetPort: number;
}

/**
 * HAProxy playing Fly's restartable proxy. A drain is a seamless reload: the listening sockets are handed
 * to a new process (`-x`), which takes every new connection at once, while the old process keeps its
 * existing connections until `hard-stop-after` (the proxy's shutdown timeout, scaled down) and then
 * closes them. Measured in shared/reference/local-stack.md: with `-x`, 0 resets of new connections.
 */
export interface HaproxyProxy {
  configFile: string;
  pidFile: string;
  adminSocket: string;
  routes: ProxyRoute[];
  hardStopAfterSeconds: number;
  /** Every HAProxy pid this proxy ever had (old ones live on until their hard stop). */
  pids: number[];
}

export async function startHaproxy(
  bin: StackBinaries,
  options: { dir: string; routes: ProxyRoute[]; hardStopAfterSeconds: number },
): Promise<HaproxyProxy> {
  const proxy: HaproxyProxy = {
    configFile: join(options.dir, 'haproxy.cfg'),
    pidFile: join(options.dir, 'haproxy.pid'),
    adminSocket: join(options.dir, 'haproxy-admin.sock'),
    routes: options.routes,
    hardStopAfterSeconds: options.hardStopAfterSeconds,
    pids: [],
  };
  writeFileSync(proxy.configFile, configFor(proxy));
  await runServiceCommand(bin.haproxy, ['-D', '-q', '-f', proxy.configFile, '-p', proxy.pidFile]);
  await waitUntilServing(proxy);
  return proxy;
}

function configFor(proxy: HaproxyProxy): string {
  const lines = [
    'global',
    `    hard-stop-after ${Math.round(proxy.hardStopAfterSeconds * 1000)}ms`,
    `    stats socket ${proxy.adminSocket} mode 600 level admin expose-fd listeners`,
    'defaults',
    '    mode tcp',
    '    timeout connect 2s',
    '    timeout client 1h', // longer than any pool idle timeout: only the drain closes connections
    '    timeout server 1h',
  ];
  for (const route of proxy.routes) {
    lines.push(
      `frontend ${route.name}_front`,
      `    bind 127.0.0.1:${route.listenPort}`,
      `    default_backend ${route.name}`,
      `backend ${route.name}`,
      `    server ${route.name}1 127.0.0.1:${route.targetPort}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function waitUntilServing(proxy: HaproxyProxy): Promise<void> {
  await waitFor('HAProxy to serve', async () => {
    const pid = readPid(proxy.pidFile);
    if (pid === undefined || !isAlive(pid)) return false;
    if (!proxy.pids.includes(pid)) proxy.pids.push(pid);
    for (const route of proxy.routes) if (!(await acceptsTcp(route.listenPort))) return false;
    return true;
  });
}

/**
 * Simulates a proxy restart: a new HAProxy takes over the listening sockets, the old one keeps existing
 * connections until its hard stop. Resolves when the new process serves; `oldPid` says which one drains.
 */
export async function drainHaproxy(
  bin: StackBinaries,
  proxy: HaproxyProxy,
): Promise<{ oldPid: number; hardStopAt: number }> {
  const oldPid = readPid(proxy.pidFile);
  if (oldPid === undefined) throw new Error('HAProxy is not running');
  await runServiceCommand(bin.haproxy, [
    '-D',
    '-q',
    '-f',
    proxy.configFile,
    '-p',
    proxy.pidFile,
    '-x',
    proxy.adminSocket,
    '-sf',
    String(oldPid),
  ]);
  const hardStopAt = Date.now() + proxy.hardStopAfterSeconds * 1000;
  await waitUntilServing(proxy);
  return { oldPid, hardStopAt };
}

/** Kills every HAProxy process of this proxy at once. */
export async function stopHaproxy(proxy: HaproxyProxy): Promise<void> {
  const current = readPid(proxy.pidFile);
  if (current !== undefined && !proxy.pids.includes(current)) proxy.pids.push(current);
  for (const pid of proxy.pids) signal(pid, 'SIGKILL');
  await waitFor('HAProxy to exit', () => proxy.pids.every((pid) => !isAlive(pid)));
}
