import { fileURLToPath } from 'node:url';
import { describeDefaultsControl } from '@mpgkit/test-infra/conformance';

// Sequelize's own pool has no max connection lifetime: its defaults, beside the adapter, in the same run.
describeDefaultsControl(
  { name: 'Sequelize', module: fileURLToPath(new URL('./sequelize-subject.ts', import.meta.url)) },
  {
    name: 'sequelize with its defaults',
    module: fileURLToPath(new URL('./sequelize-defaults-subject.ts', import.meta.url)),
  },
);
