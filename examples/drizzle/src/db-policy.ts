import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction',
  plan: 'basic',
  fleet: { app: { machines: 2, poolSize: 10 } },
});
