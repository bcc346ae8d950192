// Metrics the way Fly apps export them: a Prometheus endpoint that Fly scrapes, declared in fly.toml's
// [metrics] section (port 9091, path /metrics). OpenTelemetry's Prometheus exporter serves it; the meter
// provider is registered globally before the policy is built (src/serve.ts imports this module first), so the
// pools mpgkit builds report to it.
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const exporter = new PrometheusExporter({ port: Number(process.env.METRICS_PORT ?? 9091) });
export const meterProvider = new MeterProvider({ readers: [exporter] });
metrics.setGlobalMeterProvider(meterProvider);
