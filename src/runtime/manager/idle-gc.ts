// Gives memory back after a burst. V8 sizes its heap for the peak of a
// burst (10,000 new ExternalSecrets) and, in a process that then goes
// quiet, has no reason to collect again: the garbage of the burst stays
// resident for hours. When the controllers have been idle for a whole
// check interval and the heap has grown by `growthBytes` since the last
// collection, this runs one full collection so the heap shrinks back to
// the live set. It needs `gc` (node --expose-gc, allowed in NODE_OPTIONS);
// without it the runnable is not added.
import { sleep, systemClock, type Clock } from "../clock/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import type { Runnable } from "./manager.ts";

export interface IdleGcOptions {
  /** True while the controllers have work waiting or running. */
  readonly busy: () => boolean;
  /** A full collection (globalThis.gc with --expose-gc). */
  readonly gc: () => void;
  /** Bytes of JS heap in use; default process.memoryUsage().heapUsed. */
  readonly heapUsed?: () => number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Default 5 s. */
  readonly checkEveryMs?: number;
  /** Heap growth since the last collection that makes one worthwhile. Default 32 MiB. */
  readonly growthBytes?: number;
}

export class IdleGc implements Runnable {
  readonly name = "idle-gc";
  readonly needLeaderElection = false;
  readonly #o: IdleGcOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #heapUsed: () => number;
  #baseline: number;
  #collections = 0;

  constructor(options: IdleGcOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock();
    this.#log = (options.logger ?? discardLogger()).child({}, "idle-gc");
    this.#heapUsed = options.heapUsed ?? (() => process.memoryUsage().heapUsed);
    this.#baseline = this.#heapUsed();
  }

  /** Full collections run so far. */
  get collections(): number {
    return this.#collections;
  }

  async start(signal: AbortSignal): Promise<void> {
    const every = this.#o.checkEveryMs ?? 5000;
    let wasIdle = false;
    for (;;) {
      await sleep(this.#clock, every, signal);
      if (signal.aborted) return;
      const idle = !this.#o.busy();
      // Idle now and at the previous check: the burst is over.
      if (idle && wasIdle) this.#maybeCollect();
      wasIdle = idle;
    }
  }

  #maybeCollect(): void {
    const before = this.#heapUsed();
    if (before - this.#baseline < (this.#o.growthBytes ?? 32 * 2 ** 20)) return;
    this.#o.gc();
    this.#collections++;
    this.#baseline = this.#heapUsed();
    this.#log.debug("collected after a burst", {
      heapUsedBeforeMiB: Math.round(before / 2 ** 20),
      heapUsedAfterMiB: Math.round(this.#baseline / 2 ** 20),
    });
  }
}
