import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test/run-in-process.ts';
import { commandUsage, defineCommand, parseCommandArgs } from './command.ts';
import { envCommand } from './env-command.ts';
import { COMMANDS } from './run-cli.ts';

// `mpgkit budget`'s plan and mode, as the cases below share them.
const SESSION_ON_BASIC = ['--plan', 'basic', '--mode', 'session'];

const run = (...argv: string[]) =>
  runInProcess(argv, { DATABASE_URL: 'postgresql://u:pw-secret@localhost:5432/db' });

describe('one command shape', () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    'mpgkit help %s and mpgkit %s --help print the same usage, naming every option',
    async (name, command) => {
      const viaHelp = await run('help', name);
      const viaFlag = await run(name, '--help');
      expect(viaHelp).toMatchObject({ code: 0, stdout: commandUsage(command) });
      expect(viaFlag.stdout).toBe(viaHelp.stdout);
      expect(viaHelp.stdout).toContain(`Usage: mpgkit ${name}`);
      for (const option of Object.keys(command.options)) expect(viaHelp.stdout).toContain(`--${option}`);
    },
  );

  it('mpgkit help <unknown> is a usage error; the top-level help lists every command', async () => {
    expect((await run('help', 'nope')).code).toBe(2);
    const top = await run('help');
    for (const command of COMMANDS) expect(top.stdout).toContain(command.summary);
  });

  it('a repeated single-value flag is refused in one line (exit 2), a repeatable one is kept', async () => {
    const twice = await run(
      'budget',
      '--plan',
      'basic',
      '--plan',
      'launch',
      '--mode',
      'session',
      '--group',
      'web=1x5',
    );
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(
      'mpgkit budget: --plan is given 2 times; give it once (see mpgkit budget --help).',
    );
    const groups = await run('budget', ...SESSION_ON_BASIC, '--group', 'a=1x5', '--group', 'b=1x5');
    expect(groups.code).toBe(0);
  });

  it.each([['budget', '--plan', 'basic', '--group', 'web=1x5'], ['env'], ['connections']])(
    '--mode is validated the same in every command (%s)',
    async (name, ...more) => {
      const result = await run(name, ...more, '--mode', 'transactoin');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/transactoin/);
    },
  );

  it('--group means <name>=<machines>x<pool> wherever it is taken; env names the process group another way', async () => {
    for (const command of COMMANDS) {
      const group = command.options.group;
      if (group !== undefined) expect(group.value).toBe('<spec>');
    }
    expect(envCommand.options.group).toBeUndefined();
    expect((await run('env', '--process-group', 'web', '--json')).code).toBe(0);
    expect((await run('env', '--group', 'web')).code).toBe(2);
  });

  it.each([
    ['--max-client-conn', 'Infinity', '--max-db-conn', '5', '--mode', 'session', '--group', 'w=1x1'],
    [...SESSION_ON_BASIC, '--group', 'w=1', '--recommend', '--headroom', ''],
    [...SESSION_ON_BASIC, '--group', 'w=1', '--recommend', '--headroom', 'abc'],
  ])('numbers typed wrong are quoted as typed, never NaN or Infinity (budget %j)', async (...args) => {
    const result = await run('budget', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/NaN|got Infinity\b(?!")/);
  });

  it('defineCommand refuses an option that is not kebab case, or one named help', () => {
    const base = { ...envCommand, name: 'x' };
    expect(() => defineCommand({ ...base, options: { fooBar: { type: 'boolean', help: '' } } })).toThrow();
    expect(() => defineCommand({ ...base, options: { help: { type: 'boolean', help: '' } } })).toThrow();
    expect(parseCommandArgs(envCommand, ['--json']).values.json).toBe(true);
  });
});
