// ESO's ExternalSecret metrics (eso-reference.md §11.9), so existing
// dashboards work:
//   externalsecret_sync_calls_total{name,namespace}           counter
//   externalsecret_sync_calls_error{name,namespace}           counter
//   externalsecret_status_condition{name,namespace,condition,status}  1/0
//   externalsecret_reconcile_duration{name,namespace}         ns (gauge)
import { CONDITION_READY } from "../../api/index.ts";
import { Counter, Gauge, type Registry } from "../../runtime/index.ts";
import type { EsView } from "./es-view.ts";
import type { SyncMetrics } from "./reconciler.ts";
import type { ReadyCondition } from "./status.ts";

function metric<T extends Counter | Gauge>(registry: Registry, make: () => T, name: string): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export class ExternalSecretMetrics implements SyncMetrics {
  readonly #calls: Counter;
  readonly #errors: Counter;
  readonly #condition: Gauge;
  readonly #duration: Gauge;

  constructor(registry: Registry) {
    const base = ["name", "namespace"];
    const registers = [registry];
    this.#calls = metric(
      registry,
      () =>
        new Counter({
          name: "externalsecret_sync_calls_total",
          help: "Total number of the External Secret sync calls",
          labelNames: base,
          registers,
        }),
      "externalsecret_sync_calls_total",
    );
    this.#errors = metric(
      registry,
      () =>
        new Counter({
          name: "externalsecret_sync_calls_error",
          help: "Total number of the External Secret sync errors",
          labelNames: base,
          registers,
        }),
      "externalsecret_sync_calls_error",
    );
    this.#condition = metric(
      registry,
      () =>
        new Gauge({
          name: "externalsecret_status_condition",
          help: "The status condition of a specific External Secret",
          labelNames: [...base, "condition", "status"],
          registers,
        }),
      "externalsecret_status_condition",
    );
    this.#duration = metric(
      registry,
      () =>
        new Gauge({
          name: "externalsecret_reconcile_duration",
          help: "The duration time to reconcile the External Secret",
          labelNames: base,
          registers,
        }),
      "externalsecret_reconcile_duration",
    );
  }

  syncCall(es: EsView): void {
    this.#calls.inc({ name: es.name, namespace: es.namespace });
  }

  syncError(es: EsView): void {
    this.#errors.inc({ name: es.name, namespace: es.namespace });
  }

  condition(es: EsView, ready: ReadyCondition): void {
    const base = { name: es.name, namespace: es.namespace, condition: CONDITION_READY };
    this.#condition.set({ ...base, status: "True" }, ready.status === "True" ? 1 : 0);
    this.#condition.set({ ...base, status: "False" }, ready.status === "True" ? 0 : 1);
  }

  duration(es: EsView, ms: number): void {
    this.#duration.set({ name: es.name, namespace: es.namespace }, ms * 1e6);
  }

  forget(namespace: string, name: string): void {
    for (const status of ["True", "False"])
      this.#condition.remove({ name, namespace, condition: CONDITION_READY, status });
    this.#duration.remove({ name, namespace });
    this.#calls.remove({ name, namespace });
    this.#errors.remove({ name, namespace });
  }
}
