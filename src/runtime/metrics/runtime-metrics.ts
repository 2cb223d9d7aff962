// controller-runtime-equivalent metrics: the same names and labels as the Go
// controller-runtime exports, so ESO dashboards and alerts keep working.
// Every series a controller or queue can produce is created with a zero value
// on registration, so rate() and absent() behave from the first scrape.
import {
  Counter,
  Gauge,
  Histogram,
  RECONCILE_TIME_BUCKETS,
  WORKQUEUE_DURATION_BUCKETS,
  type Registry,
} from "./registry.ts";

export const RECONCILE_RESULTS = ["success", "error", "requeue", "requeue_after"] as const;
export type ReconcileResultLabel = (typeof RECONCILE_RESULTS)[number];

/** Live values read at scrape time from a work queue. */
export interface QueueProbe {
  /** Seconds of work in progress that has not finished yet (summed over items). */
  unfinishedWorkSeconds(): number;
  /** Seconds the longest-running item has been processed. */
  longestRunningProcessorSeconds(): number;
}

type ControllerLabel = "controller";
type QueueLabel = "controller" | "name";

export class ControllerMetrics {
  readonly reconcileTotal: Counter<"controller" | "result">;
  readonly reconcileErrors: Counter<ControllerLabel>;
  readonly terminalReconcileErrors: Counter<ControllerLabel>;
  readonly reconcilePanics: Counter<ControllerLabel>;
  readonly reconcileTime: Histogram<ControllerLabel>;
  readonly maxConcurrentReconciles: Gauge<ControllerLabel>;
  readonly activeWorkers: Gauge<ControllerLabel>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers,
    });
    this.reconcileErrors = counter(
      registry,
      "controller_runtime_reconcile_errors_total",
      "Total number of reconciliation errors per controller",
    );
    this.terminalReconcileErrors = counter(
      registry,
      "controller_runtime_terminal_reconcile_errors_total",
      "Total number of terminal reconciliation errors per controller",
    );
    this.reconcilePanics = counter(
      registry,
      "controller_runtime_reconcile_panics_total",
      "Total number of reconciliation panics per controller",
    );
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: [...RECONCILE_TIME_BUCKETS],
      registers,
    });
    this.maxConcurrentReconciles = gauge(
      registry,
      "controller_runtime_max_concurrent_reconciles",
      "Maximum number of concurrent reconciles per controller",
    );
    this.activeWorkers = gauge(
      registry,
      "controller_runtime_active_workers",
      "Number of currently used workers per controller",
    );
  }

  /** Creates every series of `controller` with zeros. */
  seed(controller: string, maxConcurrent: number): void {
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.reconcilePanics.inc({ controller }, 0);
    this.reconcileTime.zero({ controller });
    this.maxConcurrentReconciles.set({ controller }, maxConcurrent);
    this.activeWorkers.set({ controller }, 0);
  }
}

export class WorkqueueMetrics {
  readonly depth: Gauge<QueueLabel>;
  readonly adds: Counter<QueueLabel>;
  readonly queueDuration: Histogram<QueueLabel>;
  readonly workDuration: Histogram<QueueLabel>;
  readonly retries: Counter<QueueLabel>;
  readonly #probes = new Map<string, QueueProbe>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames: QueueLabel[] = ["controller", "name"];
    this.depth = new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames,
      registers,
    });
    this.adds = new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames,
      registers,
    });
    this.queueDuration = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames,
      buckets: [...WORKQUEUE_DURATION_BUCKETS],
      registers,
    });
    this.workDuration = new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes",
      labelNames,
      buckets: [...WORKQUEUE_DURATION_BUCKETS],
      registers,
    });
    this.retries = new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames,
      registers,
    });
    const probes = this.#probes;
    new Gauge({
      name: "workqueue_unfinished_work_seconds",
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
      labelNames,
      registers,
      collect() {
        for (const [name, probe] of probes)
          this.set({ controller: name, name }, probe.unfinishedWorkSeconds());
      },
    });
    new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running.",
      labelNames,
      registers,
      collect() {
        for (const [name, probe] of probes)
          this.set({ controller: name, name }, probe.longestRunningProcessorSeconds());
      },
    });
  }

  /** Creates every series of queue `name` with zeros and attaches its live probe. */
  seed(name: string, probe: QueueProbe): void {
    const labels = { controller: name, name };
    this.depth.set(labels, 0);
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    this.queueDuration.zero(labels);
    this.workDuration.zero(labels);
    this.#probes.set(name, probe);
  }
}

export class LeaderElectionMetrics {
  readonly masterStatus: Gauge<"name">;

  constructor(registry: Registry) {
    this.masterStatus = gauge2(registry);
  }

  seed(name: string): void {
    this.masterStatus.set({ name }, 0);
  }
}

/** All runtime metrics on one registry; create once per registry. */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly controller: ControllerMetrics;
  readonly workqueue: WorkqueueMetrics;
  readonly leaderElection: LeaderElectionMetrics;

  constructor(registry: Registry) {
    this.registry = registry;
    this.controller = new ControllerMetrics(registry);
    this.workqueue = new WorkqueueMetrics(registry);
    this.leaderElection = new LeaderElectionMetrics(registry);
  }
}

function counter(registry: Registry, name: string, help: string): Counter<ControllerLabel> {
  return new Counter({ name, help, labelNames: ["controller"], registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string): Gauge<ControllerLabel> {
  return new Gauge({ name, help, labelNames: ["controller"], registers: [registry] });
}

function gauge2(registry: Registry): Gauge<"name"> {
  return new Gauge({
    name: "leader_election_master_status",
    help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
    labelNames: ["name"],
    registers: [registry],
  });
}
