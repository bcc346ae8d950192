// The database policy, shared by the app, its migrations and its knexfile.
import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction', // what the cluster's Pooler Settings say
  plan: 'basic',
  fleet: { app: { machines: 2, poolSize: 10 } },
});
