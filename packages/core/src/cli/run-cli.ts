import { isMpgkitError, MpgkitErrorCode } from '../errors.ts';
import { redact } from '../redact.ts';
import { runBudgetCommand } from './budget-command.ts';
import { type CliIo, ExitCode } from './io.ts';

/** Top-level usage text of `mpgkit`. */
export const USAGE = `Usage: mpgkit <command> [options]

Commands:
  budget    check a fleet's pool sizes against a plan's PgBouncer limits (mpgkit budget --help)

Options:
  -h, --help  show help`;

const commands: Record<string, (args: readonly string[], io: CliIo) => number> = {
  budget: runBudgetCommand,
};

/**
 * Runs the `mpgkit` command line and returns its exit code: 0 ok, 1 check failed, 2 bad usage.
 * Errors are printed as one line, redacted, never as a stack trace.
 *
 * @example
 * ```ts
 * process.exitCode = runCli(process.argv.slice(2), processIo);
 * ```
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const run = commands[command];
  if (run === undefined) {
    io.stderr(`mpgkit: unknown command "${command}". Commands: ${Object.keys(commands).join(', ')}.`);
    return ExitCode.Usage;
  }
  try {
    return run(rest, io);
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
  io.stderr(`mpgkit ${command}: unexpected error: ${redact(String((error as Error)?.message ?? error))}`);
  return ExitCode.Failed;
}
