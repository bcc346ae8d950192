import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

describeConformance({
  name: 'TypeORM',
  module: fileURLToPath(new URL('./typeorm-subject.ts', import.meta.url)),
});
