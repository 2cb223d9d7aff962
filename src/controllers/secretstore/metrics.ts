// ESO's store metrics (eso-reference.md §11.9), without a namespace prefix:
//   secretstore_status_condition{name,namespace,condition,status}        1/0
//   secretstore_reconcile_duration{name,namespace}                       ns
//   clustersecretstore_status_condition{name,condition,status}           1/0
//   clustersecretstore_reconcile_duration{name}                          ns
// Both status label values of the Ready condition are set (the current
// one 1, the other 0), and a store's series go away with the store.
import { CONDITION_READY } from "../../api/index.ts";
import { Gauge, type Registry, type Request } from "../../runtime/index.ts";
import type { StoreKindConfig } from "./kinds.ts";

type Labels = Record<string, string>;

function gauge(registry: Registry, name: string, help: string, labelNames: string[]): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, labelNames, registers: [registry] });
}

export class StoreMetrics {
  readonly #namespaced: boolean;
  readonly #condition: Gauge;
  readonly #duration: Gauge;

  constructor(registry: Registry, kind: StoreKindConfig) {
    this.#namespaced = kind.resource.namespaced;
    const base = this.#namespaced ? ["name", "namespace"] : ["name"];
    this.#condition = gauge(
      registry,
      `${kind.metricsPrefix}_status_condition`,
      `The status condition of a specific ${kind.kind}`,
      [...base, "condition", "status"],
    );
    this.#duration = gauge(
      registry,
      `${kind.metricsPrefix}_reconcile_duration`,
      `The duration time to reconcile the ${kind.kind}`,
      base,
    );
  }

  /** After a reconcile that reached a verdict. */
  observe(req: Request, ready: boolean, durationMs: number): void {
    const base = this.#base(req);
    this.#condition.set({ ...base, condition: CONDITION_READY, status: "True" }, ready ? 1 : 0);
    this.#condition.set({ ...base, condition: CONDITION_READY, status: "False" }, ready ? 0 : 1);
    this.#duration.set(base, durationMs * 1e6);
  }

  /** The store is gone (or no longer ours). */
  forget(req: Request): void {
    const base = this.#base(req);
    this.#condition.remove({ ...base, condition: CONDITION_READY, status: "True" });
    this.#condition.remove({ ...base, condition: CONDITION_READY, status: "False" });
    this.#duration.remove(base);
  }

  #base(req: Request): Labels {
    return this.#namespaced ? { name: req.name, namespace: req.namespace } : { name: req.name };
  }
}
