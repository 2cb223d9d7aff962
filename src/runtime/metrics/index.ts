export {
  Counter,
  Gauge,
  Histogram,
  RECONCILE_TIME_BUCKETS,
  Registry,
  WORKQUEUE_DURATION_BUCKETS,
  collectProcessMetrics,
  createRegistry,
} from "./registry.ts";
export type {
  CounterConfiguration,
  GaugeConfiguration,
  HistogramConfiguration,
} from "./registry.ts";
export {
  ControllerMetrics,
  LeaderElectionMetrics,
  RECONCILE_RESULTS,
  RuntimeMetrics,
  WorkqueueMetrics,
} from "./runtime-metrics.ts";
export type { QueueProbe, ReconcileResultLabel } from "./runtime-metrics.ts";
