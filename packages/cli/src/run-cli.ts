import { createRequire } from 'node:module';
import { isMpgkitError, MpgkitErrorCode } from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';
import { runBudgetCommand } from './budget-command.ts';
import { runCheckCommand } from './check-command.ts';
import { runConnectionsCommand } from './connections-command.ts';
import { runDoctorCommand } from './doctor-command.ts';
import { runEnvCommand } from './env-command.ts';
import { runExplainCommand } from './explain-command.ts';
import { type CliIo, ExitCode } from './io.ts';

/** Top-level usage text of `mpgkit`. */
export const USAGE = `Usage: mpgkit <command> [options]

Commands:
  check        check the app's policy module against its real fleet: fly.toml and fly scale show --json
  budget       check a fleet's pool sizes against a plan's PgBouncer limits (mpgkit budget --help)
  doctor       check a deployment: URLs, DNS, connections, TLS, pool mode, role, budget (needs pg)
  connections  who holds the cluster's connections now, by app and process group (needs pg)
  explain      explain a database error: cause, fix, whether a retry is safe
  env          show the resolved settings (redacted) and what each ORM receives

Options:
  -h, --help     show help
  -v, --version  print the version`;

const commands: Record<string, (args: readonly string[], io: CliIo) => number | Promise<number>> = {
  check: runCheckCommand,
  budget: runBudgetCommand,
  doctor: runDoctorCommand,
  connections: runConnectionsCommand,
  explain: runExplainCommand,
  env: runEnvCommand,
};

/**
 * Runs the `mpgkit` command line and returns its exit code: 0 ok, 1 check failed, 2 bad usage.
 * Errors are printed as one line, redacted, never as a stack trace.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // Nothing asked for: a usage error, so the usage goes where errors go.
    io.stderr(USAGE);
    return ExitCode.Usage;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return ExitCode.Ok;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(version());
    return ExitCode.Ok;
  }
  const run = commands[command];
  if (run === undefined) {
    io.stderr(`mpgkit: unknown command "${command}". Commands: ${Object.keys(commands).join(', ')}.`);
    return ExitCode.Usage;
  }
  try {
    return await run(rest, io);
  } catch (error) {
    return reportError(error, command, io);
  }
}

function reportError(error: unknown, command: string, io: CliIo): number {
  if (isMpgkitError(error)) {
    io.stderr(`mpgkit ${command}: ${redact(error.message)}`);
    const usageCodes: string[] = [
      MpgkitErrorCode.InvalidOption,
      MpgkitErrorCode.UnknownPlan,
      MpgkitErrorCode.InvalidConnectionUrl,
      MpgkitErrorCode.MissingEnvVar,
    ];
    return usageCodes.includes(error.code) ? ExitCode.Usage : ExitCode.Failed;
  }
  // node:util parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`mpgkit ${command}: ${(error as Error).message} (see mpgkit ${command} --help)`);
    return ExitCode.Usage;
  }
  io.stderr(`mpgkit ${command}: ${redact(String((error as Error)?.message ?? error))}`);
  return ExitCode.Failed;
}

// The package's own version: package.json is one level above both src/ and dist/.
function version(): string {
  return String((createRequire(import.meta.url)('../package.json') as { version?: unknown }).version);
}
