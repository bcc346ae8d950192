import { inspect } from 'node:util';
import { it } from 'vitest';
import { assertNoPasswordPrinted, jsonOf, printedThrough } from '../../../test-support/password-fuzz.ts';
import {
  createDataSource,
  createMigrationDataSource,
  typeormCliConfig,
  typeormOptions,
} from '../src/index.ts';

// Every object @mpgkit/typeorm builds prints without the password (test-support/password-fuzz.ts).
it('no object @mpgkit/typeorm builds prints a password (10,000 generated passwords)', {
  timeout: 300_000,
}, () => {
  assertNoPasswordPrinted(
    printedThrough((policy) => {
      const dataSource = createDataSource(policy);
      const migration = createMigrationDataSource(policy);
      return {
        'util.inspect(dataSource.options)': inspect(dataSource.options, { depth: 8 }),
        'JSON.stringify(dataSource.options)': jsonOf(dataSource.options),
        'util.inspect(dataSource)': inspect(dataSource, { depth: 4 }),
        'util.inspect(migration.options)': inspect(migration.options, { depth: 8 }),
        'util.inspect(typeormOptions)': inspect(typeormOptions(policy), { depth: 8 }),
        'JSON.stringify(typeormCliConfig)': jsonOf(typeormCliConfig(policy)),
      };
    }),
  );
});
