import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('kysely', () => import('@mpgkit/kysely'));
