// A keyed work queue with controller-runtime's semantics
// (architecture.md §5.5):
// - keys are `namespace/name`; adding a key that is already queued is a no-op;
// - a key is never handed to two workers at once: a key added while it is
//   being processed is queued again when `done` is called;
// - `addRateLimited` waits per the rate limiter, `forget` resets it;
// - `addAfter` waits, and keeps the earliest time when a key is already waiting.
//
// Ferry's addition (performance.md §3 item 4): two lanes. `add` (watch events:
// creations, spec changes, drift) goes to the *user* lane, `addAfter` and
// `addRateLimited` (periodic refresh, retries) to the *refresh* lane, and
// workers always take user-lane keys first. A key queued in the refresh lane
// moves to the user lane when it is added there. The refresh lane can wait
// behind a long burst of user work; that is the point: a user's change is
// never stuck behind thousands of routine refreshes.
import { systemClock, type Clock } from "../clock/index.ts";
import type { WorkqueueMetrics } from "../metrics/index.ts";
import { DelayedKeys } from "./delayed.ts";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.ts";

export type Lane = "user" | "refresh";

export interface WorkQueueOptions {
  readonly name: string;
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: WorkqueueMetrics;
}

export class WorkQueue {
  readonly name: string;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter;
  readonly #metrics: WorkqueueMetrics | undefined;
  readonly #labels: { controller: string; name: string };
  readonly #lanes: Record<Lane, Set<string>> = { user: new Set(), refresh: new Set() };
  /** Keys that need processing (queued, or re-added while processing) and their lane. */
  readonly #dirty = new Map<string, Lane>();
  /** Keys being processed and since when. */
  readonly #processing = new Map<string, number>();
  readonly #addedAt = new Map<string, number>();
  readonly #waiting: DelayedKeys<Lane>;
  readonly #getters: ((key: string | undefined) => void)[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#clock = options.clock ?? systemClock();
    this.#limiter = options.rateLimiter ?? defaultControllerRateLimiter(this.#clock);
    this.#metrics = options.metrics;
    this.#labels = { controller: options.name, name: options.name };
    this.#waiting = new DelayedKeys<Lane>(this.#clock, (key, lane) => {
      this.add(key, lane);
    });
    this.#metrics?.seed(options.name, {
      unfinishedWorkSeconds: () => this.unfinishedWorkSeconds(),
      longestRunningProcessorSeconds: () => this.longestRunningProcessorSeconds(),
    });
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Keys ready to be handed out. */
  len(): number {
    return this.#lanes.user.size + this.#lanes.refresh.size;
  }

  /** Keys waiting for a delay (addAfter / addRateLimited). */
  waitingCount(): number {
    return this.#waiting.size;
  }

  processingCount(): number {
    return this.#processing.size;
  }

  add(key: string, lane: Lane = "user"): void {
    if (this.#shuttingDown) return;
    const queuedLane = this.#dirty.get(key);
    if (queuedLane !== undefined) {
      if (lane === "user" && queuedLane === "refresh") this.#promote(key);
      return;
    }
    this.#metrics?.adds.inc(this.#labels);
    this.#dirty.set(key, lane);
    this.#addedAt.set(key, this.#clock.now());
    if (!this.#processing.has(key)) this.#enqueue(key, lane);
  }

  /** Adds `key` to the refresh lane after `delayMs`; an earlier pending time wins. */
  addAfter(key: string, delayMs: number, lane: Lane = "refresh"): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, lane);
      return;
    }
    this.#waiting.add(key, delayMs, lane);
  }

  /** Retry after the rate limiter's delay (an error path). */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    this.#metrics?.retries.inc(this.#labels);
    this.addAfter(key, this.#limiter.when(key));
  }

  forget(key: string): void {
    this.#limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }

  /** The next key to process, or undefined once the queue shuts down. Call `done` after. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#pop();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  done(key: string): void {
    const started = this.#processing.get(key);
    if (started === undefined) return;
    this.#processing.delete(key);
    this.#metrics?.workDuration.observe(this.#labels, (this.#clock.now() - started) / 1000);
    const lane = this.#dirty.get(key);
    if (lane !== undefined && !this.#shuttingDown) this.#enqueue(key, lane);
    if (this.#processing.size === 0) for (const wake of this.#drainWaiters.splice(0)) wake();
  }

  /**
   * Stops intake: adds are ignored, pending delays are cancelled, queued keys
   * are dropped (reconcilers are level-based: whoever runs next relists), and
   * blocked `get` calls return undefined. Keys in flight finish normally.
   */
  shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#waiting.clear();
    this.#lanes.user.clear();
    this.#lanes.refresh.clear();
    this.#metrics?.depth.set(this.#labels, 0);
    for (const resolve of this.#getters.splice(0)) resolve(undefined);
  }

  /** Shuts down and resolves when every key in flight is done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return;
    await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  unfinishedWorkSeconds(): number {
    const now = this.#clock.now();
    let total = 0;
    for (const started of this.#processing.values()) total += now - started;
    return total / 1000;
  }

  longestRunningProcessorSeconds(): number {
    const now = this.#clock.now();
    let longest = 0;
    for (const started of this.#processing.values()) longest = Math.max(longest, now - started);
    return longest / 1000;
  }

  #promote(key: string): void {
    this.#dirty.set(key, "user");
    if (this.#lanes.refresh.delete(key)) this.#lanes.user.add(key);
  }

  #enqueue(key: string, lane: Lane): void {
    this.#lanes[lane].add(key);
    this.#metrics?.depth.inc(this.#labels);
    const getter = this.#getters.shift();
    if (getter !== undefined) getter(this.#pop());
  }

  #pop(): string | undefined {
    const key = first(this.#lanes.user) ?? first(this.#lanes.refresh);
    if (key === undefined) return undefined;
    this.#lanes.user.delete(key);
    this.#lanes.refresh.delete(key);
    this.#dirty.delete(key);
    const now = this.#clock.now();
    this.#processing.set(key, now);
    this.#metrics?.depth.dec(this.#labels);
    this.#metrics?.queueDuration.observe(
      this.#labels,
      (now - (this.#addedAt.get(key) ?? now)) / 1000,
    );
    this.#addedAt.delete(key);
    return key;
  }
}

function first(set: Set<string>): string | undefined {
  for (const v of set) return v;
  return undefined;
}
