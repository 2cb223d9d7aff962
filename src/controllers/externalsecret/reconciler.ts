// The ExternalSecret reconciler (eso-reference.md §11.1). Level-based: every
// call reads the ExternalSecret from the cache, decides whether the data
// must be fetched again, fetches, computes the Secret it wants and writes it
// only when something changed. A failure never touches the existing Secret:
// it goes to the Ready condition and a Warning Event, and the key is retried
// with backoff.
import type { ExternalSecretStatus, SecretStoreRef } from "../../api/index.ts";
import {
  ExternalSecretMessage,
  ExternalSecretReason,
  FINALIZER_EXTERNAL_SECRET,
} from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import type { TransformRenderer } from "../../esutils/rewrite.ts";
import type { Ctx } from "../../providers/provider.ts";
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  TerminalError,
  type KubeClient,
  type ReconcileContext,
  type Reconciler,
  type Reader,
  type Request,
  type Result,
} from "../../runtime/index.ts";
import type { ClientManager } from "../common/client-manager.ts";
import { viewOf, type EsView, type ExternalSecretObject as ExternalSecret } from "./es-view.ts";
import { fetchProviderData, type FetchEvent, type SecretMap } from "./fetch.ts";
import { GenericTargets, type SyncHost } from "./generic-sync.ts";
import { isGenericTarget } from "./generic-target.ts";
import { currentResourceVersion, shouldRefresh, timeUntilRefresh } from "./refresh.ts";
import { EXTERNAL_SECRETS } from "./resources.ts";
import { kubeTime, readyOf, statusChanged, withReady, type ReadyCondition } from "./status.ts";
import { desiredSecret, isValidTarget, TargetError, type WireSecret } from "./target.ts";
import { loadTemplateSources, templateApplier, type Delimiters } from "./template.ts";
import { specProblem } from "./validate.ts";
import { TargetWriter, type ManagedSecretIndex, type WriteOutcome } from "./writer.ts";

export interface EventSink {
  emit(es: ExternalSecret, type: "Normal" | "Warning", reason: string, message: string): void;
}

export interface SyncMetrics {
  syncCall(es: EsView): void;
  syncError(es: EsView): void;
  condition(es: EsView, ready: ReadyCondition): void;
  duration(es: EsView, ms: number): void;
  forget(namespace: string, name: string): void;
}

export interface ExternalSecretReconcilerDeps {
  readonly client: KubeClient;
  readonly externalSecrets: Reader<ExternalSecret>;
  readonly clients: ClientManager;
  readonly events: EventSink;
  readonly metrics: SyncMetrics;
  /** What templateFrom and providers read from Kubernetes. */
  readonly kube: KubeAccess;
  readonly delimiters: Delimiters;
  readonly renderTransform: TransformRenderer;
  readonly now: () => number;
  /** "on-change" (Ferry's default): no status write for a refresh that changed nothing. */
  readonly refreshTimeMode: "always" | "on-change";
  readonly allowGenericTargets: boolean;
  /** The managed-Secret cache; without it every sync GETs its target and LISTs orphans. */
  readonly managedSecrets?: ManagedSecretIndex;
  /** Generic targets (spec.target.manifest); default: built from the other deps, without drift watches wired. */
  readonly genericTargets?: GenericTargets;
  /** Reuse a provider read younger than this fraction of the refresh interval (capped). */
  readonly random?: () => number;
}

/**
 * How old a shared provider read may be for this sync. Every read is shared
 * by the ExternalSecrets that ask for the same remote key (one read per key
 * per refresh window, performance.md): within 10% of the refresh interval,
 * at most 5 minutes, for periodic refreshes, new ExternalSecrets (thousands
 * created together read each key once) and drift repair. A sync forced by
 * an edit of the ExternalSecret (spec, labels, the force-sync annotation)
 * wants current values: it reuses only a read of the last 2 s.
 */
const FRESH_READ_MS = 2_000;

function readMaxAge(intervalMs: number, forced: boolean): number {
  if (forced || intervalMs <= 0) return FRESH_READ_MS;
  return Math.min(intervalMs / 10, 5 * 60_000);
}

/** The ExternalSecret changed since its last sync (not new: a new one has no syncedResourceVersion). */
function wasEdited(view: EsView): boolean {
  const synced = view.es.status?.syncedResourceVersion;
  return synced !== undefined && synced !== currentResourceVersion(view.es);
}

/**
 * ESO puts its cleanup finalizer on every ExternalSecret. Ferry adds it only
 * where deletion has work to do: deletionPolicy Delete, and generic targets
 * (their informers are released at deletion). With Retain an owned Secret
 * is still collected through its ownerReference, so the finalizer would cost
 * one apiserver write per ExternalSecret for nothing. One already present
 * (from ESO, or from an earlier policy) is still removed at deletion.
 */
function needsFinalizer(view: EsView): boolean {
  return view.deletionPolicy === "Delete" || view.es.spec?.target?.manifest !== undefined;
}

/** Every store reference of an ExternalSecret: its own and those of its entries. */
function storeRefs(es: ExternalSecret): SecretStoreRef[] {
  const spec = es.spec ?? {};
  const refs = [
    spec.secretStoreRef,
    ...(spec.data ?? []).map((d) => d.sourceRef?.storeRef),
    ...(spec.dataFrom ?? []).map((d) => d.sourceRef?.storeRef),
  ];
  return refs.filter((r): r is SecretStoreRef => r !== undefined);
}

export class ExternalSecretReconciler implements Reconciler {
  readonly #d: ExternalSecretReconcilerDeps;
  readonly #writer: TargetWriter;
  readonly #generic: GenericTargets;
  /** Quiet mode: when each ExternalSecret last fetched successfully. */
  readonly #lastRefresh = new Map<string, number>();
  /** Keys whose target must be read with a GET (a create met AlreadyExists). */
  readonly #readDirect = new Set<string>();

  constructor(deps: ExternalSecretReconcilerDeps) {
    this.#d = deps;
    this.#writer = new TargetWriter(deps.client, deps.managedSecrets);
    this.#generic =
      deps.genericTargets ??
      new GenericTargets({
        client: deps.client,
        kube: deps.kube,
        delimiters: deps.delimiters,
        allow: deps.allowGenericTargets,
        namespace: "",
      });
  }

  async reconcile(ctx: ReconcileContext, req: Request): Promise<Result> {
    const es = this.#d.externalSecrets.get(req.namespace, req.name);
    if (es === undefined) {
      this.#d.metrics.forget(req.namespace, req.name);
      this.#lastRefresh.delete(`${req.namespace}/${req.name}`);
      this.#readDirect.delete(`${req.namespace}/${req.name}`);
      this.#generic.release(req.namespace, req.name);
      return {};
    }
    const view = viewOf(es);
    const started = this.#d.now();
    try {
      return await this.#reconcile(ctx, view);
    } finally {
      this.#d.metrics.duration(view, this.#d.now() - started);
    }
  }

  async #reconcile(ctx: ReconcileContext, current: EsView): Promise<Result> {
    if (current.es.metadata?.deletionTimestamp !== undefined) return this.#finalize(current);
    // Carry on with the patched object after adding the finalizer: one
    // reconcile instead of two for a new ExternalSecret.
    const es =
      this.#hasFinalizer(current) || !needsFinalizer(current)
        ? current
        : viewOf(await this.#addFinalizer(current));
    if (!this.#storesAreOurs(es)) return {};
    this.#d.metrics.syncCall(es);
    const problem = specProblem(es);
    if (problem !== undefined) throw await this.#failed(es, problem, undefined, true);
    if (es.es.spec?.target?.manifest !== undefined)
      return this.#generic.sync(es, this.#host(ctx, es));
    this.#generic.release(es.namespace, es.name);
    return this.#sync(ctx, es);
  }

  #hasFinalizer(es: EsView): boolean {
    return (es.es.metadata?.finalizers ?? []).includes(FINALIZER_EXTERNAL_SECRET);
  }

  async #sync(ctx: ReconcileContext, es: EsView): Promise<Result> {
    const key = `${es.namespace}/${es.name}`;
    const now = this.#d.now();
    const state = { now, lastRefresh: this.#lastRefresh.get(key) };
    const existing = await this.#readTarget(es, key);
    const targetValid =
      es.creationPolicy === "Orphan" || es.creationPolicy === "None" || isValidTarget(existing);
    if (!shouldRefresh(es.es, state) && targetValid) return this.#requeue(es, state);
    const data = await this.#fetch(ctx, es, wasEdited(es));
    const outcome = await this.#apply(es, existing, data);
    this.#readDirect.delete(key);
    this.#lastRefresh.set(key, now);
    return this.#succeeded(es, now, outcome);
  }

  /**
   * The target Secret with its data. When the policy creates Secrets and the
   * managed-Secret cache has none of that name, the GET is skipped (it would
   * answer 404 for every new ExternalSecret): the create then succeeds, or
   * meets AlreadyExists (an unmanaged Secret of that name, or a cache lag),
   * after which this key reads with a GET until it has synced.
   */
  async #readTarget(es: EsView, key: string): Promise<WireSecret | undefined> {
    const index = this.#d.managedSecrets;
    const creates = es.creationPolicy !== "Merge" && es.creationPolicy !== "None";
    if (
      index !== undefined &&
      creates &&
      !this.#readDirect.has(key) &&
      index.get(es.namespace, es.targetName) === undefined
    ) {
      return undefined;
    }
    return this.#writer.read(es.namespace, es.targetName);
  }

  async #fetch(ctx: ReconcileContext, es: EsView, forced: boolean): Promise<SecretMap> {
    const providerCtx: Ctx = {
      signal: ctx.signal,
      log: {
        debug: (m, f) => {
          ctx.log.debug(m, f);
        },
        info: (m, f) => {
          ctx.log.debug(m, f);
        },
      },
    };
    const interval = timeUntilRefresh(es.es, { now: 0, lastRefresh: 0 }) ?? 0;
    const maxAge = readMaxAge(interval, forced);
    try {
      return await fetchProviderData(es.es.spec ?? {}, {
        ctx: providerCtx,
        clients: (ref) => this.#clientFor(providerCtx, es, ref, maxAge),
        renderTransform: this.#d.renderTransform,
        onEvent: (e: FetchEvent) => {
          this.#d.events.emit(es.es, e.type, e.reason, e.message);
        },
      });
    } catch (err) {
      throw await this.#failed(
        es,
        `${ExternalSecretMessage.getDataFailed}: ${(err as Error).message}`,
        err,
      );
    }
  }

  async #clientFor(
    ctx: Ctx,
    es: EsView,
    ref: SecretStoreRef | undefined,
    maxAge: number,
  ): ReturnType<ClientManager["client"]> {
    const store = this.#d.clients.resolveStore(ref ?? es.es.spec?.secretStoreRef, es.namespace);
    return this.#d.clients.client(ctx, store, es.namespace, maxAge);
  }

  /** Writes the Secret when needed. */
  async #apply(
    es: EsView,
    existing: WireSecret | undefined,
    data: SecretMap,
  ): Promise<WriteOutcome> {
    if (data.size === 0 && es.deletionPolicy !== "Merge") return this.#emptyData(es, existing);
    let desired: WireSecret;
    try {
      const sources = await loadTemplateSources(es.es, this.#d.kube);
      desired = desiredSecret({
        es: es.es,
        existing,
        fetched: data,
        applyTemplate: templateApplier(this.#d.delimiters, sources),
      });
    } catch (err) {
      const message =
        err instanceof TargetError
          ? err.message
          : `${ExternalSecretMessage.updateFailed}: ${(err as Error).message}`;
      throw await this.#failed(es, message, err, err instanceof TargetError);
    }
    try {
      return await this.#writer.write(es, existing, desired, (reason, message) => {
        this.#d.events.emit(es.es, "Normal", reason, message);
      });
    } catch (err) {
      // Someone else wrote the Secret between our read and our write: not a
      // failure to report, just read it again (ESO requeues conflicts too).
      if (isConflict(err) || isAlreadyExists(err)) {
        this.#readDirect.add(`${es.namespace}/${es.name}`);
        throw new Error("the target Secret changed while it was written; retrying", { cause: err });
      }
      throw await this.#failed(es, (err as Error).message, err, err instanceof TargetError);
    }
  }

  /** No data at all: Delete removes the Secret, Retain keeps it (ESO §11.1 step 9). */
  async #emptyData(es: EsView, existing: WireSecret | undefined): Promise<WriteOutcome> {
    if (es.deletionPolicy === "Retain") {
      return {
        wrote: false,
        ready: {
          status: "True",
          reason: ExternalSecretReason.SecretSynced,
          message: ExternalSecretMessage.retained,
        },
      };
    }
    if (es.creationPolicy !== "Owner") {
      throw await this.#failed(
        es,
        `${ExternalSecretMessage.deleteFailed}: deletionPolicy Delete needs creationPolicy Owner`,
        undefined,
        true,
      );
    }
    const deleted = await this.#writer.deleteIfOwned(es, existing);
    if (deleted) this.#d.events.emit(es.es, "Normal", "Deleted", ExternalSecretMessage.deleted);
    return {
      wrote: deleted,
      ready: {
        status: "True",
        reason: ExternalSecretReason.SecretDeleted,
        message: ExternalSecretMessage.deleted,
      },
    };
  }

  /**
   * Quiet mode moves refreshTime only when the data was written, the
   * condition changed or it was never set: a refresh that changed nothing
   * costs no apiserver write (ESO writes status on every refresh).
   */
  #refreshTime(es: EsView, startedAt: number, outcome: WriteOutcome): string {
    const previous = es.es.status?.refreshTime;
    const ready = readyOf(es.es);
    const conditionChanged =
      ready?.status !== outcome.ready.status || ready.reason !== outcome.ready.reason;
    const move = this.#d.refreshTimeMode === "always" || outcome.wrote || conditionChanged;
    return move || previous == null ? kubeTime(startedAt) : previous;
  }

  async #succeeded(es: EsView, startedAt: number, outcome: WriteOutcome): Promise<Result> {
    const previous = es.es.status;
    const status: ExternalSecretStatus = {
      ...previous,
      refreshTime: this.#refreshTime(es, startedAt, outcome),
      syncedResourceVersion: currentResourceVersion(es.es),
      binding: { name: es.targetName },
      conditions: withReady(previous?.conditions, outcome.ready, kubeTime(this.#d.now())),
    };
    await this.#patchStatus(es, status);
    this.#d.metrics.condition(es, outcome.ready);
    return this.#requeue(es, { now: this.#d.now(), lastRefresh: startedAt });
  }

  #requeue(es: EsView, state: { now: number; lastRefresh?: number | undefined }): Result {
    const remaining = timeUntilRefresh(es.es, state);
    if (remaining === undefined) return {};
    // Jitter spreads ExternalSecrets created together over time (no hourly herd).
    const jitter = 1 + 0.1 * (this.#d.random ?? Math.random)();
    return { requeueAfter: Math.max(1000, Math.round(remaining * jitter)) };
  }

  /** Records a failure in status and a Warning Event; returns the error to throw. */
  async #failed(es: EsView, message: string, cause: unknown, terminal = false): Promise<Error> {
    const ready: ReadyCondition = {
      status: "False",
      reason: isGenericTarget(es.es)
        ? ExternalSecretReason.ResourceSyncedError
        : ExternalSecretReason.SecretSyncedError,
      message,
    };
    this.#d.metrics.syncError(es);
    this.#d.metrics.condition(es, ready);
    this.#d.events.emit(es.es, "Warning", "UpdateFailed", message);
    const previous = es.es.status;
    await this.#patchStatus(es, {
      ...previous,
      conditions: withReady(previous?.conditions, ready, kubeTime(this.#d.now())),
    });
    return terminal ? new TerminalError(message, { cause }) : new Error(message, { cause });
  }

  async #patchStatus(es: EsView, status: ExternalSecretStatus): Promise<void> {
    if (!statusChanged(es.es.status, status)) return;
    await this.#d.client.patchStatus(
      EXTERNAL_SECRETS,
      es.name,
      { status },
      { namespace: es.namespace },
    );
  }

  /** ESO skips an ExternalSecret that uses a store of another controller class. */
  #storesAreOurs(es: EsView): boolean {
    return storeRefs(es.es).every((ref) => {
      try {
        return this.#d.clients.isOurs(this.#d.clients.resolveStore(ref, es.namespace));
      } catch {
        return true; // a missing store is not skipped: the sync reports it
      }
    });
  }

  /** What the generic-target path (generic-sync.ts) borrows from this reconciler. */
  #host(ctx: ReconcileContext, es: EsView): SyncHost {
    const key = `${es.namespace}/${es.name}`;
    return {
      lastRefresh: this.#lastRefresh.get(key),
      now: () => this.#d.now(),
      fetch: (forced) => this.#fetch(ctx, es, forced),
      failed: (message, cause, terminal) => this.#failed(es, message, cause, terminal),
      succeeded: (startedAt, outcome) => this.#succeeded(es, startedAt, outcome),
      requeue: (state) => this.#requeue(es, state),
      refreshed: (at) => {
        this.#lastRefresh.set(key, at);
      },
      emit: (type, reason, message) => {
        this.#d.events.emit(es.es, type, reason, message);
      },
      syncSecret: () => this.#sync(ctx, es),
    };
  }

  async #addFinalizer(es: EsView): Promise<ExternalSecret> {
    const finalizers = [...(es.es.metadata?.finalizers ?? []), FINALIZER_EXTERNAL_SECRET];
    return this.#d.client.mergePatch<ExternalSecret>(
      EXTERNAL_SECRETS,
      es.name,
      { metadata: { finalizers, resourceVersion: es.es.metadata?.resourceVersion } },
      { namespace: es.namespace },
    );
  }

  async #cleanupTarget(es: EsView): Promise<void> {
    if (isGenericTarget(es.es)) {
      await this.#generic.finalize(es, (type, reason, message) => {
        this.#d.events.emit(es.es, type, reason, message);
      });
    } else if (es.deletionPolicy === "Delete") {
      await this.#writer.deleteIfOwned(es, await this.#writer.read(es.namespace, es.targetName));
    }
  }

  /** Deletion: with deletionPolicy Delete the owned Secret goes too; then the finalizer is removed. */
  async #finalize(es: EsView): Promise<Result> {
    await this.#cleanupTarget(es);
    const finalizers = (es.es.metadata?.finalizers ?? []).filter(
      (f) => f !== FINALIZER_EXTERNAL_SECRET,
    );
    if (finalizers.length !== (es.es.metadata?.finalizers ?? []).length) {
      try {
        await this.#d.client.mergePatch(
          EXTERNAL_SECRETS,
          es.name,
          { metadata: { finalizers, resourceVersion: es.es.metadata?.resourceVersion } },
          { namespace: es.namespace },
        );
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    this.#d.metrics.forget(es.namespace, es.name);
    return {};
  }
}
