// Writes Events in the background, as client-go's broadcaster does, with
// three properties controllers rely on:
// - recording never blocks a reconcile: `event()` only updates memory; the
//   writes happen later, at most `maxInFlight` at once, and when more than
//   `maxPending` distinct events wait for a write, new ones are dropped
//   (counted in `stats.dropped`);
// - identical events (same source, object, type, reason and message) seen
//   again within `aggregationWindowMs` increment `count` and
//   `lastTimestamp` of the Event already written (one PATCH) instead of
//   creating another; a burst of them is coalesced into a single write;
// - Normal events yield to reconciles: while `busy()` says the controllers
//   have more work than workers (a burst of new ExternalSecrets), Normal
//   events wait (at most `maxHoldMs`) and, once `maxPending` are waiting,
//   the oldest are dropped;
//   Warning events are always written first and displace waiting Normal
//   ones, so an error report is not lost to a burst of "synced" notes;
// - messages are cut to 1 KiB (events.k8s.io's limit, so that the same
//   text works on both Event APIs).
// Events about cluster-scoped objects go to namespace "default", as in
// client-go.
import { hostname } from "node:os";
import { isNotFound } from "../client/index.ts";
import { sleep, systemClock, whenAborted, type Clock } from "../clock/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import type { CoreEvent, EventRecorder, EventSink, EventType, ObjectReference } from "./types.ts";

export const MAX_MESSAGE_BYTES = 1024;

export interface EventBroadcasterOptions {
  readonly sink: EventSink;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** source.host; default the host name. */
  readonly host?: string;
  /** Distinct events waiting for a write before new ones are dropped. Default 1000. */
  readonly maxPending?: number;
  /** Concurrent writes. Default 4. */
  readonly maxInFlight?: number;
  /** Identical events within this window are counted on one Event. Default 10 min. */
  readonly aggregationWindowMs?: number;
  /** Events remembered for aggregation. Default 4096. */
  readonly cacheSize?: number;
  /** How long `start` waits for pending writes at shutdown. Default 5 s. */
  readonly shutdownTimeoutMs?: number;
  /** True while reconciles wait for a worker: Normal events are held back then. */
  readonly busy?: () => boolean;
  /** How often held-back Normal events look again whether the controllers are idle. Default 250 ms. */
  readonly busyRecheckMs?: number;
  /** The longest a Normal event is held back while busy. Default 60 s. */
  readonly maxHoldMs?: number;
}

export interface EventBroadcasterStats {
  readonly created: number;
  readonly patched: number;
  readonly dropped: number;
  readonly failed: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Entry {
  readonly key: string;
  readonly event: Omit<CoreEvent, "count" | "firstTimestamp" | "lastTimestamp" | "metadata">;
  readonly namespace: string;
  /** The Event's name once created. */
  name: string | undefined;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
  /** Changed since the last write. */
  dirty: boolean;
  state: "idle" | "queued" | "writing";
  /** When it was last queued (for the longest a Normal event may be held back). */
  queuedAt: number;
}

export class EventBroadcaster {
  readonly name = "event-broadcaster";
  readonly needLeaderElection = false;
  readonly #sink: EventSink;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #host: string;
  readonly #limits: Limits;
  readonly #busy: () => boolean;
  #recheckPending = false;
  /** Insertion order is recency: the first entry is the least recently seen. */
  readonly #entries = new Map<string, Entry>();
  /** Waiting for a write, oldest first; Warnings are written before Normals. */
  readonly #pending: { Warning: Entry[]; Normal: Entry[] } = { Warning: [], Normal: [] };
  readonly #idleWaiters: (() => void)[] = [];
  readonly #stats: Mutable<EventBroadcasterStats> = {
    created: 0,
    patched: 0,
    dropped: 0,
    failed: 0,
  };
  #inFlight = 0;
  #sequence = 0;

  constructor(options: EventBroadcasterOptions) {
    this.#sink = options.sink;
    this.#clock = options.clock ?? systemClock();
    this.#log = (options.logger ?? discardLogger()).child({}, "events");
    this.#host = options.host ?? hostname();
    this.#limits = limitsOf(options);
    this.#busy = options.busy ?? notBusy;
  }

  get stats(): EventBroadcasterStats {
    return { ...this.#stats };
  }

  /** A recorder whose events carry `source.component = component`. */
  recorderFor(component: string): EventRecorder {
    return {
      event: (obj, type, reason, message) => {
        this.record(component, obj, { type, reason, message });
      },
    };
  }

  record(
    component: string,
    obj: ObjectReference,
    what: { type: EventType; reason: string; message: string },
  ): void {
    const message = truncateUtf8(what.message, MAX_MESSAGE_BYTES);
    const key = JSON.stringify([
      component,
      obj.apiVersion ?? "",
      obj.kind,
      obj.namespace ?? "",
      obj.name,
      obj.uid ?? "",
      what.type,
      what.reason,
      message,
    ]);
    const now = this.#clock.now();
    const seen = this.#entries.get(key);
    if (seen !== undefined && now - seen.lastTimestamp <= this.#limits.windowMs) {
      seen.count++;
      seen.lastTimestamp = now;
      this.#touch(seen);
      this.#schedule(seen);
      return;
    }
    const entry: Entry = {
      key,
      namespace: eventNamespace(obj),
      name: undefined,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      dirty: false,
      state: "idle",
      queuedAt: now,
      event: {
        apiVersion: "v1",
        kind: "Event",
        involvedObject: cleanReference(obj),
        reason: what.reason,
        message,
        type: what.type,
        source: { component, host: this.#host },
        reportingComponent: component,
        reportingInstance: this.#host,
      },
    };
    this.#touch(entry);
    this.#schedule(entry);
  }

  /** Resolves when no write is pending or running. */
  flush(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Runs until `signal` aborts, then waits (bounded) for pending writes. */
  async start(signal: AbortSignal): Promise<void> {
    await whenAborted(signal);
    const timedOut = await Promise.race([
      this.flush().then(() => false),
      sleep(this.#clock, this.#limits.shutdownTimeoutMs).then(() => true),
    ]);
    if (timedOut) this.#log.warn("pending events dropped at shutdown");
  }

  #touch(entry: Entry): void {
    this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
    if (this.#entries.size <= this.#limits.cacheSize) return;
    for (const old of this.#entries.values()) {
      if (this.#entries.size <= this.#limits.cacheSize) break;
      if (old.state === "idle") this.#entries.delete(old.key);
    }
  }

  #schedule(entry: Entry): void {
    entry.dirty = true;
    if (entry.state !== "idle") return;
    if (this.#pendingCount() >= this.#limits.maxPending && !this.#makeRoomFor()) {
      this.#drop(entry);
      return;
    }
    entry.state = "queued";
    entry.queuedAt = this.#clock.now();
    this.#pending[entry.event.type].push(entry);
    this.#pump();
  }

  /**
   * A full queue drops its oldest waiting Normal event to take a newer one
   * of either type; when only Warnings wait, the new event is dropped.
   */
  #makeRoomFor(): boolean {
    const oldest = this.#pending.Normal.shift();
    if (oldest === undefined) return false;
    oldest.state = "idle";
    this.#drop(oldest);
    return true;
  }

  #drop(entry: Entry): void {
    this.#stats.dropped++;
    entry.dirty = false;
    if (entry.name === undefined) this.#entries.delete(entry.key);
    this.#log.debug("event queue full; event dropped", { reason: entry.event.reason });
  }

  #pendingCount(): number {
    return this.#pending.Warning.length + this.#pending.Normal.length;
  }

  /** The next entry to write: Warnings first; Normals only while the controllers are not busy. */
  #next(): Entry | undefined {
    const warning = this.#pending.Warning.shift();
    if (warning !== undefined) return warning;
    const oldest = this.#pending.Normal[0];
    if (oldest === undefined) return undefined;
    // Held back while busy, but never longer than maxHoldMs: a controller
    // that is always busy still reports what it did.
    const overdue = this.#clock.now() - oldest.queuedAt >= this.#limits.maxHoldMs;
    if (!overdue && this.#busy()) {
      this.#recheckLater();
      return undefined;
    }
    return this.#pending.Normal.shift();
  }

  #recheckLater(): void {
    if (this.#recheckPending) return;
    this.#recheckPending = true;
    this.#clock.setTimeout(() => {
      this.#recheckPending = false;
      this.#pump();
    }, this.#limits.busyRecheckMs);
  }

  #pump(): void {
    while (this.#inFlight < this.#limits.maxInFlight) {
      const entry = this.#next();
      if (entry === undefined) break;
      entry.state = "writing";
      this.#inFlight++;
      void this.#write(entry).finally(() => {
        this.#inFlight--;
        entry.state = "idle";
        if (entry.dirty && this.#entries.get(entry.key) === entry) this.#schedule(entry);
        this.#pump();
        this.#notifyIdle();
      });
    }
  }

  async #write(entry: Entry): Promise<void> {
    entry.dirty = false;
    try {
      if (entry.name !== undefined) {
        if (await this.#patch(entry, entry.name)) return;
      }
      await this.#create(entry);
    } catch (err) {
      this.#stats.failed++;
      this.#log.warn("could not write event", {
        err,
        reason: entry.event.reason,
        object: entry.event.involvedObject.name,
      });
    }
  }

  /** False when the Event is gone (expired by its TTL): the caller creates a new one. */
  async #patch(entry: Entry, name: string): Promise<boolean> {
    try {
      await this.#sink.patch(entry.namespace, name, {
        count: entry.count,
        lastTimestamp: isoSeconds(entry.lastTimestamp),
      });
      this.#stats.patched++;
      return true;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      entry.name = undefined;
      entry.count = 1;
      entry.firstTimestamp = entry.lastTimestamp;
      return false;
    }
  }

  async #create(entry: Entry): Promise<void> {
    const name = this.#eventName(entry.event.involvedObject.name, entry.firstTimestamp);
    await this.#sink.create(entry.namespace, {
      ...entry.event,
      metadata: { name, namespace: entry.namespace },
      count: entry.count,
      firstTimestamp: isoSeconds(entry.firstTimestamp),
      lastTimestamp: isoSeconds(entry.lastTimestamp),
    });
    entry.name = name;
    this.#stats.created++;
  }

  /** client-go's `<object>.<hex nanoseconds>`, with a sequence against same-ms collisions. */
  #eventName(objectName: string, atMs: number): string {
    const nanos = BigInt(atMs) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000);
    return `${objectName.slice(0, 230)}.${nanos.toString(16)}`;
  }

  #isIdle(): boolean {
    return this.#inFlight === 0 && this.#pendingCount() === 0;
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

interface Limits {
  readonly maxPending: number;
  readonly maxInFlight: number;
  readonly windowMs: number;
  readonly cacheSize: number;
  readonly shutdownTimeoutMs: number;
  readonly busyRecheckMs: number;
  readonly maxHoldMs: number;
}

function limitsOf(options: EventBroadcasterOptions): Limits {
  return {
    maxPending: options.maxPending ?? 1000,
    maxInFlight: Math.max(1, options.maxInFlight ?? 4),
    windowMs: options.aggregationWindowMs ?? 10 * 60_000,
    cacheSize: options.cacheSize ?? 4096,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5000,
    busyRecheckMs: options.busyRecheckMs ?? 250,
    maxHoldMs: options.maxHoldMs ?? 60_000,
  };
}

function notBusy(): boolean {
  return false;
}

function eventNamespace(obj: ObjectReference): string {
  const ns = obj.namespace ?? "";
  return ns === "" ? "default" : ns;
}

function cleanReference(obj: ObjectReference): ObjectReference {
  const out: Record<string, string> = { kind: obj.kind, name: obj.name };
  if (obj.apiVersion !== undefined && obj.apiVersion !== "") out["apiVersion"] = obj.apiVersion;
  if (obj.namespace !== undefined && obj.namespace !== "") out["namespace"] = obj.namespace;
  if (obj.uid !== undefined && obj.uid !== "") out["uid"] = obj.uid;
  if (obj.resourceVersion !== undefined && obj.resourceVersion !== "")
    out["resourceVersion"] = obj.resourceVersion;
  return out as unknown as ObjectReference;
}

/** Kubernetes' metav1.Time has second precision. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const suffix = "...";
  let end = maxBytes - suffix.length;
  // Back off to a character boundary (continuation bytes are 10xxxxxx).
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8") + suffix;
}
