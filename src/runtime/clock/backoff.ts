// Capped exponential backoff with jitter, for reconnect loops (informers,
// leader election): 1 s, 2 s, 4 s … up to the cap, each scaled by a random
// factor so that many clients do not reconnect in lockstep.

export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  /** Each delay is multiplied by a factor in [1 - jitter, 1]. Default 0.2. */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class ExponentialBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1000;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#jitter = options.jitter ?? 0.2;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.round(base * (1 - this.#jitter * this.#random()));
  }

  reset(): void {
    this.#failures = 0;
  }

  get failures(): number {
    return this.#failures;
  }
}
