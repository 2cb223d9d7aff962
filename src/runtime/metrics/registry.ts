// The runtime's own Prometheus registry (never prom-client's global default):
// each Manager owns one, and controllers register their metrics on it.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export { Counter, Gauge, Histogram, Registry };
export type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

export function createRegistry(): Registry {
  return new Registry();
}

/**
 * prom-client's process and Node.js metrics (process_resident_memory_bytes,
 * nodejs_heap_size_used_bytes, nodejs_eventloop_lag_seconds, GC durations…)
 * on `registry`: what go_* and process_* are for ESO's dashboards.
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}

/**
 * controller-runtime's reconcile_time_seconds buckets (seconds), so that
 * dashboards built for ESO keep their resolution.
 */
export const RECONCILE_TIME_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
  1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** client-go's workqueue duration buckets: 10 ns × 10^i for i in 0..11. */
export const WORKQUEUE_DURATION_BUCKETS: readonly number[] = Array.from(
  { length: 12 },
  (_, i) => 1e-8 * 10 ** i,
);
