// The database policy, shared by the app and its migrations. It extends the organisation's template
// (examples/acme-db-policy): the pool mode, plan and safety settings come from there; the fleet and this
// app's share of the cluster it shares with the Drizzle example are the app's own.
import { acme } from '@acme/db-policy';
import { metrics } from '@opentelemetry/api';

export const policy = acme.defineDatabase({
  fleet: { app: { machines: 2, poolSize: 10 }, worker: { machines: 1, poolSize: 5 } },
  budgetShare: 120, // of the cluster's 200 client connections (examples/acme-db-policy/mpgkit.cluster.ts)
  // The pools report OpenTelemetry's pool metrics to the global meter provider: src/serve.ts registers one
  // (a Prometheus endpoint); without one (migrations, src/main.ts) the meter does nothing.
  meter: metrics.getMeter('mpgkit-example-kysely'),
});
