import { fileURLToPath } from 'node:url';
import { describeConformance } from '@mpgkit/test-infra/conformance';

// Both drivers, both pool modes, including Drizzle's `.prepare()` (scenario 2b).
describeConformance(
  {
    name: 'Drizzle + node-postgres',
    module: fileURLToPath(new URL('./node-postgres-subject.ts', import.meta.url)),
  },
  { prepared: true },
);
describeConformance(
  {
    name: 'Drizzle + postgres.js',
    module: fileURLToPath(new URL('./postgres-js-subject.ts', import.meta.url)),
  },
  {
    prepared: true,
    // postgres 3.4.9 writes to a socket its close handler already nulled, from a setImmediate, so no caller
    // can catch it (src/connection.js nextWrite; porsager/postgres#1066, #1154, #1208, fix PR #1168 open).
    // Measured: 4 of 10 PostgreSQL restarts under load, and as often when backends are terminated (a wrong
    // password terminates them too). The fault scenarios accept that crash and no other.
    poolNotMeasured: 'postgres.js exposes neither pool events nor counts (postgres 3.4.9 src/index.js)',
    knownFaultCrash: {
      crash: /connection\.js:\d+.*socket\.write|reading 'write'/,
      upstream: 'porsager/postgres#1208',
    },
  },
);
