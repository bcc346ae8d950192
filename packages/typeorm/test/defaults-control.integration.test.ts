import { fileURLToPath } from 'node:url';
import { describeDefaultsControl } from '@mpgkit/test-infra/conformance';

// TypeORM's own pool has no max connection lifetime: its defaults, beside the adapter, in the same run.
describeDefaultsControl(
  { name: 'TypeORM', module: fileURLToPath(new URL('./typeorm-subject.ts', import.meta.url)) },
  {
    name: 'TypeORM with its defaults',
    module: fileURLToPath(new URL('./typeorm-defaults-subject.ts', import.meta.url)),
  },
);
