import { fileURLToPath } from 'node:url';
import { describeDefaultsControl } from '@mpgkit/test-infra/conformance';

// Prisma 7's pool (adapter-pg's pg Pool) has no max connection lifetime by default: its defaults, beside the
// adapter, in the same run.
describeDefaultsControl(
  { name: 'Prisma 7', module: fileURLToPath(new URL('./prisma7-subject.ts', import.meta.url)) },
  {
    name: 'Prisma 7 with adapter-pg defaults',
    module: fileURLToPath(new URL('./prisma7-defaults-subject.ts', import.meta.url)),
  },
);
