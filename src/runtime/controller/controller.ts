// A controller: a work queue, N workers and a reconciler. Workers apply the
// retry rules of architecture.md §5.4/§5.5 and record controller-runtime's
// metrics; `lastProgressAt` and `stalled` feed the liveness probe.
import { randomUUID } from "node:crypto";
import { sleep, systemClock, whenAborted, type Clock } from "../clock/index.ts";
import type { EventHandler, Informer } from "../cache/index.ts";
import type { KubeObject } from "../client/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import type { RuntimeMetrics } from "../metrics/index.ts";
import { WorkQueue, type RateLimiter } from "../workqueue/index.ts";
import { forObject, type MapFunc, type Predicate } from "./handlers.ts";
import {
  isTerminal,
  parseRequestKey,
  requestKey,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
} from "./types.ts";

/** Ferry's default: ESO runs one worker; reconciles mostly wait on I/O, so more help. */
export const DEFAULT_CONCURRENCY = 4;

export interface ControllerOptions {
  readonly name: string;
  readonly reconciler: Reconciler;
  readonly concurrency?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: RuntimeMetrics;
  readonly rateLimiter?: RateLimiter;
  /** How long shutdown waits for in-flight reconciles before aborting their signal. Default 30 s. */
  readonly shutdownTimeoutMs?: number;
}

export interface WatchSpec<T extends KubeObject> {
  /** Which keys an event enqueues; default the object itself. */
  readonly map?: MapFunc<T>;
  readonly predicate?: Predicate<T>;
}

type Outcome = "success" | "error" | "requeue_after";

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly needLeaderElection = true;
  readonly concurrency: number;
  readonly #reconciler: Reconciler;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #shutdownTimeoutMs: number;
  readonly #abortInFlight = new AbortController();
  #lastProgressAt: number;
  #active = 0;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#reconciler = options.reconciler;
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.#clock = options.clock ?? systemClock();
    this.#log = (options.logger ?? discardLogger()).child(
      { controller: options.name },
      "controller",
    );
    this.#metrics = options.metrics;
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this.queue = new WorkQueue({
      name: options.name,
      clock: this.#clock,
      ...(options.rateLimiter === undefined ? {} : { rateLimiter: options.rateLimiter }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics.workqueue }),
    });
    this.#metrics?.controller.seed(options.name, this.concurrency);
    this.#lastProgressAt = this.#clock.now();
  }

  /** Enqueues keys for the informer's events (user lane). */
  watch<T extends KubeObject>(informer: Informer<T>, spec: WatchSpec<T> = {}): void {
    informer.addEventHandler(this.eventHandler(spec));
  }

  eventHandler<T extends KubeObject>(spec: WatchSpec<T> = {}): EventHandler<T> {
    const map = spec.map ?? forObject<T>();
    const pass = spec.predicate ?? (() => true);
    return {
      onAdd: (obj) => {
        if (pass("add", obj)) this.#enqueueAll(map(obj));
      },
      onUpdate: (old, obj) => {
        // Both sides: an owner reference may have moved from one key to another.
        if (pass("update", obj, old)) this.#enqueueAll([...map(old), ...map(obj)]);
      },
      onDelete: (obj) => {
        if (pass("delete", obj)) this.#enqueueAll(map(obj));
      },
    };
  }

  enqueue(req: Request): void {
    this.queue.add(requestKey(req));
  }

  /** When the last reconcile finished (or the controller started). */
  lastProgressAt(): number {
    return this.#lastProgressAt;
  }

  /** True when work is pending or running but no reconcile finished for `boundMs`. */
  stalled(boundMs: number): boolean {
    const busy = this.queue.len() > 0 || this.queue.processingCount() > 0;
    return busy && this.#clock.now() - this.#lastProgressAt > boundMs;
  }

  /** Runs the workers until `signal` aborts, then drains within the shutdown bound. */
  async start(signal: AbortSignal): Promise<void> {
    this.#lastProgressAt = this.#clock.now();
    this.#log.info("starting workers", { workers: this.concurrency });
    const workers = Array.from({ length: this.concurrency }, () => this.#worker());
    const allDone = Promise.all(workers).then(() => true);
    await whenAborted(signal);
    this.queue.shutDown();
    const timeout = sleep(this.#clock, this.#shutdownTimeoutMs).then(() => false);
    if (!(await Promise.race([allDone, timeout]))) {
      this.#log.warn("in-flight reconciles outlived the shutdown bound; aborting them", {
        inFlight: this.#active,
      });
      this.#abortInFlight.abort();
      await Promise.race([allDone, sleep(this.#clock, 1000)]);
    }
    this.#log.info("workers stopped");
  }

  #enqueueAll(reqs: readonly Request[]): void {
    for (const req of reqs) if (req.name !== "") this.enqueue(req);
  }

  async #worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.#process(key);
    }
  }

  async #process(key: string): Promise<void> {
    const req = parseRequestKey(key);
    const reconcileId = randomUUID();
    const ctx: ReconcileContext = {
      signal: this.#abortInFlight.signal,
      reconcileId,
      log: this.#log.child({ reconcileID: reconcileId, namespace: req.namespace, name: req.name }),
    };
    const started = this.#clock.now();
    this.#setActive(1);
    let outcome: Outcome;
    try {
      outcome = this.#onResult(key, await this.#reconciler.reconcile(ctx, req));
    } catch (err) {
      outcome = this.#onError(key, err, ctx.log);
    } finally {
      this.queue.done(key);
      this.#setActive(-1);
      this.#lastProgressAt = this.#clock.now();
    }
    this.#record(outcome, (this.#clock.now() - started) / 1000);
  }

  #onResult(key: string, result: Result | undefined): Outcome {
    this.queue.forget(key);
    const after = result?.requeueAfter ?? 0;
    if (after > 0) {
      this.queue.addAfter(key, after);
      return "requeue_after";
    }
    return "success";
  }

  #onError(key: string, err: unknown, log: Logger): Outcome {
    const labels = { controller: this.name };
    this.#metrics?.controller.reconcileErrors.inc(labels);
    if (isProgrammingError(err)) this.#metrics?.controller.reconcilePanics.inc(labels);
    if (isTerminal(err)) {
      this.#metrics?.controller.terminalReconcileErrors.inc(labels);
      this.queue.forget(key);
      log.error("reconcile failed terminally; not retrying", { err });
    } else {
      this.queue.addRateLimited(key);
      log.error("reconcile failed; retrying", { err, retries: this.queue.numRequeues(key) });
    }
    return "error";
  }

  #record(outcome: Outcome, seconds: number): void {
    this.#metrics?.controller.reconcileTotal.inc({ controller: this.name, result: outcome });
    this.#metrics?.controller.reconcileTime.observe({ controller: this.name }, seconds);
  }

  #setActive(delta: number): void {
    this.#active += delta;
    this.#metrics?.controller.activeWorkers.set({ controller: this.name }, this.#active);
  }
}

/** The closest thing to a Go panic: a thrown non-Error or a runtime TypeError/ReferenceError. */
function isProgrammingError(err: unknown): boolean {
  return !(err instanceof Error) || err instanceof TypeError || err instanceof ReferenceError;
}
