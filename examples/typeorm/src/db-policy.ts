import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction',
  plan: 'starter',
  fleet: { app: { machines: 2, poolSize: 8 } },
});
