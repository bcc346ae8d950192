import type { MeterLike } from '@mpgkit/core/adapter';
import type { MetricPoint } from './load-protocol.ts';

/**
 * A meter of the real OpenTelemetry SDK whose reader collects when asked (no export interval), and the points it
 * collected: a sum's value, or a histogram's count of recordings.
 *
 * @example
 * ```ts
 * const { meter, collect } = await onDemandMeter();
 * const policy = defineDatabase({ meter });
 * const points = await collect();
 * ```
 */
export async function onDemandMeter(): Promise<{
  meter: MeterLike;
  collect(): Promise<MetricPoint[]>;
  shutdown(): Promise<void>;
}> {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  class OnDemandReader extends MetricReader {
    protected override async onShutdown(): Promise<void> {}
    protected override async onForceFlush(): Promise<void> {}
  }
  const reader = new OnDemandReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('mpgkit-conformance'),
    async collect() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) =>
          metric.dataPoints.map((point) => ({
            name: metric.descriptor.name,
            unit: metric.descriptor.unit,
            attributes: { ...point.attributes },
            value: typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
          })),
        ),
      );
    },
    shutdown: () => provider.shutdown(),
  };
}

/**
 * The sum of the points of a metric whose attributes include the given ones.
 *
 * @example
 * ```ts
 * sumOf(points, 'db.client.connection.count', { 'db.client.connection.state': 'idle' });
 * ```
 */
export function sumOf(points: MetricPoint[], name: string, attributes: Record<string, unknown> = {}): number {
  return points
    .filter(
      (point) =>
        point.name === name &&
        Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
    )
    .reduce((total, point) => total + point.value, 0);
}

/** OpenTelemetry's units for the pool metrics (semantic-conventions docs/database/database-metrics.md). */
export const CONVENTION_UNITS = {
  'db.client.connection.count': '{connection}',
  'db.client.connection.limit': '{connection}',
  'db.client.connection.idle.max': '{connection}',
  'db.client.connection.idle.min': '{connection}',
  'db.client.connection.pending_requests': '{request}',
  'db.client.connection.create_time': 's',
  'db.client.connection.wait_time': 's',
  'db.client.connection.use_time': 's',
};
