import { fileURLToPath } from 'node:url';
import { describeConformance } from '../src/conformance/index.ts';

// The first subject: a plain pg Pool built from a core Policy (createPgPool).
describeConformance({
  name: 'pg Pool from a core Policy',
  module: fileURLToPath(new URL('../src/conformance/subjects/policy-pg-pool.ts', import.meta.url)),
});
