// Drift detection for generic targets: one informer per kind that
// ExternalSecrets write, started on first use and stopped when the last
// ExternalSecret using that kind goes (ESO's informer manager). Like the
// Secret informer of setup.ts it lists and watches metadata only and only
// objects with ESO's `managed` label, so Ferry never caches what it does
// not manage. Every add, update or delete is handed to `onChange`, which
// maps it to the ExternalSecrets to reconcile (edits and deletions are
// repaired there).
//
// Before an informer starts, one list and one watch are tried: an RBAC
// refusal (403) becomes a clear error for the ExternalSecret's status
// instead of an informer that retries in the background forever.
import { LABEL_MANAGED, LABEL_MANAGED_VALUE } from "../../api/index.ts";
import {
  Informer,
  isForbidden,
  type KubeClient,
  type KubeObject,
  type Logger,
  type ResourceRef,
} from "../../runtime/index.ts";
import { forbiddenMessage, GenericTargetError } from "./generic-resources.ts";

export type DriftListener = (kindKey: string, obj: KubeObject) => void;

export interface DriftWatcherOptions {
  readonly client: KubeClient;
  /** The controller's --namespace: "" watches all namespaces. */
  readonly namespace: string;
  readonly onChange: DriftListener;
  readonly logger?: Logger;
}

interface Watch {
  readonly stop: AbortController;
  readonly run: Promise<void>;
}

const MANAGED = `${LABEL_MANAGED}=${LABEL_MANAGED_VALUE}`;

export class DriftWatcher {
  readonly #o: DriftWatcherOptions;
  readonly #watches = new Map<string, Watch>();
  readonly #starting = new Map<string, Promise<void>>();
  /** kind key → the ExternalSecrets (namespace/name) that write that kind. */
  readonly #users = new Map<string, Set<string>>();
  readonly #kindOf = new Map<string, string>();
  readonly #lifetime = new AbortController();

  constructor(options: DriftWatcherOptions) {
    this.#o = options;
  }

  /** The kinds watched right now. */
  watchedKinds(): string[] {
    return [...this.#watches.keys()];
  }

  /** Makes sure `kindKey` is watched for the ExternalSecret `esKey`; rejects on an RBAC refusal. */
  async ensure(esKey: string, kindKey: string, res: ResourceRef): Promise<void> {
    this.#use(esKey, kindKey);
    if (this.#watches.has(kindKey)) return;
    let starting = this.#starting.get(kindKey);
    if (starting === undefined) {
      starting = this.#start(kindKey, res).finally(() => {
        this.#starting.delete(kindKey);
      });
      this.#starting.set(kindKey, starting);
    }
    try {
      await starting;
    } catch (err) {
      this.release(esKey);
      throw err;
    }
  }

  /** The ExternalSecret no longer writes a generic target (deleted, or its target changed). */
  release(esKey: string): void {
    const kindKey = this.#kindOf.get(esKey);
    if (kindKey === undefined) return;
    this.#kindOf.delete(esKey);
    const users = this.#users.get(kindKey);
    users?.delete(esKey);
    if (users !== undefined && users.size > 0) return;
    this.#users.delete(kindKey);
    const watch = this.#watches.get(kindKey);
    this.#watches.delete(kindKey);
    watch?.stop.abort();
    if (watch !== undefined) this.#o.logger?.info("stopped watching generic targets", { kindKey });
  }

  /** Stops every informer; resolves when they have stopped. */
  async close(): Promise<void> {
    this.#lifetime.abort();
    const runs = [...this.#watches.values()].map((w) => w.run);
    this.#watches.clear();
    await Promise.all(runs);
  }

  #use(esKey: string, kindKey: string): void {
    const previous = this.#kindOf.get(esKey);
    if (previous === kindKey) return;
    if (previous !== undefined) this.release(esKey);
    this.#kindOf.set(esKey, kindKey);
    const users = this.#users.get(kindKey) ?? new Set<string>();
    users.add(esKey);
    this.#users.set(kindKey, users);
  }

  #scope(): { namespace: string } | { allNamespaces: true } {
    return this.#o.namespace === "" ? { allNamespaces: true } : { namespace: this.#o.namespace };
  }

  async #preflight(res: ResourceRef): Promise<void> {
    let verb = "list";
    try {
      const list = await this.#o.client.list(res, {
        ...this.#scope(),
        labelSelector: MANAGED,
        limit: 1,
        metadataOnly: true,
      });
      verb = "watch";
      const watch = await this.#o.client.watch(res, {
        ...this.#scope(),
        labelSelector: MANAGED,
        metadataOnly: true,
        resourceVersion: list.metadata.resourceVersion,
        timeoutSeconds: 1,
      });
      watch.close();
    } catch (err) {
      if (isForbidden(err))
        throw new GenericTargetError(forbiddenMessage(verb, res, this.#o.namespace), false, err);
      throw err;
    }
  }

  async #start(kindKey: string, res: ResourceRef): Promise<void> {
    await this.#preflight(res);
    // Released (or shut down) while the preflight ran: nothing to watch any more.
    if (!this.#users.has(kindKey) || this.#lifetime.signal.aborted) return;
    const informer = new Informer<KubeObject>({
      client: this.#o.client,
      resource: res,
      labelSelector: MANAGED,
      metadataOnly: true,
      ...(this.#o.namespace === "" ? {} : { namespace: this.#o.namespace }),
      ...(this.#o.logger === undefined ? {} : { logger: this.#o.logger }),
    });
    const changed = (obj: KubeObject): void => {
      this.#o.onChange(kindKey, obj);
    };
    informer.addEventHandler({
      onAdd: changed,
      onUpdate: (_old, obj) => {
        changed(obj);
      },
      onDelete: changed,
    });
    const stop = new AbortController();
    const run = informer.run(AbortSignal.any([stop.signal, this.#lifetime.signal]));
    this.#watches.set(kindKey, { stop, run });
    this.#o.logger?.info("watching generic targets for drift", { kindKey });
  }
}
