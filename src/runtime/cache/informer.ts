// An informer: list, then watch from the list's resourceVersion, keeping a
// local Store and telling handlers about adds, updates and deletes.
//
// Invariants that keep it from stalling silently (KES's failure, see
// lessons-from-peers.md §1.3):
// - every watch carries a server-side timeoutSeconds (jittered), so a healthy
//   watch ends on its own and is resumed from the last resourceVersion seen
//   (bookmarks advance it without traffic);
// - a watchdog aborts a watch that delivers nothing (no event, no bookmark,
//   no clean end) for longer than the server timeout plus a grace period: a
//   half-open TCP connection never ends by itself;
// - "410 Gone" (HTTP status or ERROR event) relists and emits the difference
//   as synthetic add/update/delete events;
// - other errors back off exponentially (1 s → 30 s) and retry forever;
// - `lastProgressAt()` feeds the liveness probe.
import { ExponentialBackoff, sleep, systemClock, type Clock } from "../clock/index.ts";
import {
  KubeApiError,
  describeResource,
  isGone,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
  type Status,
  type WatchEvent,
} from "../client/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import { Store, type Reader } from "./store.ts";
import { stripManagedFields, type Transform } from "./transform.ts";

export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: T, isInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  readonly client: KubeClient;
  readonly resource: ResourceRef;
  /** Watch one namespace; all namespaces when omitted. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** List and watch PartialObjectMetadata: the store never holds data or spec. */
  readonly metadataOnly?: boolean;
  /** Applied to every object before it is stored; default strips managedFields. */
  readonly transform?: Transform<T>;
  /** Page size of the list. Default 500. */
  readonly pageSize?: number;
  /** Base server-side watch timeout; each watch uses [base, 2 × base). Default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** How long past the server timeout a silent watch is tolerated. Default 30 s. */
  readonly watchdogGraceMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
}

export interface InformerStats {
  readonly lists: number;
  readonly relistsAfterGone: number;
  readonly watches: number;
  readonly watchdogAborts: number;
  readonly errors: number;
}

/** Thrown inside the loop when the apiserver reports 410 Gone through an ERROR event. */
class GoneEvent extends Error {
  override readonly name = "GoneEvent";
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class Informer<T extends KubeObject> {
  readonly name: string;
  readonly #o: InformerOptions<T>;
  readonly #store = new Store<T>();
  readonly #handlers: EventHandler<T>[] = [];
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #transform: Transform<T>;
  readonly #backoff: ExponentialBackoff;
  readonly #stats: Mutable<InformerStats> = {
    lists: 0,
    relistsAfterGone: 0,
    watches: 0,
    watchdogAborts: 0,
    errors: 0,
  };
  readonly #syncWaiters: (() => void)[] = [];
  #synced = false;
  #lastResourceVersion: string | undefined;
  #lastProgressAt: number;

  constructor(options: InformerOptions<T>) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock();
    this.name = informerName(options);
    this.#log = (options.logger ?? discardLogger()).child({ informer: this.name }, "informer");
    this.#transform = options.transform ?? ((obj) => stripManagedFields(obj) as T);
    this.#backoff = new ExponentialBackoff({
      initialMs: options.backoff?.initialMs ?? 1000,
      maxMs: options.backoff?.maxMs ?? 30_000,
    });
    this.#lastProgressAt = this.#clock.now();
  }

  get store(): Reader<T> {
    return this.#store;
  }

  get stats(): InformerStats {
    return { ...this.#stats };
  }

  /** Adds a secondary index to the store (before or after start). */
  addIndex(name: string, fn: (obj: T) => readonly string[]): void {
    this.#store.addIndex(name, fn);
  }

  /** Registers handlers; when already synced, the current objects are replayed as adds. */
  addEventHandler(handler: EventHandler<T>): void {
    this.#handlers.push(handler);
    if (this.#synced) for (const obj of this.#store.list()) handler.onAdd?.(obj, true);
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once the initial list is in the store, false if `signal` aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        resolve(false);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      });
    });
  }

  /** The last time the informer heard from the apiserver (list, event, bookmark or clean end). */
  lastProgressAt(): number {
    return this.#lastProgressAt;
  }

  /** Longest silence a healthy informer can show: the maximum watch timeout plus the grace. */
  get watchdogMs(): number {
    return 2 * this.#baseTimeoutSeconds() * 1000 + this.#graceMs();
  }

  /** Runs until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let goneInARow = 0;
    while (!signal.aborted) {
      try {
        if (this.#lastResourceVersion === undefined) await this.#relist(signal);
        await this.#watch(signal);
        this.#backoff.reset();
        goneInARow = 0;
      } catch (err) {
        if (isAborted(signal)) break;
        goneInARow = isGone(err) || err instanceof GoneEvent ? goneInARow + 1 : 0;
        await this.#recover(err, goneInARow, signal);
      }
    }
    this.#log.debug("informer stopped");
  }

  async #recover(err: unknown, goneInARow: number, signal: AbortSignal): Promise<void> {
    if (goneInARow > 0) {
      this.#log.info("resourceVersion expired, relisting", {
        resourceVersion: this.#lastResourceVersion,
      });
      this.#lastResourceVersion = undefined;
      this.#stats.relistsAfterGone++;
      // One immediate relist; back off only if the apiserver keeps answering 410.
      if (goneInARow === 1) return;
    }
    this.#stats.errors++;
    const delay = this.#backoff.next();
    this.#log.warn("list/watch failed, retrying", { err, retryInMs: delay });
    await sleep(this.#clock, delay, signal);
  }

  async #relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, T>();
    let resourceVersion: string | undefined;
    let continueToken: string | undefined;
    do {
      const page = await this.#o.client.list(this.#o.resource, {
        ...this.#scope(),
        limit: this.#o.pageSize ?? 500,
        continue: continueToken,
        signal,
      });
      for (const raw of page.items) {
        const obj = this.#transform(raw);
        fresh.set(keyOf(obj), obj);
      }
      resourceVersion = page.metadata.resourceVersion;
      continueToken = page.metadata.continue;
    } while (continueToken !== undefined && continueToken !== "");
    this.#stats.lists++;
    this.#replace(fresh);
    this.#lastResourceVersion = resourceVersion ?? "";
    this.#markProgress();
    this.#markSynced();
  }

  /** Makes the store equal to `fresh`, emitting the differences. */
  #replace(fresh: Map<string, T>): void {
    const initial = !this.#synced;
    for (const old of this.#store.list()) {
      if (!fresh.has(keyOf(old))) this.#applyDelete(old);
    }
    for (const obj of fresh.values()) {
      const old = this.#stored(obj);
      if (old === undefined) this.#applyAdd(obj, initial);
      else if (resourceVersionOf(old) !== resourceVersionOf(obj)) this.#applyUpdate(obj);
    }
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = Math.floor(
      this.#baseTimeoutSeconds() * (1 + (this.#o.random ?? Math.random)()),
    );
    const watchdog = new Watchdog(this.#clock, timeoutSeconds * 1000 + this.#graceMs(), signal);
    try {
      const stream = await this.#o.client.watch(this.#o.resource, {
        ...this.#scope(),
        resourceVersion: this.#lastResourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds,
        signal: watchdog.signal,
      });
      this.#stats.watches++;
      this.#markProgress();
      for await (const event of stream.events) {
        watchdog.reset();
        this.#markProgress();
        this.#handleEvent(event);
      }
      // A clean end (server timeout): resume from the last resourceVersion.
      this.#markProgress();
    } catch (err) {
      if (!watchdog.fired) throw err;
      this.#stats.watchdogAborts++;
      this.#log.warn("watch silent past its timeout, restarting it", { timeoutSeconds });
    } finally {
      watchdog.stop();
    }
  }

  #handleEvent(event: WatchEvent): void {
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
        this.#upsert(this.#transform(event.object));
        break;
      case "DELETED":
        this.#remove(this.#transform(event.object));
        break;
      case "BOOKMARK":
        this.#advance(event.object);
        break;
      case "ERROR":
        throw errorFromEvent(event.object as Status);
    }
  }

  #upsert(obj: T): void {
    const old = this.#stored(obj);
    if (old === undefined) this.#applyAdd(obj, false);
    else this.#applyUpdate(obj);
    this.#advance(obj);
  }

  #remove(obj: T): void {
    if (this.#stored(obj) !== undefined) this.#applyDelete(obj);
    this.#advance(obj);
  }

  #stored(obj: T): T | undefined {
    return this.#store.get(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
  }

  #advance(obj: KubeObject): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv !== undefined && rv !== "") this.#lastResourceVersion = rv;
  }

  #applyAdd(obj: T, isInitialList: boolean): void {
    this.#store.set(obj);
    this.#dispatch((h) => h.onAdd?.(obj, isInitialList));
  }

  #applyUpdate(obj: T): void {
    const old = this.#store.set(obj);
    if (old === undefined) this.#dispatch((h) => h.onAdd?.(obj, false));
    else this.#dispatch((h) => h.onUpdate?.(old, obj));
  }

  #applyDelete(obj: T): void {
    this.#store.delete(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    this.#dispatch((h) => h.onDelete?.(obj));
  }

  /** Handlers must not break the informer: their errors are logged and dropped. */
  #dispatch(call: (handler: EventHandler<T>) => void): void {
    for (const handler of this.#handlers) {
      try {
        call(handler);
      } catch (err) {
        this.#log.error("event handler failed", { err });
      }
    }
  }

  #scope(): {
    namespace?: string;
    allNamespaces: boolean;
    labelSelector?: string;
    fieldSelector?: string;
    metadataOnly: boolean;
  } {
    const ns = this.#o.namespace;
    return {
      ...(ns === undefined ? {} : { namespace: ns }),
      allNamespaces: ns === undefined,
      ...(this.#o.labelSelector === undefined ? {} : { labelSelector: this.#o.labelSelector }),
      ...(this.#o.fieldSelector === undefined ? {} : { fieldSelector: this.#o.fieldSelector }),
      metadataOnly: this.#o.metadataOnly === true,
    };
  }

  #baseTimeoutSeconds(): number {
    return this.#o.watchTimeoutSeconds ?? 300;
  }

  #graceMs(): number {
    return this.#o.watchdogGraceMs ?? 30_000;
  }

  #markProgress(): void {
    this.#lastProgressAt = this.#clock.now();
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    for (const wake of this.#syncWaiters.splice(0)) wake();
  }
}

/** Aborts its signal when `reset()` is not called within `boundMs`. */
class Watchdog {
  readonly #controller = new AbortController();
  readonly #clock: Clock;
  readonly #boundMs: number;
  readonly signal: AbortSignal;
  #timer: ReturnType<Clock["setTimeout"]> | undefined;
  fired = false;

  constructor(clock: Clock, boundMs: number, parent: AbortSignal) {
    this.#clock = clock;
    this.#boundMs = boundMs;
    this.signal = AbortSignal.any([this.#controller.signal, parent]);
    this.reset();
  }

  reset(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.fired = true;
      this.#controller.abort(new Error("watchdog: no watch activity"));
    }, this.#boundMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function errorFromEvent(status: Status): Error {
  if (status.code === 410) return new GoneEvent(status.message ?? "resourceVersion too old");
  return new KubeApiError({ code: status.code ?? 500, method: "WATCH", path: "", status });
}

function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function resourceVersionOf(obj: KubeObject): string | undefined {
  return obj.metadata?.resourceVersion;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;
}

function informerName(o: InformerOptions<KubeObject>): string {
  const parts = [describeResource(o.resource)];
  if (o.namespace !== undefined) parts.push(`ns=${o.namespace}`);
  if (o.labelSelector !== undefined) parts.push(`labels=${o.labelSelector}`);
  if (o.metadataOnly === true) parts.push("metadata");
  return parts.join(" ");
}
