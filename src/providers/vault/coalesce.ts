// Identical concurrent reads become one request (performance.md §3 item 2):
// the first caller's promise is shared, and its successful result is reused
// for a short window. Keys always include the token-cache key, so reads are
// never shared across credentials or referent namespaces. Failures are not
// remembered. Property extraction happens after the shared fetch, so the
// `username` and `password` of one secret cost one request.

interface Slot<T> {
  readonly promise: Promise<T>;
  settledAt?: number;
}

export class Coalescer<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(windowMs: number, now: () => number = Date.now, maxEntries = 10_000) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  /** Runs `fetch` unless an identical call is in flight or recent; `shared` says which. */
  run(key: string, fetch: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const slot = this.#slots.get(key);
    if (slot !== undefined && this.#usable(slot)) return { promise: slot.promise, shared: true };
    this.#sweep();
    const promise = fetch();
    const fresh: Slot<T> = { promise };
    this.#slots.set(key, fresh);
    promise.then(
      () => {
        fresh.settledAt = this.#now();
        if (this.#windowMs <= 0 && this.#slots.get(key) === fresh) this.#slots.delete(key);
      },
      () => {
        if (this.#slots.get(key) === fresh) this.#slots.delete(key);
      },
    );
    return { promise, shared: false };
  }

  #usable(slot: Slot<T>): boolean {
    return slot.settledAt === undefined || this.#now() - slot.settledAt < this.#windowMs;
  }

  #sweep(): void {
    for (const [key, slot] of this.#slots) {
      if (!this.#usable(slot)) this.#slots.delete(key);
    }
    // a burst of distinct keys must not grow memory without bound
    while (this.#slots.size >= this.#maxEntries) {
      const oldest = this.#slots.keys().next();
      if (oldest.done === true) break;
      this.#slots.delete(oldest.value);
    }
  }

  /** Drops remembered results whose key starts with `prefix` (after a write). */
  invalidate(prefix: string): void {
    for (const key of [...this.#slots.keys()]) if (key.startsWith(prefix)) this.#slots.delete(key);
  }

  clear(): void {
    this.#slots.clear();
  }
}
