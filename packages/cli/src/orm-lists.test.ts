import { ADAPTER_ENTRIES, type AdapterName, ORMS } from '@mpgkit/core/adapter';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test/run-in-process.ts';
import { SETTING_COLUMNS } from './env-command.ts';
import { runCli } from './run-cli.ts';

const run = (...argv: string[]) => runInProcess(argv);

describe('the CLI knows every ORM of ADAPTER_ENTRIES', () => {
  it.each(ORMS)('mpgkit explain --orm %s explains, with that ORM in its usage', async (orm) => {
    const result = await run('explain', 'prepared statement "s0" does not exist', '--orm', orm);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('fix');
    expect((await run('explain', '--help')).stdout).toContain(orm);
  });

  it('knex and Sequelize get fixes of their own', async () => {
    for (const orm of ['knex', 'sequelize'] as const) {
      const { stdout } = await run('explain', 'prepared statement "s0" does not exist', '--orm', orm);
      expect(stdout).toContain(ADAPTER_ENTRIES[orm].module);
    }
  });

  it('negative control: an ORM that is not in the table is refused', async () => {
    expect((await run('explain', 'x', '--orm', 'mongoose')).code).toBe(2);
  });

  it('every adapter is in exactly one column of mpgkit env', () => {
    const covered = SETTING_COLUMNS.flatMap((column) => column.adapters);
    expect([...covered].sort()).toEqual((Object.keys(ADAPTER_ENTRIES) as AdapterName[]).sort());
  });

  it('mpgkit env prints a knex and a Sequelize column', async () => {
    const out: string[] = [];
    await runCli(['env'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      env: { DATABASE_URL: 'postgresql://u:secret@localhost:5432/db' },
    });
    const text = out.join('\n');
    expect(text).toContain('knex (pg)');
    expect(text).toContain('Sequelize (pg)');
    expect(text).not.toContain('secret');
  });
});
