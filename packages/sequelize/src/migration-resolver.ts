import { pathToFileURL } from 'node:url';

/** What umzug hands a resolver for each file of a `glob` (umzug 3.8 lib/umzug.js getMigrationsResolver). */
export interface ResolverParams {
  name: string;
  path?: string;
  context: object;
}

type MigrationFunction = (first: unknown, Sequelize: unknown) => unknown;

/** A migration as umzug runs it. */
export interface ResolvedMigration {
  name: string;
  path: string | undefined;
  up: () => Promise<unknown>;
  down: () => Promise<unknown>;
}

/**
 * umzug's `resolve` for a folder of migrations written for either tool. sequelize-cli calls
 * `up(queryInterface, Sequelize)` (sequelize-cli src/core/migrator.js getMigrator(): umzug 2's `params:
 * [sequelize.getQueryInterface(), Sequelize]`); umzug 3's default resolver calls `up({ path, name, context })`
 * (umzug 3.8 lib/umzug.js defaultResolver). Here the first argument is both: the `QueryInterface`, which also answers `context`, `name`
 * and `path`; the second is the `Sequelize` class, as sequelize-cli passes it. Each file is loaded with
 * `import()`, which reads CommonJS (`module.exports`, `exports.up`) and ESM alike.
 *
 * @param Sequelize - The Sequelize class (its `DataTypes` statics), passed as sequelize-cli does.
 * @example
 * ```ts
 * new Umzug({ migrations: { glob: 'migrations/*.js', resolve: eitherToolResolver(Sequelize) }, context, storage });
 * ```
 */
export function eitherToolResolver(Sequelize: unknown): (params: ResolverParams) => ResolvedMigration {
  return ({ name, path, context }) => {
    const run = async (direction: 'up' | 'down'): Promise<unknown> => {
      if (path === undefined) throw new Error(`Migration ${name} has no file to load.`);
      const module = (await import(pathToFileURL(path).href)) as Record<string, unknown> & {
        default?: Record<string, unknown>;
      };
      const migration = (module[direction] ?? module.default?.[direction]) as MigrationFunction | undefined;
      if (typeof migration !== 'function') {
        if (direction === 'down') return undefined;
        throw new Error(`Migration ${name} exports no up function (exports.up, or module.exports = { up }).`);
      }
      return migration(eitherToolArgument(context, name, path), Sequelize);
    };
    return { name, path, up: () => run('up'), down: () => run('down') };
  };
}

function eitherToolArgument(queryInterface: object, name: string, path: string): object {
  const extra: Record<string, unknown> = { context: queryInterface, name, path };
  return new Proxy(queryInterface, {
    get: (target, key) =>
      typeof key === 'string' && key in extra ? extra[key] : Reflect.get(target, key, target),
    has: (target, key) => (typeof key === 'string' && key in extra) || Reflect.has(target, key),
  });
}
