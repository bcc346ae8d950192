import { execFile, execFileSync } from 'node:child_process';
import { chownSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** PostgreSQL refuses to run as root, so when we are root every server runs as this OS user. */
export const SERVICE_USER = 'postgres';

/** True when servers must be started through `runuser` as {@link SERVICE_USER}. */
export const runsAsRoot: boolean = process.getuid?.() === 0;

/** Runs a server binary, as the service user when we are root. Rejects with the command's stderr. */
export async function runServiceCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const [file, argv] = runsAsRoot
    ? ['runuser', ['-u', SERVICE_USER, '--', command, ...args]]
    : [command, [...args]];
  try {
    const { stdout } = await execFileAsync(file, argv, {
      // The service user may not be allowed into the caller's directory (a private temp dir): HAProxy
      // then fails to start. The services need no working directory of ours.
      cwd: options.cwd ?? '/',
      timeout: options.timeoutMs ?? 30_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(stderr || stdout || String(error)).trim()}`);
  }
}

/** Gives a directory we created to the service user, so the servers can write in it. */
export function handToServiceUser(path: string): void {
  if (!runsAsRoot) return;
  const uid = Number(execFileSync('id', ['-u', SERVICE_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', SERVICE_USER]).toString().trim());
  chownSync(path, uid, gid);
}

/** Polls `check` until it returns true; never a fixed sleep. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A hard-stopped HAProxy may linger as a zombie for a while: it exists but serves nothing.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Sends a signal if the process exists. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Reads a pid file, or undefined when it is missing or empty. */
export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim().split(/\s+/)[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every live descendant of the given processes (from /proc), e.g. a postmaster's backends. */
export function descendantsOf(roots: readonly number[]): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const found = new Set<number>();
  let frontier = [...roots];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, ppid] of parentOf) {
      if (frontier.includes(ppid) && !found.has(pid)) {
        found.add(pid);
        next.push(pid);
      }
    }
    frontier = next;
  }
  return [...found];
}
