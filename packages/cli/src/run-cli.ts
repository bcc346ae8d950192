import { createRequire } from 'node:module';
import { isMpgkitError, MpgkitErrorCode } from '@mpgkit/core';
import { redact } from '@mpgkit/core/adapter';
import { budgetCommand } from './budget-command.ts';
import { checkCommand } from './check-command.ts';
import { type Command, commandUsage, runCommand } from './command.ts';
import { connectionsCommand } from './connections-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { envCommand } from './env-command.ts';
import { explainCommand } from './explain-command.ts';
import { type CliIo, ExitCode } from './io.ts';

/** Every command, in the order `mpgkit --help` lists them. */
export const COMMANDS: readonly Command[] = [
  checkCommand,
  budgetCommand,
  doctorCommand,
  connectionsCommand,
  explainCommand,
  envCommand,
];

/** Top-level usage text of `mpgkit`, from the commands' own summaries. */
export const USAGE: string = [
  'Usage: mpgkit <command> [options]',
  '',
  'Commands:',
  ...COMMANDS.map((command) => `  ${command.name.padEnd(12)} ${command.summary}`),
  '',
  'Options:',
  '  -h, --help     show help (mpgkit help <command>, or mpgkit <command> --help, for one command)',
  '  -v, --version  print the version',
].join('\n');

const commandNamed = (name: string): Command | undefined => COMMANDS.find((command) => command.name === name);

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
    const [topic, ...extra] = rest;
    if (topic === undefined) {
      io.stdout(USAGE);
      return ExitCode.Ok;
    }
    const asked = commandNamed(topic);
    if (asked === undefined || extra.length > 0) {
      io.stderr(
        `mpgkit help: no command "${topic.slice(0, 40)}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
      );
      return ExitCode.Usage;
    }
    io.stdout(commandUsage(asked));
    return ExitCode.Ok;
  }
  if (command === '-v' || command === '--version') {
    io.stdout(version());
    return ExitCode.Ok;
  }
  const found = commandNamed(command);
  if (found === undefined) {
    io.stderr(
      `mpgkit: unknown command "${command.slice(0, 40)}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
    );
    return ExitCode.Usage;
  }
  try {
    return await runCommand(found, rest, io);
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
