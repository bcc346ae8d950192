import { fileURLToPath } from 'node:url';
import { describeDefaultsControl } from '@mpgkit/test-infra/conformance';

// Knex's own pool has no max connection lifetime: its defaults, beside the adapter, in the same run.
describeDefaultsControl(
  { name: 'Knex', module: fileURLToPath(new URL('./knex-subject.ts', import.meta.url)) },
  {
    name: 'knex with its defaults',
    module: fileURLToPath(new URL('./knex-defaults-subject.ts', import.meta.url)),
  },
);
