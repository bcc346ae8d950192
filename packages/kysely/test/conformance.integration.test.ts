import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

describeConformance({
  name: 'Kysely',
  module: fileURLToPath(new URL('./kysely-subject.ts', import.meta.url)),
});
