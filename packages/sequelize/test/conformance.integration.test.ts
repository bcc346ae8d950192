import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

describeConformance({
  name: 'Sequelize',
  module: fileURLToPath(new URL('./sequelize-subject.ts', import.meta.url)),
});
