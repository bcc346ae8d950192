import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { MpgkitError, MpgkitErrorCode, type Policy } from '@mpgkit/core';
import { type KnownKeys, rejectUnknownKeys, requireDirectUrl } from '@mpgkit/core/adapter';

/** Options of {@link runMigrations}. */
export interface PrismaMigrateOptions {
  /** The app's directory: where `prisma.config.ts` is and `prisma` is installed. @default process.cwd() */
  cwd?: string;
  /** Environment of the Prisma CLI. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What {@link runMigrations} returns: the Prisma CLI's output, passwords removed. */
export interface PrismaMigrateOutcome {
  readonly output: string;
}

/**
 * Runs `prisma migrate deploy` with the app's own Prisma CLI and resolves when every pending migration is
 * applied: the one call a `release_command` needs. Prisma Migrate connects to `prisma.config.ts`'s
 * `datasource.url`, which {@link prismaConfig} puts on the direct URL; this checks first that the policy
 * has one, so a missing direct URL fails before anything connects. Prisma's output is kept, redacted.
 *
 * @throws {MpgkitError} `MISSING_DIRECT_URL` without a direct URL; `MIGRATION_FAILED` (with Prisma's output,
 * redacted) when the CLI is missing or a migration fails.
 * @example
 * ```ts
 * // scripts/migrate.ts, the release_command
 * await runMigrations(policy);
 * ```
 */
export async function runMigrations(
  policy: Policy,
  options: PrismaMigrateOptions = {},
): Promise<PrismaMigrateOutcome> {
  requireDirectUrl(policy, 'Prisma Migrate');
  rejectUnknownKeys('runMigrations', options, {
    cwd: true,
    env: true,
  } satisfies KnownKeys<PrismaMigrateOptions>);
  const cwd = resolve(options.cwd ?? process.cwd());
  const cli = prismaCli(cwd);
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [cli, 'migrate', 'deploy'],
      { cwd, env: { ...(options.env ?? process.env), PRISMA_HIDE_UPDATE_MESSAGE: '1' } },
      (error, stdout, stderr) => {
        const output = policy.redact(`${stdout}${stderr}`.trim());
        if (error === null) return done(Object.freeze({ output }));
        fail(
          new MpgkitError(
            MpgkitErrorCode.MigrationFailed,
            `prisma migrate deploy failed (exit ${error.code ?? 'signal'}): ${output.slice(-2000)}`,
            { details: { exitCode: error.code } },
          ),
        );
      },
    );
  });
}

// The bin of the `prisma` package the app installed (prisma 7 package.json: "bin": { "prisma": "build/index.js" }).
function prismaCli(cwd: string): string {
  try {
    const require = createRequire(join(cwd, 'package.json'));
    const manifest = require.resolve('prisma/package.json');
    const bin = (require(manifest) as { bin?: { prisma?: string } }).bin?.prisma ?? 'build/index.js';
    return join(dirname(manifest), bin);
  } catch {
    throw new MpgkitError(
      MpgkitErrorCode.MigrationFailed,
      `The Prisma CLI is not installed in ${cwd}: add it (npm install -D prisma) to run migrations.`,
    );
  }
}
