// The ClusterExternalSecret reconciler (eso-reference.md §3, §11.3). Level-
// based: every call reads the ClusterExternalSecret, the namespaces and the
// children from the informer caches and makes the world match:
//   - a finalizer on the ClusterExternalSecret, so deletion cleans up;
//   - a child ExternalSecret in every selected namespace that is not being
//     deleted, with a finalizer on that namespace; an ExternalSecret of the
//     same name that the ClusterExternalSecret does not control is never
//     touched (the namespace is reported as failed);
//   - no child anywhere else: children in namespaces that stopped matching,
//     or under a previous `externalSecretName`, are deleted, and namespace
//     finalizers are released where nothing is provisioned;
//   - status, written only when it changed, and Events for what changed.
// Children are found through an owner index rather than only through
// `status.provisionedNamespaces`, so a lost status write never strands a
// child. Per-namespace failures do not stop the pass.
import { FINALIZER_CLUSTER_EXTERNAL_SECRET, namespaceFinalizerFor } from "../../api/index.ts";
import { DurationError } from "../../esutils/go-duration.ts";
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
import { jitter } from "../common/deps.ts";
import { LabelSelectorError } from "../common/label-selector.ts";
import { ESO } from "../common/resources.ts";
import {
  cesName,
  childName,
  DEFAULT_REFRESH_MS,
  refreshMs,
  type ClusterExternalSecretObject,
  type ExternalSecretObject,
  type NamespaceObject,
} from "./ces-view.ts";
import { isOwnedBy, OWNER_INDEX } from "./child.ts";
import { ChildWriter } from "./children.ts";
import { NamespaceFinalizers } from "./finalizers.ts";
import type { CesMetrics } from "./metrics.ts";
import { selectNamespaces, type NamespaceSelection } from "./namespaces.ts";
import { listNamespaces, Pass } from "./pass.ts";
import { computeStatus, isReady, newFailures, statusChanged, statusPatch } from "./status.ts";

export interface CesEventSink {
  emit(
    ces: ClusterExternalSecretObject,
    type: "Normal" | "Warning",
    reason: string,
    message: string,
  ): void;
}

export interface ClusterExternalSecretReconcilerDeps {
  readonly client: KubeClient;
  readonly clusterExternalSecrets: Reader<ClusterExternalSecretObject>;
  /** ExternalSecrets, with the OWNER_INDEX index. */
  readonly externalSecrets: Reader<ExternalSecretObject>;
  /** Namespaces (metadata only). */
  readonly namespaces: Reader<NamespaceObject>;
  readonly events: CesEventSink;
  readonly metrics: CesMetrics;
  readonly now: () => number;
  /** In [0, 1): requeue jitter. */
  readonly random: () => number;
}

/** The reason of a failed API call without the request line (method and path). */
function apiMessage(err: unknown): string {
  const status = (err as { status?: { message?: unknown } } | undefined)?.status;
  if (typeof status?.message === "string" && status.message !== "") return status.message;
  return err instanceof Error ? err.message : String(err);
}

const isRace = (err: unknown): boolean => isConflict(err) || isAlreadyExists(err);

/** A write lost a race with another writer: the whole pass is repeated, nothing reported. */
function throwOnRace(pass: Pass): void {
  if (pass.conflict === undefined) return;
  throw new Error("a child or namespace changed while it was written; retrying", {
    cause: pass.conflict,
  });
}

export class ClusterExternalSecretReconciler implements Reconciler {
  readonly #d: ClusterExternalSecretReconcilerDeps;
  readonly #children: ChildWriter;
  readonly #finalizers: NamespaceFinalizers;

  constructor(deps: ClusterExternalSecretReconcilerDeps) {
    this.#d = deps;
    this.#children = new ChildWriter(deps.client);
    this.#finalizers = new NamespaceFinalizers(deps.client, deps.namespaces);
  }

  async reconcile(ctx: ReconcileContext, req: Request): Promise<Result> {
    const ces = this.#d.clusterExternalSecrets.get("", req.name);
    if (ces === undefined) {
      this.#d.metrics.forget(req.name);
      return {};
    }
    const started = this.#d.now();
    try {
      return await this.#reconcile(ctx, ces);
    } finally {
      this.#d.metrics.duration(req.name, this.#d.now() - started);
    }
  }

  async #reconcile(ctx: ReconcileContext, current: ClusterExternalSecretObject): Promise<Result> {
    if (current.metadata?.deletionTimestamp !== undefined) return this.#finalize(current);
    // Carry on with the patched object: one reconcile for a new ClusterExternalSecret.
    const ces = (current.metadata?.finalizers ?? []).includes(FINALIZER_CLUSTER_EXTERNAL_SECRET)
      ? current
      : await this.#addFinalizer(current);
    const interval = this.#interval(ces);
    const selection = await this.#select(ces);
    const pass = new Pass(childName(ces));
    try {
      await this.#sync(ctx, ces, selection, pass);
    } finally {
      // What was written is announced even when a race cuts the pass short:
      // the repeated pass finds it done and would not announce it.
      this.#announce(ces, pass);
    }
    await this.#report(ces, pass);
    if (pass.apiError !== undefined) {
      throw new Error("some namespaces failed; retrying", { cause: pass.apiError });
    }
    return interval === undefined ? {} : { requeueAfter: jitter(interval, this.#d.random) };
  }

  async #select(ces: ClusterExternalSecretObject): Promise<NamespaceSelection> {
    try {
      return selectNamespaces(ces.spec, this.#d.namespaces.list());
    } catch (err) {
      if (err instanceof LabelSelectorError) throw await this.#selectorFailed(ces, err);
      throw err;
    }
  }

  /** One pass over the children and namespace finalizers; throws to repeat it after a race. */
  async #sync(
    ctx: ReconcileContext,
    ces: ClusterExternalSecretObject,
    selection: NamespaceSelection,
    pass: Pass,
  ): Promise<void> {
    await this.#removeStale(ctx, ces, selection, pass);
    await this.#releaseAll(ces, selection.terminating, pass);
    for (const namespace of selection.active) await this.#provision(ctx, ces, namespace, pass);
    // After a race the provisioned set is incomplete: releasing by it could
    // drop a finalizer that is still needed.
    throwOnRace(pass);
    const keep = new Set([...pass.provisioned, ...selection.terminating]);
    const idle = this.#finalizers
      .holders(namespaceFinalizerFor(cesName(ces)))
      .filter((ns) => !keep.has(ns));
    await this.#releaseAll(ces, idle, pass);
    throwOnRace(pass);
  }

  /** Normal Events for the children this pass created, updated or deleted. */
  #announce(ces: ClusterExternalSecretObject, pass: Pass): void {
    for (const e of pass.events()) this.#d.events.emit(ces, e.type, e.reason, e.message);
  }

  /** `spec.refreshTime`, or ESO's default with a Warning when it does not parse. */
  #interval(ces: ClusterExternalSecretObject): number | undefined {
    try {
      return refreshMs(ces);
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      this.#d.events.emit(
        ces,
        "Warning",
        "UpdateFailed",
        `spec.refreshTime: ${err.message}; requeueing every ${DEFAULT_REFRESH_MS / 60_000}m until it is fixed`,
      );
      return DEFAULT_REFRESH_MS;
    }
  }

  /**
   * Deletes children that are no longer wanted: in a namespace that is not
   * selected any more, or under a previous externalSecretName.
   */
  async #removeStale(
    ctx: ReconcileContext,
    ces: ClusterExternalSecretObject,
    selection: NamespaceSelection,
    pass: Pass,
  ): Promise<void> {
    const active = new Set(selection.active);
    const terminating = new Set(selection.terminating);
    // Children in namespaces being deleted go with their namespace; a
    // namespace the cache has not seen yet is new, not unselected.
    const unknown = (ns: string): boolean => this.#d.namespaces.get("", ns) === undefined;
    const wanted = (ns: string, name: string): boolean =>
      terminating.has(ns) || unknown(ns) || (active.has(ns) && name === pass.externalSecretName);
    for (const child of this.#d.externalSecrets.byIndex(OWNER_INDEX, cesName(ces))) {
      const ns = child.metadata?.namespace ?? "";
      const name = child.metadata?.name ?? "";
      if (wanted(ns, name)) continue;
      try {
        if (await this.#children.delete(child)) pass.deleted.push(`${ns}/${name}`);
      } catch (err) {
        ctx.log.error("could not delete a stale ExternalSecret", { namespace: ns, name, err });
        pass.fail(ns, `could not delete ExternalSecret ${name}: ${apiMessage(err)}`, err);
      }
    }
  }

  /** One namespace: its finalizer, then its child. */
  async #provision(
    ctx: ReconcileContext,
    ces: ClusterExternalSecretObject,
    namespace: string,
    pass: Pass,
  ): Promise<void> {
    const target = { namespace, name: pass.externalSecretName };
    const cached = this.#d.externalSecrets.get(namespace, target.name);
    if (cached !== undefined && !isOwnedBy(cached, cesName(ces))) {
      pass.record(namespace, "foreign");
      return;
    }
    try {
      const present = await this.#finalizers.ensure(namespace, namespaceFinalizerFor(cesName(ces)));
      if (present) pass.record(namespace, await this.#children.ensure(ces, target, cached));
    } catch (err) {
      if (isRace(err)) {
        pass.conflict ??= err;
        return;
      }
      ctx.log.error("could not provision a namespace", { namespace, err });
      pass.fail(namespace, `could not create or update ExternalSecret: ${apiMessage(err)}`, err);
    }
  }

  /** Releases this ClusterExternalSecret's finalizer from the namespaces. */
  async #releaseAll(
    ces: ClusterExternalSecretObject,
    namespaces: readonly string[],
    pass: Pass,
  ): Promise<void> {
    const finalizer = namespaceFinalizerFor(cesName(ces));
    for (const namespace of namespaces) {
      try {
        await this.#finalizers.release(namespace, finalizer);
      } catch (err) {
        if (isRace(err)) pass.conflict ??= err;
        else pass.apiError ??= err;
      }
    }
  }

  /** Status (only when it changed), Warning Events and metrics of a finished pass. */
  async #report(ces: ClusterExternalSecretObject, pass: Pass): Promise<void> {
    const status = computeStatus(ces.status, {
      externalSecretName: pass.externalSecretName,
      provisioned: pass.provisioned,
      failed: pass.failed,
    });
    await this.#writeStatus(ces, status);
    const failures = newFailures(ces.status, status);
    if (failures.length > 0) {
      const detail = failures.map((f) => `${f.namespace}: ${f.reason ?? ""}`).join("; ");
      this.#d.events.emit(
        ces,
        "Warning",
        "UpdateFailed",
        `ExternalSecret ${pass.externalSecretName} not provisioned in namespaces ${listNamespaces(failures.map((f) => f.namespace))}: ${detail}`,
      );
    }
    this.#d.metrics.condition(cesName(ces), isReady(status));
  }

  async #writeStatus(
    ces: ClusterExternalSecretObject,
    status: ReturnType<typeof computeStatus>,
  ): Promise<void> {
    if (!statusChanged(ces.status, status)) return;
    try {
      await this.#d.client.patchStatus(ESO.clusterExternalSecrets, cesName(ces), {
        status: statusPatch(status),
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * A selector the controller cannot evaluate: reported as ESO does (the
   * failed namespace "unknown"), existing children are left alone, and the
   * key is not retried until the spec changes.
   */
  async #selectorFailed(ces: ClusterExternalSecretObject, err: LabelSelectorError): Promise<Error> {
    const reason = `invalid namespace selector: ${err.message}; use In, NotIn, Exists or DoesNotExist`;
    const pass = new Pass(childName(ces));
    pass.provisioned.push(...(ces.status?.provisionedNamespaces ?? []));
    pass.failed.set("unknown", reason);
    await this.#report(ces, pass);
    return new TerminalError(reason, { cause: err });
  }

  async #addFinalizer(ces: ClusterExternalSecretObject): Promise<ClusterExternalSecretObject> {
    const finalizers = [...(ces.metadata?.finalizers ?? []), FINALIZER_CLUSTER_EXTERNAL_SECRET];
    return this.#d.client.mergePatch<ClusterExternalSecretObject>(
      ESO.clusterExternalSecrets,
      cesName(ces),
      { metadata: { finalizers, resourceVersion: ces.metadata?.resourceVersion } },
    );
  }

  /**
   * Deletion: every child and every namespace finalizer of this
   * ClusterExternalSecret goes, then its own finalizer. Anything that fails
   * is retried before the finalizer is removed.
   */
  async #finalize(ces: ClusterExternalSecretObject): Promise<Result> {
    const name = cesName(ces);
    const failures: unknown[] = [];
    for (const child of this.#d.externalSecrets.byIndex(OWNER_INDEX, name)) {
      await this.#children.delete(child).catch((err: unknown) => failures.push(err));
    }
    const finalizer = namespaceFinalizerFor(name);
    for (const namespace of this.#finalizers.holders(finalizer)) {
      await this.#finalizers
        .release(namespace, finalizer)
        .catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) {
      throw new Error(`cleanup of ClusterExternalSecret ${name} incomplete; retrying`, {
        cause: failures[0],
      });
    }
    await this.#removeFinalizer(ces);
    this.#d.metrics.forget(name);
    return {};
  }

  async #removeFinalizer(ces: ClusterExternalSecretObject): Promise<void> {
    const all = ces.metadata?.finalizers ?? [];
    const finalizers = all.filter((f) => f !== FINALIZER_CLUSTER_EXTERNAL_SECRET);
    if (finalizers.length === all.length) return;
    try {
      await this.#d.client.mergePatch(ESO.clusterExternalSecrets, cesName(ces), {
        metadata: { finalizers, resourceVersion: ces.metadata?.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
