import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('drizzle', () => import('@mpgkit/drizzle/node-postgres'));
describeAdapterEntries('drizzle-postgres-js', () => import('@mpgkit/drizzle/postgres-js'));
