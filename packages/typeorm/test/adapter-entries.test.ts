import { describeAdapterEntries } from '@mpgkit/test-infra/conformance';

describeAdapterEntries('typeorm', () => import('@mpgkit/typeorm'));
