// ESO's ClusterExternalSecret metrics (eso-reference.md §11.9), no prefix:
//   clusterexternalsecret_status_condition{name,namespace,condition,status}  1/0
//   clusterexternalsecret_reconcile_duration{name,namespace}                 ns
// ESO labels these with `namespace` too, which is always "" for this
// cluster-scoped kind. Both status values of the Ready condition are set
// (the current one 1, the other 0) and a ClusterExternalSecret's series go
// away with it.
import { CONDITION_READY } from "../../api/index.ts";
import { Gauge, type Registry } from "../../runtime/index.ts";

function gauge(registry: Registry, name: string, help: string, labelNames: string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

export interface CesMetrics {
  condition(name: string, ready: boolean): void;
  duration(name: string, ms: number): void;
  forget(name: string): void;
}

export class ClusterExternalSecretMetrics implements CesMetrics {
  readonly #condition: Gauge;
  readonly #duration: Gauge;

  constructor(registry: Registry) {
    this.#condition = gauge(
      registry,
      "clusterexternalsecret_status_condition",
      "The status condition of a specific Cluster External Secret",
      ["name", "namespace", "condition", "status"],
    );
    this.#duration = gauge(
      registry,
      "clusterexternalsecret_reconcile_duration",
      "The duration time to reconcile the Cluster External Secret",
      ["name", "namespace"],
    );
  }

  condition(name: string, ready: boolean): void {
    const base = { name, namespace: "", condition: CONDITION_READY };
    this.#condition.set({ ...base, status: "True" }, ready ? 1 : 0);
    this.#condition.set({ ...base, status: "False" }, ready ? 0 : 1);
  }

  duration(name: string, ms: number): void {
    this.#duration.set({ name, namespace: "" }, ms * 1e6);
  }

  forget(name: string): void {
    for (const status of ["True", "False"])
      this.#condition.remove({ name, namespace: "", condition: CONDITION_READY, status });
    this.#duration.remove({ name, namespace: "" });
  }
}
