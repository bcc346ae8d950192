import { defineDatabase } from '@mpgkit/core';

export const policy = defineDatabase({
  poolMode: 'transaction',
  plan: 'launch',
  fleet: { app: { machines: 3, poolSize: 10 } },
  deploy: 'bluegreen',
});
