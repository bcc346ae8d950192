import { explainError, MpgkitError, MpgkitErrorCode, type Orm } from '@mpgkit/core';
import { ORMS, redact } from '@mpgkit/core/adapter';
import { type Command, defineCommand } from './command.ts';
import { type CliIo, ExitCode } from './io.ts';
import { JSON_OPTION } from './options.ts';

/** `mpgkit explain`: what a database error means, how to fix it, and whether a retry is safe. */
export const explainCommand: Command = defineCommand({
  name: 'explain',
  summary: 'explain a database error: cause, fix, whether a retry is safe',
  synopsis: [`"<error text>" [--orm ${ORMS.join('|')}] [--json]`],
  description:
    'Explains a database error: what causes it, how to fix it (for your ORM), and whether a retry is safe.',
  positionals: true,
  options: {
    orm: { type: 'string', value: '<name>', help: `tailor the fix to ${ORMS.join(', ')}` },
    json: { ...JSON_OPTION, help: 'print the explanation as JSON' },
  },
  exitCodes: '0 explained, 1 unknown error text, 2 bad usage.',
  run: (input, io) => runExplain(input.values as { orm?: string; json?: boolean }, input.positionals, io),
});

function runExplain(
  values: { orm?: string; json?: boolean },
  positionals: readonly string[],
  io: CliIo,
): number {
  const text = positionals.join(' ').trim();
  if (text === '')
    throw new MpgkitError(MpgkitErrorCode.InvalidOption, 'Give the error text to explain, in quotes.');
  const orm = values.orm as Orm | undefined;
  if (orm !== undefined && !ORMS.includes(orm)) {
    throw new MpgkitError(MpgkitErrorCode.InvalidOption, `--orm "${orm}" is not one of ${ORMS.join(', ')}.`);
  }
  const explanation = explainError(text, orm);
  if (values.json) {
    io.stdout(JSON.stringify(explanation ?? { id: null }, null, 2));
  } else if (explanation === undefined) {
    io.stdout(`Not a connection or pooler error mpgkit knows: "${redact(text).slice(0, 200)}".`);
  } else {
    const retry = {
      safe: 'yes',
      'if-idempotent': 'only if the work is idempotent (it may have run)',
      never: 'no: fix the cause',
    }[explanation.retry];
    const when = {
      connect: 'before anything was sent (connecting, logging in, waiting for a connection)',
      'rolled-back': 'the server rolled the transaction back',
      'in-flight': 'after the statement was sent: it may have run',
      commit: 'while COMMIT was in flight: the transaction may have committed',
      config: 'every time: a configuration or code error',
    }[explanation.phase];
    io.stdout(
      [
        explanation.title,
        '',
        `cause  ${explanation.cause}`,
        `fix    ${explanation.fix}`,
        `when   ${when}`,
        `retry  ${retry}${explanation.transient ? ' (transient)' : ''}`,
      ].join('\n'),
    );
  }
  return explanation === undefined ? ExitCode.Failed : ExitCode.Ok;
}
