import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('prisma', () => import('@mpgkit/prisma'));
