/**
 * The four entries every mpgkit adapter exports, named in parallel so that learning one adapter teaches the
 * rest. "Migration" is the one word for the direct-URL side everywhere.
 */
export interface AdapterEntries {
  /** The ORM's name as users know it. */
  readonly orm: string;
  /** Where the entries are imported from. */
  readonly module: string;
  /** The app's client on the pooled URL (through PgBouncer). */
  readonly appClient: string;
  /** A client on the direct URL for migrations, advisory locks and other session work. */
  readonly migrationClient: string;
  /** Runs pending migrations on the direct URL, under the lock the ORM takes (or one mpgkit takes). */
  readonly migrationRunner: string;
  /** The configuration the ORM's own CLI reads, pointed at the direct URL. */
  readonly cliConfig: string;
  /** Lower-level builders the adapter also exports, for setups the four entries do not cover. */
  readonly builders: readonly string[];
}

/** The adapters mpgkit ships, by the key of {@link ADAPTER_ENTRIES}. */
export type AdapterName =
  | 'kysely'
  | 'drizzle'
  | 'drizzle-postgres-js'
  | 'prisma'
  | 'typeorm'
  | 'knex'
  | 'sequelize';

/**
 * Every adapter's entries, by adapter. Messages (error fixes, `mpgkit env`) name adapter functions only
 * through this table, and a test imports every adapter and checks that each name here exists, so a rename
 * cannot leave a stale name in a message.
 *
 * @example
 * ```ts
 * ADAPTER_ENTRIES.kysely.appClient; // 'createKysely'
 * ```
 */
export const ADAPTER_ENTRIES: Readonly<Record<AdapterName, AdapterEntries>> = Object.freeze({
  kysely: entries('Kysely', '@mpgkit/kysely', 'Kysely', 'kyselyCtlConfig', [
    'kyselyDialect',
    'kyselyMigrationDialect',
  ]),
  drizzle: entries(
    'Drizzle (node-postgres)',
    '@mpgkit/drizzle/node-postgres',
    'Drizzle',
    'drizzleKitConfig',
    [],
  ),
  'drizzle-postgres-js': entries(
    'Drizzle (postgres.js)',
    '@mpgkit/drizzle/postgres-js',
    'Drizzle',
    'drizzleKitConfig',
    ['postgresJsOptions', 'postgresJsUrl'],
  ),
  prisma: entries('Prisma 7', '@mpgkit/prisma', 'Prisma', 'prismaConfig', [
    'prismaAdapter',
    'prismaMigrationAdapter',
    'prisma6Urls',
  ]),
  typeorm: entries('TypeORM', '@mpgkit/typeorm', 'DataSource', 'typeormCliConfig', ['typeormOptions']),
  knex: entries('Knex (and Objection)', '@mpgkit/knex', 'Knex', 'knexfileConfig', [
    'knexConfig',
    'knexMigrationConfig',
    'policyKnexClient',
  ]),
  sequelize: entries('Sequelize', '@mpgkit/sequelize', 'Sequelize', 'sequelizeCliConfig', [
    'sequelizeOptions',
    'sequelizeMigrationOptions',
  ]),
});

/**
 * `name`, after checking that the adapter lists it among its builders: a message that names a builder
 * goes through here, so a name missing from {@link ADAPTER_ENTRIES} fails as soon as the error catalogue is
 * built (the first explainError; core's tests build it).
 *
 * @example
 * ```ts
 * `use ${builderOf('prisma', 'prisma6Urls')}`;
 * ```
 */
export function builderOf(adapter: AdapterName, name: string): string {
  if (!ADAPTER_ENTRIES[adapter].builders.includes(name)) {
    throw new Error(`mpgkit internal: ${name} is not a builder of ${ADAPTER_ENTRIES[adapter].module}`);
  }
  return name;
}

function entries(
  orm: string,
  module: string,
  noun: string,
  cliConfig: string,
  builders: readonly string[],
): AdapterEntries {
  return Object.freeze({
    orm,
    module,
    appClient: `create${noun}`,
    migrationClient: `createMigration${noun}`,
    migrationRunner: 'runMigrations',
    cliConfig,
    builders: Object.freeze([...builders]),
  });
}
