import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

// Both drivers, both pool modes, including Drizzle's `.prepare()` (scenario 2b).
describeConformance(
  {
    name: 'Drizzle + node-postgres',
    module: fileURLToPath(new URL('./node-postgres-subject.ts', import.meta.url)),
  },
  { prepared: true },
);
describeConformance(
  {
    name: 'Drizzle + postgres.js',
    module: fileURLToPath(new URL('./postgres-js-subject.ts', import.meta.url)),
  },
  { prepared: true },
);
