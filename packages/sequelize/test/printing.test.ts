import { inspect } from 'node:util';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import {
  createMigrationSequelize,
  createSequelize,
  sequelizeCliConfig,
  sequelizeOptions,
} from '../src/index.ts';

// Every object @mpgkit/sequelize builds prints without the password (test-support/password-fuzz.ts).
it('no object @mpgkit/sequelize builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const sequelize = createSequelize(policy);
      const migration = createMigrationSequelize(policy);
      // Sequelize keeps its options as `options`, which its types leave out.
      const options = (sequelize as unknown as { options: object }).options;
      const surfaces = {
        'util.inspect(sequelize.config)': inspect(sequelize.config, { depth: 8 }),
        'JSON.stringify(sequelize.config)': jsonOf(sequelize.config),
        'util.inspect(sequelize.options)': inspect(options, { depth: 8 }),
        'JSON.stringify(sequelize.options)': jsonOf(options),
        'util.inspect(migration.config)': inspect(migration.config, { depth: 8 }),
        'util.inspect(sequelizeOptions)': inspect(sequelizeOptions(policy), { depth: 8 }),
        'JSON.stringify(sequelizeCliConfig)': jsonOf(sequelizeCliConfig(policy)),
      };
      void sequelize.close();
      void migration.close();
      return surfaces;
    }),
  );
});
