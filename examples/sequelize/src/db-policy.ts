// The database policy, shared by the app and its migrations.
import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction', // what the cluster's Pooler Settings say
  plan: 'basic',
  fleet: { app: { machines: 2, poolSize: 10 }, worker: { machines: 1, poolSize: 4 } },
});
