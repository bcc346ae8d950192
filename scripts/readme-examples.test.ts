import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

// The README's first example is what users copy first: it must run as written, off Fly too (no
// FLY_PROCESS_GROUP, no FLY_APP_NAME: a laptop, a CI job), and still check the whole fleet's budget.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function codeBlockAfter(heading: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error(`no ts code block after "${heading}"`);
  return match[1];
}

const dir = mkdtempSync(join(import.meta.dirname, '.tmp-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("the README's policy runs as written on a laptop and checks the budget", async () => {
  const file = join(dir, 'db-policy.ts');
  writeFileSync(
    file,
    `${codeBlockAfter('## The policy, once')}\nconsole.log(JSON.stringify({ group: policy.processGroup, pool: policy.poolSize, budget: policy.budget?.verdict, peak: policy.budget?.peak }));\n`,
  );
  const { FLY_PROCESS_GROUP: _group, FLY_APP_NAME: _app, ...env } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@mpgkit/source', file], {
    env: { ...env, DATABASE_URL: 'postgresql://fly-user:pw@pgbouncer.my-cluster.flympg.net/fly-db' },
  });
  expect(JSON.parse(stdout)).toEqual({ group: 'web', pool: 10, budget: 'ok', peak: 80 });
});

it("the README's first code block is the two commands, and CI runs them through the same entry", () => {
  const first = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = first
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  expect(commands).toEqual(['./dev demo', './dev test']);
  expect(readme.indexOf('```sh')).toBe(readme.indexOf('```'));
  const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
  expect(ci).toMatch(/^\.\/dev test$/m);
  expect(readFileSync(new URL('./fresh-machine-demo.sh', import.meta.url), 'utf8')).toMatch(/\/dev" demo/);
});

it("the README's adapter table names every adapter of ADAPTER_ENTRIES, with its four entries", async () => {
  const { ADAPTER_ENTRIES } = await import('@mpgkit/core/adapter');
  const section = readme.slice(
    readme.indexOf('## In each ORM'),
    readme.indexOf('```ts', readme.indexOf('## In each ORM')),
  );
  for (const entry of Object.values(ADAPTER_ENTRIES)) {
    // Drizzle's two drivers share one column: `@mpgkit/drizzle/node-postgres` or `/postgres-js`.
    const module = entry.module.replace('@mpgkit/drizzle/', '');
    expect(section, entry.module).toContain(module);
    for (const name of [entry.appClient, entry.migrationClient, entry.migrationRunner, entry.cliConfig]) {
      expect(section, `${entry.module} ${name}`).toContain(`\`${name}(`);
    }
  }
});
