import { parseArgs } from 'node:util';
import { MpgkitError, MpgkitErrorCode } from '@mpgkit/core';
import type { CliIo } from './io.ts';

// Every `mpgkit` command has one shape: its usage, its options, and what it runs. Help text, argument
// parsing, a repeated flag, and the usage exit are written here once, for all of them.

/** One option of a command, as `--help` shows it and node:util's parseArgs reads it. */
export interface CommandOption {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (each value kept); otherwise a second one is a usage error. @default false */
  readonly multiple?: boolean;
  /** The value's placeholder in `--help`, e.g. `<name>`. @default '<value>' for strings */
  readonly value?: string;
  /** One line of help; more lines are indented under it. */
  readonly help: string;
}

/** What a command receives: its options' values and its positional arguments. */
export interface CommandInput {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One `mpgkit` command. */
export interface Command {
  readonly name: string;
  /** One line, for `mpgkit --help`. */
  readonly summary: string;
  /** The arguments after `mpgkit <name>`, one form per line. */
  readonly synopsis: readonly string[];
  /** What it does, in a few lines. */
  readonly description: string;
  readonly options: Readonly<Record<string, CommandOption>>;
  /** Whether it takes positional arguments (explain's error text). @default false */
  readonly positionals?: boolean;
  /** Its exit codes, in words. */
  readonly exitCodes: string;
  /** A note printed before the exit codes (what the command needs). @default undefined */
  readonly note?: string;
  run(input: CommandInput, io: CliIo): number | Promise<number>;
}

/**
 * A command, checked for the one shape every command has (options named in kebab case, no `help`, which
 * every command gets).
 *
 * @example
 * ```ts
 * export const envCommand = defineCommand({ name: 'env', summary: '…', synopsis: ['[--json]'], … });
 * ```
 */
export function defineCommand(command: Command): Command {
  for (const name of Object.keys(command.options)) {
    if (!/^[a-z][a-z0-9-]*$/.test(name) || name === 'help') {
      throw new Error(`mpgkit internal: option --${name} of ${command.name} is not a kebab-case name`);
    }
  }
  return Object.freeze(command);
}

/**
 * The `--help` text of a command, made from its definition.
 *
 * @example
 * ```ts
 * io.stdout(commandUsage(envCommand));
 * ```
 */
export function commandUsage(command: Command): string {
  const forms = command.synopsis.map((form, index) =>
    `${index === 0 ? 'Usage: ' : '       '}mpgkit ${command.name} ${form}`.trimEnd(),
  );
  const rows = [
    ...Object.entries(command.options).map(([name, option]) => {
      const flag = option.type === 'string' ? `--${name} ${option.value ?? '<value>'}` : `--${name}`;
      return [flag, option.help] as const;
    }),
    ['-h, --help', 'show this help'] as const,
  ];
  const width = Math.min(24, Math.max(...rows.map(([flag]) => flag.length)) + 2);
  const options = rows.map(([flag, help]) => {
    const [first = '', ...more] = help.split('\n');
    const head =
      flag.length + 2 > width
        ? `  ${flag}\n  ${' '.repeat(width)}${first}`
        : `  ${flag.padEnd(width)}${first}`;
    return [head, ...more.map((line) => `  ${' '.repeat(width)}${line}`)].join('\n');
  });
  return [
    ...forms,
    '',
    command.description,
    '',
    'Options:',
    ...options,
    '',
    ...(command.note === undefined ? [] : [command.note]),
    `Exit codes: ${command.exitCodes}`,
  ].join('\n');
}

/**
 * Parses a command's arguments by its definition: unknown options and a repeated single-value option are
 * usage errors (`INVALID_OPTION`, exit 2), never silently resolved.
 *
 * @throws {MpgkitError} `INVALID_OPTION` for a repeated single-value option; node's `ERR_PARSE_ARGS_*` for
 * an unknown or malformed one.
 * @example
 * ```ts
 * parseCommandArgs(budgetCommand, ['--plan', 'basic', '--plan', 'launch']); // throws: --plan is given 2 times
 * ```
 */
export function parseCommandArgs(
  command: Command,
  args: readonly string[],
): CommandInput & { help: boolean } {
  const options = {
    ...Object.fromEntries(
      Object.entries(command.options).map(([name, option]) => [
        name,
        { type: option.type, multiple: option.multiple ?? false },
      ]),
    ),
    help: { type: 'boolean' as const, short: 'h' },
  };
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: command.positionals ?? false,
    options,
    tokens: true,
  });
  const given = new Map<string, number>();
  for (const token of tokens)
    if (token.kind === 'option') given.set(token.name, (given.get(token.name) ?? 0) + 1);
  for (const [name, times] of given) {
    const option = command.options[name];
    if (option !== undefined && !option.multiple && times > 1) {
      throw new MpgkitError(
        MpgkitErrorCode.InvalidOption,
        `--${name} is given ${times} times; give it once (see mpgkit ${command.name} --help).`,
      );
    }
  }
  const { help, ...rest } = values as Record<string, string | boolean | string[] | undefined>;
  return { values: rest, positionals, help: help === true };
}

/**
 * Runs a command with the arguments after its name: `--help` prints its usage, anything else runs it.
 *
 * @example
 * ```ts
 * process.exitCode = await runCommand(envCommand, ['--json'], processIo);
 * ```
 */
export async function runCommand(command: Command, args: readonly string[], io: CliIo): Promise<number> {
  const input = parseCommandArgs(command, args);
  if (input.help) {
    io.stdout(commandUsage(command));
    return 0;
  }
  return command.run(input, io);
}
