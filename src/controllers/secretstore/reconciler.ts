// The store validation loop (eso-reference.md §11.6), one reconciler for
// SecretStore and ClusterSecretStore:
//   1. skip stores of another controller class (`spec.controller`);
//   2. find the provider (a key Ferry does not implement is a status, not a crash);
//   3. static checks (`validateStore`);
//   4. `newClient` (namespace = the store's for a SecretStore, "" for a
//      ClusterSecretStore) and `validate()`; the client is closed after;
//   5. write Ready (+ capabilities when valid) with a status merge-patch,
//      only when something changed;
//   6. events, metrics, and a requeue after `spec.refreshInterval`
//      (or `--store-requeue-interval`) ±10 %.
// Failures that may be transient (client creation, validation) are thrown
// after the status is written, so the workqueue retries with backoff, as ESO
// does; configuration errors wait for the next spec change or refresh.
import {
  ANNOTATION_IGNORE_MAINTENANCE_CHECKS,
  SecretStoreMessage,
  SecretStoreReason,
  type SecretStoreSpec,
} from "../../api/index.ts";
import type { GenericStore } from "../../esutils/store.ts";
import type { Ctx, Provider, SecretsClient } from "../../providers/provider.ts";
import {
  isNotFound,
  type EventRecorder,
  type KubeObject,
  type ObjectReference,
  type ReconcileContext,
  type Reconciler,
  type Reader,
  type Request,
  type Result,
} from "../../runtime/index.ts";
import { isOwnClass, jitter, type ControllerDeps } from "../common/deps.ts";
import type { StoreKindConfig } from "./kinds.ts";
import type { StoreMetrics } from "./metrics.ts";
import {
  desiredStatus,
  readyChanged,
  refreshIntervalMs,
  statusChanged,
  type ReadyState,
  type StoreStatus,
} from "./status.ts";

/** A SecretStore or ClusterSecretStore as it comes from the apiserver. */
export interface StoreObject extends KubeObject {
  spec?: SecretStoreSpec;
  status?: StoreStatus;
}

interface Warning {
  readonly reason: string;
  readonly message: string;
}

/** What validating the store concluded. */
interface Verdict extends ReadyState {
  /** Warning events of this reconcile (emitted every time, the recorder aggregates them). */
  readonly warnings: readonly Warning[];
  /** A possibly transient failure: rethrown after the status is written, for backoff. */
  readonly retry?: Error;
  readonly provider?: Provider;
}

export const MaintenanceMessage = {
  NotMaintained: "store isn't currently maintained. Please plan and prepare accordingly.",
  Deprecated:
    "store is deprecated and will be removed on the next minor release. Please plan and prepare accordingly.",
} as const;

export interface StoreReconcilerOptions {
  readonly kind: StoreKindConfig;
  readonly deps: ControllerDeps;
  /** The informer cache of the store kind. */
  readonly cache: Reader<StoreObject>;
  readonly metrics?: StoreMetrics;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Ready=False InvalidProviderConfig; `cause` set ⇒ retried with backoff. */
function invalid(message: string, cause?: unknown): Verdict {
  return {
    ready: false,
    reason: SecretStoreReason.InvalidProviderConfig,
    message,
    warnings: [{ reason: SecretStoreReason.InvalidProviderConfig, message }],
    ...(cause === undefined ? {} : { retry: new Error(message, { cause }) }),
  };
}

export class StoreReconciler implements Reconciler {
  readonly #kind: StoreKindConfig;
  readonly #deps: ControllerDeps;
  readonly #cache: Reader<StoreObject>;
  readonly #metrics: StoreMetrics | undefined;
  readonly #recorder: EventRecorder;

  constructor(options: StoreReconcilerOptions) {
    this.#kind = options.kind;
    this.#deps = options.deps;
    this.#cache = options.cache;
    this.#metrics = options.metrics;
    this.#recorder = options.deps.recorderFor(options.kind.recorderName);
  }

  async reconcile(ctx: ReconcileContext, req: Request): Promise<Result> {
    const obj = this.#cache.get(req.namespace, req.name);
    if (obj === undefined || obj.metadata?.deletionTimestamp !== undefined) {
      this.#metrics?.forget(req);
      return {};
    }
    if (!isOwnClass(this.#deps, obj.spec?.controller)) {
      ctx.log.debug("skipping a store of another controller class", {
        class: obj.spec?.controller,
      });
      this.#metrics?.forget(req);
      return {};
    }
    return this.#reconcileStore(ctx, req, obj);
  }

  async #reconcileStore(ctx: ReconcileContext, req: Request, obj: StoreObject): Promise<Result> {
    const started = performance.now();
    const verdict = await this.#validate(ctx, obj);
    const desired = desiredStatus(obj.status, verdict, this.#deps.now());
    if (statusChanged(obj.status, desired)) await this.#writeStatus(ctx, obj, desired);
    this.#emit(obj, verdict, readyChanged(obj.status, desired));
    this.#metrics?.observe(req, verdict.ready, performance.now() - started);
    if (verdict.retry !== undefined) throw verdict.retry;
    const interval = refreshIntervalMs(
      obj.spec?.refreshInterval,
      this.#deps.storeRequeueIntervalMs,
    );
    return { requeueAfter: jitter(interval, () => this.#deps.random()) };
  }

  async #validate(ctx: ReconcileContext, obj: StoreObject): Promise<Verdict> {
    const spec = obj.spec;
    if (spec === undefined) return invalid(`${SecretStoreMessage.clientFailed}: spec is missing`);
    const store = this.#generic(obj, spec);
    let provider: Provider;
    try {
      provider = this.#deps.registry.forStore(store);
    } catch (err) {
      // Not implemented in Ferry, or not exactly one provider key.
      return invalid(`${SecretStoreMessage.clientFailed}: ${errorMessage(err)}`);
    }
    try {
      const { warnings } = provider.validateStore(store);
      for (const w of warnings) ctx.log.info("store configuration warning", { warning: w });
    } catch (err) {
      return invalid(errorMessage(err));
    }
    const pctx: Ctx = { signal: ctx.signal, log: ctx.log };
    let client: SecretsClient;
    try {
      const namespace = this.#kind.resource.namespaced ? (obj.metadata?.namespace ?? "") : "";
      client = await provider.newClient(pctx, store, this.#deps.kube, namespace);
    } catch (err) {
      return invalid(`${SecretStoreMessage.clientFailed}: ${errorMessage(err)}`, err);
    }
    try {
      return { ...(await this.#check(pctx, client, provider)), provider };
    } finally {
      await client.close().catch((err: unknown) => {
        ctx.log.debug("closing the provider client failed", { err });
      });
    }
  }

  async #check(pctx: Ctx, client: SecretsClient, provider: Provider): Promise<Verdict> {
    let result;
    try {
      result = await client.validate(pctx);
    } catch (err) {
      return invalid(`${SecretStoreMessage.validateFailed}: ${errorMessage(err)}`, err);
    }
    switch (result) {
      case "Error":
        return invalid(SecretStoreMessage.validateFailed, result);
      case "Unknown":
        return {
          ready: true,
          reason: SecretStoreReason.ValidationUnknown,
          message: SecretStoreMessage.unknown,
          warnings: [
            { reason: SecretStoreReason.ValidationUnknown, message: SecretStoreMessage.unknown },
          ],
        };
      case "Ready":
        return {
          ready: true,
          reason: SecretStoreReason.Valid,
          message: SecretStoreMessage.validated,
          capabilities: provider.capabilities,
          warnings: [],
        };
    }
  }

  #generic(obj: StoreObject, spec: SecretStoreSpec): GenericStore {
    const meta = obj.metadata ?? {};
    return {
      kind: this.#kind.kind,
      metadata: {
        name: meta.name ?? "",
        namespace: this.#kind.resource.namespaced ? meta.namespace : undefined,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
        generation: meta.generation,
      },
      spec,
    };
  }

  async #writeStatus(ctx: ReconcileContext, obj: StoreObject, status: StoreStatus): Promise<void> {
    const name = obj.metadata?.name ?? "";
    const namespace = obj.metadata?.namespace;
    try {
      await this.#deps.client.patchStatus(
        this.#kind.resource,
        name,
        { status },
        namespace === undefined ? { signal: ctx.signal } : { namespace, signal: ctx.signal },
      );
    } catch (err) {
      // Deleted meanwhile: nothing to report on (ESO skips the patch too).
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /**
   * Warning events on every reconcile that has them. The Normal `Valid`
   * event and the maintenance warnings are emitted only when the Ready
   * condition changes: ESO emits them on every successful reconcile (one
   * Event write per store per refresh interval); Ferry saves those writes.
   */
  #emit(obj: StoreObject, verdict: Verdict, changed: boolean): void {
    const ref = this.#reference(obj);
    for (const w of verdict.warnings) this.#recorder.event(ref, "Warning", w.reason, w.message);
    if (!changed || verdict.reason !== SecretStoreReason.Valid) return;
    this.#maintenanceWarnings(obj, ref, verdict.provider);
    this.#recorder.event(ref, "Normal", SecretStoreReason.Valid, SecretStoreMessage.validated);
  }

  #maintenanceWarnings(obj: StoreObject, ref: ObjectReference, provider?: Provider): void {
    if (obj.metadata?.annotations?.[ANNOTATION_IGNORE_MAINTENANCE_CHECKS] === "true") return;
    if (provider?.maintenance === "NotMaintained") {
      this.#recorder.event(
        ref,
        "Warning",
        SecretStoreReason.StoreUnmaintained,
        MaintenanceMessage.NotMaintained,
      );
    } else if (provider?.maintenance === "Deprecated") {
      this.#recorder.event(
        ref,
        "Warning",
        SecretStoreReason.StoreDeprecated,
        MaintenanceMessage.Deprecated,
      );
    }
  }

  #reference(obj: StoreObject): ObjectReference {
    const meta = obj.metadata ?? {};
    return {
      apiVersion: this.#kind.apiVersion,
      kind: this.#kind.kind,
      name: meta.name ?? "",
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    };
  }
}
