// Identical concurrent reads become one request: while a GET of a Secret
// (or a LIST with one selector) is in flight, later callers share it. Keys
// start with the connection identity (server, TLS, credentials), so reads
// are never shared across credentials or referent namespaces. Nothing is
// remembered once the request settles: the next read asks the apiserver
// again, so a Secret changed a moment ago is seen at once.

export interface InFlightStats {
  /** Reads that reached the apiserver. */
  started: number;
  /** Reads that joined one already in flight. */
  shared: number;
}

export class InFlight {
  readonly #slots = new Map<string, Promise<unknown>>();
  readonly stats: InFlightStats = { started: 0, shared: 0 };

  run<T>(key: string, read: () => Promise<T>): Promise<T> {
    const existing = this.#slots.get(key);
    if (existing !== undefined) {
      this.stats.shared++;
      return existing as Promise<T>;
    }
    this.stats.started++;
    const promise = read();
    this.#slots.set(key, promise);
    const release = (): void => {
      if (this.#slots.get(key) === promise) this.#slots.delete(key);
    };
    promise.then(release, release);
    return promise;
  }

  /** After a write: reads started later must not join a read from before it. */
  forget(prefix: string): void {
    for (const key of [...this.#slots.keys()]) if (key.startsWith(prefix)) this.#slots.delete(key);
  }
}
