import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

describeConformance({
  name: 'Prisma 7 (adapter-pg)',
  module: fileURLToPath(new URL('./prisma7-subject.ts', import.meta.url)),
});
