import { fileURLToPath } from 'node:url';
import { describeDefaultsControl } from '@mpgkit/test-infra/conformance';

// Kysely over a plain pg Pool has no max connection lifetime: its defaults, beside the adapter, in the same run.
describeDefaultsControl(
  { name: 'Kysely', module: fileURLToPath(new URL('./kysely-subject.ts', import.meta.url)) },
  {
    name: 'Kysely over a plain pg Pool',
    module: fileURLToPath(new URL('./kysely-defaults-subject.ts', import.meta.url)),
  },
);
