// Identical concurrent provider reads become one request (performance.md §3):
// while a read is in flight, callers with the same key share its promise,
// and with a window its successful result is reused for that long. Failures
// are never remembered. The one implementation behind every provider's
// coalescing (AWS, Vault, kubernetes, webhook); keys are chosen by the
// provider and always include the credential identity, so reads are never
// shared across credentials or referent namespaces.

export interface SingleFlightOptions {
  /** How long a successful result is reused; 0 (default): in-flight sharing only. */
  readonly windowMs?: number;
  readonly now?: () => number;
  /** Bound on remembered keys, so a burst of distinct keys cannot grow memory without end. */
  readonly maxEntries?: number;
}

interface Entry {
  readonly promise: Promise<unknown>;
  /** When the settled value stops being reusable; Infinity while in flight. */
  expiresAt: number;
}

export interface Flight<T> {
  readonly promise: Promise<T>;
  /** True when this call joined a read in flight or reused a remembered one. */
  readonly shared: boolean;
}

export class SingleFlight {
  readonly #entries = new Map<string, Entry>();
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;
  #runs = 0;

  constructor(options: SingleFlightOptions = {}) {
    this.#windowMs = options.windowMs ?? 0;
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  run<T>(key: string, fetch: () => Promise<T>): Flight<T> {
    const now = this.#now();
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing.expiresAt > now) {
      return { promise: existing.promise as Promise<T>, shared: true };
    }
    this.#sweep(now);
    const promise = fetch();
    const entry: Entry = { promise, expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(key, entry);
    promise.then(
      () => {
        if (this.#windowMs <= 0) this.#drop(key, entry);
        else entry.expiresAt = this.#now() + this.#windowMs;
      },
      () => {
        this.#drop(key, entry);
      },
    );
    return { promise, shared: false };
  }

  /** After a write: reads whose key starts with `prefix` must not be joined or reused. */
  forget(prefix: string): void {
    for (const key of [...this.#entries.keys()])
      if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #drop(key: string, entry: Entry): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }

  // Expired results are dropped so secret bytes do not linger past the
  // window; past the bound the oldest keys go first.
  #sweep(now: number): void {
    this.#runs++;
    if (this.#entries.size < this.#maxEntries && this.#runs % 64 !== 0) return;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
