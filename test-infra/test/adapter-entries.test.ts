import { expect, it } from 'vitest';
import { missingEntries } from '../src/conformance/index.ts';

// Negative control for each adapter's shape test (packages/*/test/adapter-entries.test.ts): a module that
// lacks an entry, or exports something else under its name, is caught.
it('names every entry a module does not export as a function', () => {
  expect(missingEntries('kysely', {})).toEqual([
    'createKysely',
    'createMigrationKysely',
    'runMigrations',
    'kyselyCtlConfig',
    'kyselyDialect',
    'kyselyMigrationDialect',
  ]);
  expect(missingEntries('typeorm', { createDataSource() {}, runMigrations: 'x' })).toEqual([
    'createMigrationDataSource',
    'runMigrations',
    'typeormCliConfig',
    'typeormOptions',
  ]);
});
