/**
 * The four entries every mpgkit adapter exports, named in parallel so that learning one adapter teaches the
 * rest. "Migration" is the one word for the direct-URL side everywhere.
 */
export interface AdapterEntries {
  /** The ORM's name as users know it. */
  readonly orm: string;
  /** The ORM's key (`drizzle` for both of Drizzle's drivers): what `explainError`'s `orm` takes. */
  readonly ormKey: AdapterOrm;
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

/** The ORMs mpgkit has an adapter for, as {@link AdapterEntries.ormKey} names them. */
export type AdapterOrm = 'kysely' | 'drizzle' | 'prisma' | 'typeorm' | 'knex' | 'sequelize';

/** The adapters mpgkit ships, by the key of {@link ADAPTER_ENTRIES}: one per ORM and driver. */
export type AdapterName = AdapterOrm | 'drizzle-postgres-js';

/** What `explainError` and `mpgkit explain --orm` tailor fixes for: node-postgres itself, or an ORM. */
export type Orm = 'pg' | AdapterOrm;

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
  kysely: entries('kysely', 'Kysely', '@mpgkit/kysely', 'Kysely', 'kyselyCtlConfig', [
    'kyselyDialect',
    'kyselyMigrationDialect',
  ]),
  drizzle: entries(
    'drizzle',
    'Drizzle (node-postgres)',
    '@mpgkit/drizzle/node-postgres',
    'Drizzle',
    'drizzleKitConfig',
    [],
  ),
  'drizzle-postgres-js': entries(
    'drizzle',
    'Drizzle (postgres.js)',
    '@mpgkit/drizzle/postgres-js',
    'Drizzle',
    'drizzleKitConfig',
    ['postgresJsOptions', 'postgresJsUrl'],
  ),
  prisma: entries('prisma', 'Prisma 7', '@mpgkit/prisma', 'Prisma', 'prismaConfig', [
    'prismaAdapter',
    'prismaMigrationAdapter',
    'prisma6Urls',
  ]),
  typeorm: entries('typeorm', 'TypeORM', '@mpgkit/typeorm', 'DataSource', 'typeormCliConfig', [
    'typeormOptions',
  ]),
  knex: entries('knex', 'Knex (and Objection)', '@mpgkit/knex', 'Knex', 'knexfileConfig', [
    'knexConfig',
    'knexMigrationConfig',
    'policyKnexClient',
  ]),
  sequelize: entries('sequelize', 'Sequelize', '@mpgkit/sequelize', 'Sequelize', 'sequelizeCliConfig', [
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

/**
 * Every value `explainError`'s `orm` takes: `pg`, then each ORM of {@link ADAPTER_ENTRIES} once, in its
 * order. Every list of ORMs (the CLI's `--orm`, docs tables) comes from here.
 *
 * @example
 * ```ts
 * ORMS; // ['pg', 'kysely', 'drizzle', 'prisma', 'typeorm', 'knex', 'sequelize']
 * ```
 */
export const ORMS: readonly Orm[] = Object.freeze([
  'pg',
  ...new Set(Object.values(ADAPTER_ENTRIES).map((entry) => entry.ormKey)),
]);

function entries(
  ormKey: AdapterOrm,
  orm: string,
  module: string,
  noun: string,
  cliConfig: string,
  builders: readonly string[],
): AdapterEntries {
  return Object.freeze({
    orm,
    ormKey,
    module,
    appClient: `create${noun}`,
    migrationClient: `createMigration${noun}`,
    migrationRunner: 'runMigrations',
    cliConfig,
    builders: Object.freeze([...builders]),
  });
}
