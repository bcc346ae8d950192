// @acme/db-policy: the platform team's template. Every app on Acme's MPG clusters extends it with its own
// fleet and share; a safety setting can only be made stricter by an app (a looser one is a typed error that
// names this template and the field).
import { defineTemplate } from '@mpgkit/core';

export const acme = defineTemplate('@acme/db-policy', {
  poolMode: 'transaction', // the clusters' Pooler Settings; named prepared statements stay off
  plan: 'basic',
  lifetimeJitter: 0.1, // apps may spread reconnects more, never less
  idleTimeoutSeconds: 300,
  budgetCheck: 'throw', // an app over its share does not start
});
