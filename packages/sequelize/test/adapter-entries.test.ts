import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('sequelize', () => import('@mpgkit/sequelize'));
