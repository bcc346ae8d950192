import { fileURLToPath } from 'node:url';
import { describeConformance } from '../src/conformance/index.ts';

// The first subject: a plain pg Pool built from a core Policy (createPgPool).
// `prepared`: named queries too, which createPgPool sends unnamed in transaction mode.
describeConformance(
  {
    name: 'pg Pool from a core Policy',
    module: fileURLToPath(new URL('../src/conformance/subjects/policy-pg-pool.ts', import.meta.url)),
  },
  { prepared: true },
);
