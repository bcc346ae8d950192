import { resolve } from 'node:path';
import { defineDatabase, MpgkitError, MpgkitErrorCode, type Policy, redactUrl } from '@mpgkit/core';
import { ADAPTER_ENTRIES, type AdapterName, formatTable } from '@mpgkit/core/adapter';
import { loadPolicy } from './app-fleet.ts';
import { type Command, defineCommand } from './command.ts';
import { type CliIo, ExitCode } from './io.ts';
import { JSON_OPTION, MODE_OPTION, poolModeOption } from './options.ts';

/** `mpgkit env`: the settings mpgkit resolves from the environment, and what each ORM receives. */
export const envCommand: Command = defineCommand({
  name: 'env',
  summary: 'show the resolved settings (redacted) and what each ORM receives',
  synopsis: [
    '--policy <module> [--export <name>] [--json]',
    '[--mode <session|transaction>] [--process-group <name>] [--json]',
  ],
  description: `Shows the settings mpgkit resolves from the environment (DATABASE_URL, DIRECT_DATABASE_URL,
FLY_PROCESS_GROUP, ...), passwords redacted, the option each ORM receives them as, and the
adapter entries that hand them over. With --policy, the app's own policy module (its pool mode,
sizes and guard), loaded as the app loads it; without, mpgkit's defaults.`,
  options: {
    policy: {
      type: 'string',
      value: '<module>',
      help: "the app's policy module (.ts or .js): show what the app itself resolves",
    },
    export: {
      type: 'string',
      value: '<name>',
      help: 'which export is the policy (default: policy, else default, else the only policy exported)',
    },
    mode: MODE_OPTION,
    'process-group': {
      type: 'string',
      value: '<name>',
      help: "this process's group, as FLY_PROCESS_GROUP names it (default: from the environment)",
    },
    json: { ...JSON_OPTION, help: 'print the settings as JSON' },
  },
  exitCodes: '0 shown, 2 bad usage (a missing or malformed URL).',
  run: (input, io) => runEnv(input.values as EnvValues, io),
});

type EnvValues = {
  policy?: string;
  export?: string;
  mode?: string;
  'process-group'?: string;
  json?: boolean;
};

async function resolvePolicy(values: EnvValues, io: CliIo, warnings: string[]): Promise<Policy> {
  if (values.policy === undefined) {
    const poolMode = poolModeOption(values);
    return defineDatabase({
      env: io.env,
      ...(poolMode === undefined ? {} : { poolMode }),
      ...(values['process-group'] === undefined ? {} : { processGroup: values['process-group'] }),
      logger: { warn: (message) => warnings.push(message) },
    });
  }
  const given =
    values.mode !== undefined
      ? '--mode'
      : values['process-group'] !== undefined
        ? '--process-group'
        : undefined;
  if (given !== undefined) {
    throw new MpgkitError(
      MpgkitErrorCode.InvalidOption,
      `${given} and --policy both say what the policy is: drop ${given} (the policy module decides; set FLY_PROCESS_GROUP as the app's machine does).`,
    );
  }
  // The module reads the process's environment, as the app's own process does.
  return loadPolicy(resolve(io.cwd ?? process.cwd(), values.policy), values.policy, values.export);
}

async function runEnv(values: EnvValues, io: CliIo): Promise<number> {
  const warnings: string[] = [];
  const policy = await resolvePolicy(values, io, warnings);
  void policy.urls; // resolved (and any warning collected) before printing
  if (values.json) {
    io.stdout(
      JSON.stringify({ policy, settings: settingsOf(policy), adapters: ADAPTER_ENTRIES, warnings }, null, 2),
    );
    return ExitCode.Ok;
  }
  const { urls } = policy;
  io.stdout(
    [
      `pooled URL   ${redactUrl(urls.pooled)}  (${urls.pooledTarget})`,
      `direct URL   ${urls.direct === undefined ? 'none: set DIRECT_DATABASE_URL for migrations and LISTEN' : `${redactUrl(urls.direct)}  (${urls.directSource})`}`,
      `pool mode    ${policy.poolMode}   group ${policy.processGroup}   guard ${policy.transactionModeGuard}`,
      `TLS          ${tlsLine(policy)}`,
      `policy       ${values.policy ?? "mpgkit's defaults (pass --policy <module> for your app's own)"}`,
      '',
      formatTable(
        [
          { header: 'setting' },
          { header: 'value', align: 'right' },
          ...SETTING_COLUMNS.map((column) => ({ header: headerOf(column) })),
        ],
        settingsOf(policy).map((row) => [
          row.setting,
          row.value,
          ...SETTING_COLUMNS.map((column) => row[column.key]),
        ]),
      ),
      '',
      adapterTable(),
      ...warnings.map((warning) => `\n${warning}`),
    ].join('\n'),
  );
  return ExitCode.Ok;
}

const TLS_SOURCE: Readonly<Record<Policy['tls']['pooled']['source'], string>> = {
  option: 'from the policy',
  url: 'from the URL',
  env: 'from the environment',
  default: "mpgkit's default",
};

function tlsLine(policy: Policy): string {
  const { pooled, direct } = policy.tls;
  const one = (tls: typeof pooled) =>
    `${tls.mode} (${TLS_SOURCE[tls.source]}${tls.ca === undefined ? '' : `, CA ${tls.caPath ?? 'given inline'}`})`;
  return direct === undefined ? `pooled ${one(pooled)}` : `pooled ${one(pooled)}; direct ${one(direct)}`;
}

/** A column of the settings table: one driver configuration, and the adapters that use it. */
interface SettingColumn {
  readonly key: 'pg' | 'postgresJs' | 'classicEngineUrl' | 'typeorm' | 'knex' | 'sequelize';
  readonly driver: string;
  /** The adapters (keys of ADAPTER_ENTRIES) whose driver receives the settings this way. */
  readonly adapters: readonly AdapterName[];
}

// The column of each adapter: a Record over every AdapterName, so a new adapter does not compile until it has one.
const COLUMN_OF: Readonly<Record<AdapterName, SettingColumn['key']>> = {
  kysely: 'pg',
  drizzle: 'pg',
  prisma: 'pg',
  'drizzle-postgres-js': 'postgresJs',
  typeorm: 'typeorm',
  knex: 'knex',
  sequelize: 'sequelize',
};

const DRIVERS: Readonly<Record<SettingColumn['key'], string>> = {
  pg: 'node-postgres',
  postgresJs: 'postgres.js',
  classicEngineUrl: 'Prisma 6 URL',
  typeorm: 'TypeORM (pg)',
  knex: 'knex (pg)',
  sequelize: 'Sequelize (pg)',
};

/**
 * The settings table's columns, each with the adapters whose driver takes the settings that way (from
 * ADAPTER_ENTRIES' order); the headers name those ORMs from the same table.
 */
export const SETTING_COLUMNS: readonly SettingColumn[] = (
  Object.entries(DRIVERS) as [SettingColumn['key'], string][]
).map(([key, driver]) => ({
  key,
  driver,
  adapters: (Object.keys(ADAPTER_ENTRIES) as AdapterName[]).filter((name) => COLUMN_OF[name] === key),
}));

function headerOf(column: SettingColumn): string {
  if (column.adapters.length < 2) return column.driver;
  const orms = new Set(column.adapters.map((name) => ADAPTER_ENTRIES[name].orm.replace(/ \(.*\)$/, '')));
  return `${column.driver} (${[...orms].join(', ')})`;
}

function settingsOf(policy: Policy) {
  const seconds = (value: number) => `${Number(value.toFixed(1))} s`;
  return [
    {
      setting: 'pool size',
      value: String(policy.poolSize),
      pg: 'max',
      postgresJs: 'max',
      classicEngineUrl: 'connection_limit',
      typeorm: 'poolSize',
      knex: 'pool.max',
      sequelize: 'pool.max',
    },
    {
      setting: 'max lifetime',
      value: `${seconds(policy.lifetime.minSeconds)}–${seconds(policy.lifetime.maxSeconds)}`,
      pg: 'maxLifetimeSeconds (per connection)',
      postgresJs: 'max_lifetime (function)',
      classicEngineUrl: 'max_connection_lifetime',
      typeorm: 'extra.maxLifetimeSeconds',
      knex: 'validateConnection (per connection)',
      sequelize: 'pool.validate (per connection)',
    },
    {
      setting: 'idle timeout',
      value: seconds(policy.idleTimeoutSeconds),
      pg: 'idleTimeoutMillis',
      postgresJs: 'idle_timeout',
      classicEngineUrl: 'max_idle_connection_lifetime',
      typeorm: 'extra.idleTimeoutMillis',
      knex: 'pool.idleTimeoutMillis',
      sequelize: 'pool.idle',
    },
    {
      setting: 'connect timeout',
      value: seconds(policy.connectTimeoutSeconds),
      pg: 'connectionTimeoutMillis',
      postgresJs: 'connect_timeout',
      classicEngineUrl: 'connect_timeout',
      typeorm: 'connectTimeoutMS',
      knex: 'connection.connectionTimeoutMillis',
      sequelize: 'dialectOptions.connectionTimeoutMillis',
    },
    {
      setting: 'pool timeout',
      value: seconds(policy.poolTimeoutSeconds),
      pg: '(connectionTimeoutMillis)',
      postgresJs: '-',
      classicEngineUrl: 'pool_timeout',
      typeorm: '-',
      knex: 'acquireConnectionTimeout',
      sequelize: 'pool.acquire',
    },
    {
      setting: 'named statements',
      value: policy.namedPreparedStatements ? 'allowed' : 'off',
      pg: policy.namedPreparedStatements ? '-' : 'sent unnamed',
      postgresJs: `prepare: ${policy.namedPreparedStatements}`,
      classicEngineUrl: policy.namedPreparedStatements ? '-' : 'pgbouncer=true',
      typeorm: '- (never named)',
      knex: policy.namedPreparedStatements ? '-' : 'sent unnamed',
      sequelize: '- (never named)',
    },
    {
      setting: 'application name',
      value: policy.applicationName,
      pg: 'application_name',
      postgresJs: 'connection.application_name',
      classicEngineUrl: '-',
      typeorm: 'applicationName',
      knex: 'connection.application_name',
      sequelize: 'dialectOptions.application_name',
    },
  ];
}

// The four entries of every adapter, from core's table (never spelled here, so a rename cannot go stale).
function adapterTable(): string {
  return formatTable(
    [
      { header: 'ORM' },
      { header: 'import from' },
      { header: 'app (pooled URL)' },
      { header: 'migrations (direct URL)' },
      { header: 'runner' },
      { header: 'CLI config' },
    ],
    Object.values(ADAPTER_ENTRIES).map((entry) => [
      entry.orm,
      entry.module,
      entry.appClient,
      entry.migrationClient,
      entry.migrationRunner,
      entry.cliConfig,
    ]),
  );
}
