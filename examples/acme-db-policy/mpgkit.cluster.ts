// The cluster the Kysely and Drizzle example apps share. `pnpm check` here (CI runs it) checks both apps'
// fleets, read from their own policy modules and fly.toml, against this one plan. Paths are relative to
// this file; add `scale: '<app>/scale.json'` (from `fly scale show --json`) for the running machine counts.
import { defineCluster } from 'mpgkit';

export const cluster = defineCluster({
  name: 'acme-examples',
  plan: 'basic',
  poolMode: 'transaction',
  apps: {
    'mpgkit-example-kysely': { policy: '../kysely/src/db-policy.ts', flyToml: '../kysely/fly.toml' },
    'mpgkit-example-drizzle': { policy: '../drizzle/src/db-policy.ts', flyToml: '../drizzle/fly.toml' },
  },
});
