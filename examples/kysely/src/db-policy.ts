// The database policy, shared by the app and its migrations (in an organisation: a template package).
import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction', // what the cluster's Pooler Settings say
  plan: 'basic',
  fleet: { app: { machines: 2, poolSize: 10 }, worker: { machines: 1, poolSize: 5 } },
  deploy: 'rolling',
});
