import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('knex', () => import('@mpgkit/knex'));
