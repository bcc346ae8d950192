// `pnpm stack:up | stack:drain | stack:down`: the local MPG-shaped stack for apps and examples.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { envFileText } from './env-file.ts';
import { attachStack, type StackState, startStack } from './stack.ts';

// State lives at the workspace root (the examples' READMEs source .mpgkit-stack/stack.env from there).
const home = join(workspaceRoot(dirname(fileURLToPath(import.meta.url))), '.mpgkit-stack');
const stateFile = join(home, 'state.json');
const envFile = join(home, 'stack.env');

const { positionals, values } = parseArgs({
  allowPositionals: true,
  // --postgres 16|17 and --pgbouncer 1.18|1.24 (1.24 after scripts/build-pgbouncer.sh); the env variables
  // MPGKIT_STACK_POSTGRES and MPGKIT_STACK_PGBOUNCER say the same.
  options: {
    'hard-stop-after': { type: 'string' },
    postgres: { type: 'string' },
    pgbouncer: { type: 'string' },
  },
});

async function up(): Promise<void> {
  if (existsSync(stateFile)) {
    console.error(`A stack is already up (${envFile}). Run 'pnpm stack:down' first.`);
    process.exitCode = 1;
    return;
  }
  const hardStop = values['hard-stop-after'] === undefined ? 10 : Number(values['hard-stop-after']);
  if (values.postgres !== undefined) process.env.MPGKIT_STACK_POSTGRES = values.postgres;
  if (values.pgbouncer !== undefined) process.env.MPGKIT_STACK_PGBOUNCER = values.pgbouncer;
  const stack = await startStack({ hardStopAfterSeconds: hardStop });
  mkdirSync(home, { recursive: true });
  writeFileSync(stateFile, JSON.stringify(stack.state), { mode: 0o600 });
  const env = stack.env();
  writeFileSync(envFile, envFileText(env), { mode: 0o600 });
  console.log(
    `Stack up: PostgreSQL ${stack.state.postgresVersion} ${stack.state.postgres.port}, PgBouncer ${stack.state.pgbouncerVersion ?? '1.18'} transaction ${stack.state.poolers.transaction.port} / session ${stack.state.poolers.session.port}, proxy ${Object.values(stack.state.ports).join(' / ')}`,
  );
  console.log(
    `TLS ${stack.state.tls.mode} on every server; the URLs ask for verify-full against the stack's CA (${stack.state.tls.caFile}).`,
  );
  console.log(`Proxy drain: 'pnpm stack:drain' (hard stop after ${hardStop} s). Stop: 'pnpm stack:down'.`);
  console.log(
    `The env file also sets MPGKIT_DRAIN_WINDOW_SECONDS=${hardStop} and MPGKIT_MAX_LIFETIME_SECONDS=${hardStop / 2}: ` +
      "defineDatabase scales the policy to this proxy's drain (MPG's is 600 s), so a drain loses no query.",
  );
  console.log('Load the variables with: set -a; . <the file below>; set +a');
  console.log(envFile);
}

function current() {
  if (!existsSync(stateFile)) {
    console.error("No stack is up. Start one with 'pnpm stack:up'.");
    process.exit(1);
  }
  return attachStack(JSON.parse(readFileSync(stateFile, 'utf8')) as StackState);
}

async function drain(): Promise<void> {
  const { oldPid, hardStopAt } = await current().drain();
  console.log(
    `Proxy drained: new connections go to the new proxy; the old one (pid ${oldPid}) closes its connections in ${Math.round((hardStopAt - Date.now()) / 1000)} s.`,
  );
}

async function down(): Promise<void> {
  await current().down();
  rmSync(home, { recursive: true, force: true });
  console.log('Stack down: every process stopped, every directory removed.');
}

const commands: Record<string, () => Promise<void>> = { up, drain, down };
const run = commands[positionals[0] ?? ''];
if (run === undefined) {
  console.error('Usage: node src/cli.ts <up|drain|down> [--hard-stop-after <seconds>]');
  process.exitCode = 2;
} else {
  await run();
}

function workspaceRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
  }
  return process.cwd();
}
