// `pnpm demo`, the main job. Without DATABASE_URL: starts the local MPG-shaped stack, shows the budget of
// the guide's example fleet, runs every example app through the pooled transaction-mode URL (migrations
// on the direct URL), compares a naive pg pool with an mpgkit pool across a proxy drain, and tears
// everything down. With DATABASE_URL: runs `mpgkit doctor` against that database instead.
import { fileURLToPath } from 'node:url';
import { checkPoolBudget, formatBudgetReport } from '@mpgkit/core';
import { processIo, runCli } from 'mpgkit';
import { LoadRun } from './conformance/run-load.ts';
import { scaledPolicyOptions } from './conformance/scaled-policy.ts';
import { runExampleApp } from './example-apps.ts';
import { type Stack, startStack } from './stack.ts';

const started = Date.now();
const step = (text: string) =>
  console.log(`\n[${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '') {
  step('DATABASE_URL is set: checking that database (mpgkit doctor)');
  process.exitCode = await runCli(['doctor', ...process.argv.slice(2)], processIo);
} else {
  await demo();
}

async function demo(): Promise<void> {
  step('Starting the local stack: PostgreSQL, PgBouncer (session + transaction), a drainable proxy');
  const stack = await startStack({ hardStopAfterSeconds: 3 });
  try {
    console.log(
      `       up: DATABASE_URL → proxy → PgBouncer (transaction) → PostgreSQL; DIRECT_DATABASE_URL → proxy → PostgreSQL`,
    );

    step("The guide's example fleet on the Basic plan: web 3 × pool 10, worker 2 × pool 5");
    const groups = [
      { name: 'web', machines: 3, poolSize: 10 },
      { name: 'worker', machines: 2, poolSize: 5 },
    ];
    console.log(indent(formatBudgetReport(checkPoolBudget({ plan: 'basic', poolMode: 'session', groups }))));
    const bluegreen = checkPoolBudget({ plan: 'basic', poolMode: 'session', groups, deploy: 'bluegreen' });
    console.log(
      indent(
        `With a bluegreen deploy: peak ${bluegreen.peak} of ${bluegreen.limit}: ${bluegreen.verdict.toUpperCase()}. \`mpgkit budget --recommend\` sizes the pools.`,
      ),
    );

    for (const [example, script] of [
      ['kysely', 'start'],
      ['drizzle', 'start'],
      ['drizzle', 'start:postgres-js'],
      ['typeorm', 'start'],
      ['prisma', 'start'],
      ['knex', 'start'],
      ['sequelize', 'start'],
    ] as const) {
      step(`examples/${example}: pnpm ${script} (migrations on the direct URL, the app through PgBouncer)`);
      console.log(indent(await runExample(stack, example, script)));
    }

    step('A proxy restart under load: a naive pg pool beside an mpgkit pool (drain, hard stop after 3 s)');
    console.log(indent(await drainComparison(stack)));
  } finally {
    step('Tearing the stack down');
    await stack.down();
  }
  step('Done: every process stopped, every directory removed.');
}

async function runExample(stack: Stack, example: string, script: string): Promise<string> {
  const { stdout } = await runExampleApp(stack, example, script);
  return stdout
    .trim()
    .split('\n')
    .filter((line) => !line.includes('Generated Prisma Client') && line.trim() !== '')
    .join('\n');
}

async function drainComparison(stack: Stack): Promise<string> {
  const subjects = [
    ['naive pg Pool (no lifetime, no error listeners)', 'naive-pg-pool.ts'],
    ['mpgkit pg Pool (createPgPool)', 'policy-pg-pool.ts'],
  ] as const;
  const runs = subjects.map(
    ([, file], index) =>
      new LoadRun({
        module: fileURLToPath(new URL(`./conformance/subjects/${file}`, import.meta.url)),
        policyOptions: scaledPolicyOptions(stack, 'transaction', `demo-${index}`),
        workers: 4,
        warmupMs: 500,
      }),
  );
  await Promise.all(runs.map((run) => run.next('ready')));
  const { hardStopAt } = await stack.drain();
  await sleep(Math.max(0, hardStopAt - Date.now()) + 1_000);
  const outcomes = await Promise.all(runs.map((run) => run.finish()));
  return subjects
    .map(([name], index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) return name;
      const result = outcome.crashed
        ? 'CRASHED (unhandled connection error)'
        : `${outcome.ok} queries ok, ${outcome.failed} failed`;
      return `${name.padEnd(50)} ${result}`;
    })
    .join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `       ${line}`)
    .join('\n');
}
