// The ExternalSecret reconcile for generic targets (`spec.target.manifest`,
// eso-reference.md §11.2), with the same discipline as for Secrets: skip
// when no refresh is due and the target is intact, fetch, build the object,
// write it only when something changed. Refused unless the controller runs
// with --unsafe-allow-generic-targets (a terminal condition and a Warning
// Event; nothing is written). A provider error, a failed template or a
// refused write never touches the existing object.
//
// The reconciler lends its fetch, status and requeue logic through a
// SyncHost; GenericTargets owns the kind lookup, the drift informers and
// the writes.
import { ExternalSecretReason } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import {
  whenAborted,
  type Controller,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Logger,
  type Manager,
  type Request,
  type Result,
} from "../../runtime/index.ts";
import type { EsView, ExternalSecretObject } from "./es-view.ts";
import { viewOf } from "./es-view.ts";
import type { SecretMap } from "./fetch.ts";
import { DriftWatcher } from "./generic-drift.ts";
import { GenericTargetError, ResourceResolver } from "./generic-resources.ts";
import {
  contentFieldOf,
  describeKind,
  desiredResource,
  isGenericTarget,
  isSecretKind,
  isValidResource,
  kindKey,
  targetKindOf,
  type GenericObject,
  type TargetKind,
} from "./generic-target.ts";
import { GenericMessage, GenericWriter, WriteRaceError, type TargetRef } from "./generic-writer.ts";
import { currentResourceVersion, shouldRefresh, type RefreshState } from "./refresh.ts";
import { TargetError } from "./target.ts";
import { loadTemplateSources, type Delimiters } from "./template.ts";
import type { WriteOutcome } from "./writer.ts";

/** What the reconciler lends the generic path for one ExternalSecret. */
export interface SyncHost {
  /** When this ExternalSecret last fetched successfully (quiet mode), if known. */
  readonly lastRefresh: number | undefined;
  now(): number;
  /** Fetches the provider data; a failure is already recorded in status when it rejects. */
  fetch(forced: boolean): Promise<SecretMap>;
  /** Records a failure (Ready=False, Warning Event); returns the error to throw. */
  failed(message: string, cause: unknown, terminal: boolean): Promise<Error>;
  succeeded(startedAt: number, outcome: WriteOutcome): Promise<Result>;
  requeue(state: RefreshState): Result;
  refreshed(at: number): void;
  emit(type: "Normal" | "Warning", reason: string, message: string): void;
  /** `manifest: v1/Secret` is an ordinary Secret target. */
  syncSecret(): Promise<Result>;
}

export interface GenericTargetsOptions {
  readonly client: KubeClient;
  /** What templateFrom reads. */
  readonly kube: KubeAccess;
  readonly delimiters: Delimiters;
  /** --unsafe-allow-generic-targets. */
  readonly allow: boolean;
  /** The controller's --namespace ("" for all): the scope of the drift informers. */
  readonly namespace: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** Groups whose objects the controller itself has rights on: a generic target there would let an ExternalSecret write stores or ExternalSecrets. */
const REFUSED_GROUPS: readonly string[] = ["external-secrets.io", "generators.external-secrets.io"];

const BY_GENERIC_TARGET = "generic-target";

export function disabledMessage(kind: TargetKind): string {
  return `invalid generic target: spec.target.manifest (${describeKind(kind)}) needs the controller flag --unsafe-allow-generic-targets; nothing was written`;
}

/** Index keys of an ExternalSecret's generic target: "<apiVersion>|<kind>|<namespace>/<name>". */
export function genericTargetIndexKeys(es: ExternalSecretObject): string[] {
  const kind = targetKindOf(es);
  if (kind === undefined || !isGenericTarget(es)) return [];
  const view = viewOf(es);
  return [`${kindKey(kind)}|${view.namespace}/${view.targetName}`];
}

const esKey = (es: EsView): string => `${es.namespace}/${es.name}`;

export class GenericTargets {
  readonly #o: GenericTargetsOptions;
  readonly #resolver: ResourceResolver;
  readonly #writer: GenericWriter;
  readonly #drift: DriftWatcher;
  #lookup: (key: string) => Request[] = () => [];
  #enqueue: (req: Request) => void = () => undefined;

  constructor(options: GenericTargetsOptions) {
    this.#o = options;
    this.#resolver = new ResourceResolver(options.client, options.now);
    this.#writer = new GenericWriter(options.client);
    this.#drift = new DriftWatcher({
      client: options.client,
      namespace: options.namespace,
      onChange: (kind, obj) => {
        const key = `${kind}|${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
        for (const req of this.#lookup(key)) this.#enqueue(req);
      },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /** The kinds whose drift informers run (for tests and diagnostics). */
  watchedKinds(): string[] {
    return this.#drift.watchedKinds();
  }

  /**
   * Maps drift events to the ExternalSecrets that write the object (an
   * index on the ExternalSecret informer) and stops the drift informers
   * with the controller.
   */
  bind(
    mgr: Manager,
    externalSecrets: Informer<ExternalSecretObject & KubeObject>,
    controller: Controller,
  ): void {
    externalSecrets.addIndex(BY_GENERIC_TARGET, genericTargetIndexKeys);
    this.#lookup = (key) =>
      externalSecrets.store.byIndex(BY_GENERIC_TARGET, key).map((es) => ({
        namespace: es.metadata?.namespace ?? "",
        name: es.metadata?.name ?? "",
      }));
    this.#enqueue = (req) => {
      controller.enqueue(req);
    };
    mgr.add({
      name: "externalsecret-generic-targets",
      needLeaderElection: true,
      start: async (signal) => {
        await whenAborted(signal);
        await this.#drift.close();
      },
    });
  }

  /** Stops the drift informers (tests without a manager). */
  close(): Promise<void> {
    return this.#drift.close();
  }

  /** The ExternalSecret is gone or no longer writes a generic target. */
  release(namespace: string, name: string): void {
    this.#drift.release(`${namespace}/${name}`);
  }

  async sync(es: EsView, host: SyncHost): Promise<Result> {
    const kind = targetKindOf(es.es);
    if (kind === undefined || (this.#o.allow && isSecretKind(kind))) return host.syncSecret();
    const refused = this.#refusal(kind);
    if (refused !== undefined) throw await host.failed(refused, undefined, true);
    return this.#syncResource(es, kind, host);
  }

  /** Why this kind may not be written at all, if so. */
  #refusal(kind: TargetKind): string | undefined {
    if (!this.#o.allow) return disabledMessage(kind);
    if (REFUSED_GROUPS.includes(kind.group))
      return `invalid generic target: ${describeKind(kind)} is an External Secrets kind; an ExternalSecret may not write ExternalSecrets, stores or generators`;
    return undefined;
  }

  async #syncResource(es: EsView, kind: TargetKind, host: SyncHost): Promise<Result> {
    const res = await this.#guard(host, () => this.#resolver.resolve(kind));
    const target: TargetRef = { es, kind, res };
    await this.#guard(host, () => this.#drift.ensure(esKey(es), kindKey(kind), res));
    const existing = await this.#guard(host, () => this.#writer.read(target));
    const now = host.now();
    const state = { now, lastRefresh: host.lastRefresh };
    const targetValid =
      es.creationPolicy === "Orphan" ||
      es.creationPolicy === "None" ||
      isValidResource(existing, contentFieldOf(kind));
    if (!shouldRefresh(es.es, state) && targetValid) return host.requeue(state);
    const forced =
      es.es.status?.syncedResourceVersion !== currentResourceVersion(es.es) || !targetValid;
    const data = await host.fetch(forced);
    const outcome = await this.#apply(target, host, existing, data);
    host.refreshed(now);
    return host.succeeded(now, outcome);
  }

  /** ExternalSecret deletion: with deletionPolicy Delete the owned target goes too. */
  async finalize(es: EsView, emit: SyncHost["emit"]): Promise<void> {
    this.#drift.release(esKey(es));
    const kind = targetKindOf(es.es);
    if (!this.#o.allow || kind === undefined || es.deletionPolicy !== "Delete") return;
    let target: TargetRef;
    try {
      target = { es, kind, res: await this.#resolver.resolve(kind) };
    } catch (err) {
      // The kind is not served (CRD removed) or not namespaced: nothing of it to delete.
      if (err instanceof GenericTargetError) return;
      throw err;
    }
    if (await this.#writer.deleteIfOwned(target, await this.#writer.read(target)))
      emit("Normal", "Deleted", `Deleted ${kind.kind} ${es.targetName}`);
  }

  /** Runs a step whose failure goes to status (see #report). */
  async #guard<T>(host: SyncHost, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      throw await this.#report(host, err);
    }
  }

  /** A GenericTargetError goes to status as it is, anything else as its message. */
  #report(host: SyncHost, err: unknown): Promise<Error> {
    if (err instanceof GenericTargetError) return host.failed(err.message, err, err.terminal);
    return host.failed((err as Error).message, err, false);
  }

  async #apply(
    target: TargetRef,
    host: SyncHost,
    existing: GenericObject | undefined,
    data: SecretMap,
  ): Promise<WriteOutcome> {
    const { es } = target;
    if (data.size === 0 && es.deletionPolicy !== "Merge")
      return this.#emptyData(target, host, existing);
    let desired: GenericObject;
    try {
      desired = desiredResource({
        es: es.es,
        kind: target.kind,
        existing,
        fetched: data,
        sources: await loadTemplateSources(es.es, this.#o.kube),
        delimiters: this.#o.delimiters,
      });
    } catch (err) {
      const terminal = err instanceof TargetError;
      const message = terminal
        ? err.message
        : `could not build ${target.kind.kind}: ${(err as Error).message}`;
      throw await host.failed(message, err, terminal);
    }
    try {
      return await this.#writer.write(target, existing, desired, (reason, message) => {
        host.emit("Normal", reason, message);
      });
    } catch (err) {
      if (err instanceof WriteRaceError) throw err;
      throw await this.#report(host, err);
    }
  }

  /** No data at all: Delete removes the target, Retain keeps it (ESO §11.1 step 9). */
  async #emptyData(
    target: TargetRef,
    host: SyncHost,
    existing: GenericObject | undefined,
  ): Promise<WriteOutcome> {
    const { es, kind } = target;
    if (es.deletionPolicy === "Retain") {
      const ready = {
        status: "True",
        reason: ExternalSecretReason.ResourceSynced,
        message: GenericMessage.retained,
      } as const;
      return { wrote: false, ready };
    }
    if (es.creationPolicy !== "Owner") {
      const message = `could not delete ${kind.kind}: deletionPolicy Delete needs creationPolicy Owner`;
      throw await host.failed(message, undefined, true);
    }
    const deleted = await this.#guard(host, () => this.#writer.deleteIfOwned(target, existing));
    if (deleted) host.emit("Normal", "Deleted", `Deleted ${kind.kind} ${es.targetName}`);
    const ready = {
      status: "True",
      reason: ExternalSecretReason.ResourceDeleted,
      message: GenericMessage.deleted,
    } as const;
    return { wrote: deleted, ready };
  }
}
