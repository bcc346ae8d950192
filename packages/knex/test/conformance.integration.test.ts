import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

describeConformance({
  name: 'Knex',
  module: fileURLToPath(new URL('./knex-subject.ts', import.meta.url)),
});
