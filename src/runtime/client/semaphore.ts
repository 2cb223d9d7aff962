// Bounds the number of concurrent apiserver requests (performance.md §3 item
// 7): a burst of reconciles queues here instead of opening hundreds of
// sockets and tripping API Priority and Fairness.

export class Semaphore {
  readonly #limit: number;
  #inUse = 0;
  readonly #waiters: (() => void)[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit ${limit}`);
    this.#limit = limit;
  }

  get inUse(): number {
    return this.#inUse;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  async acquire(): Promise<() => void> {
    if (this.#inUse < this.#limit) {
      this.#inUse++;
    } else {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #release(): void {
    const next = this.#waiters.shift();
    // The slot passes directly to the next waiter; the count stays the same.
    if (next !== undefined) next();
    else this.#inUse--;
  }
}
