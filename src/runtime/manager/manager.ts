// The manager runs everything in order (architecture.md §5.6):
//   HTTP servers → informers (wait for sync) → runnables that do not need
//   leadership → leader election → leader-gated runnables (controllers);
// and stops in reverse: controllers drain, the Lease is released, informers
// stop, servers close.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { sleep, systemClock, whenAborted, type Clock } from "../clock/index.ts";
import { Informer, type InformerOptions } from "../cache/index.ts";
import { describeResource, type KubeClient, type KubeObject } from "../client/index.ts";
import { Controller, type ControllerOptions } from "../controller/index.ts";
import {
  ESO_LEADER_ELECTION_ID,
  LeaderElector,
  kubeLeaseLock,
  type StopReason,
} from "../leaderelection/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import { createRegistry, RuntimeMetrics, type Registry } from "../metrics/index.ts";
import { EndpointServer, parseBindAddress, type CheckResult } from "./http-server.ts";

export interface Runnable {
  readonly name: string;
  /** Controllers: true. Servers and caches: false. */
  readonly needLeaderElection: boolean;
  /** Runs until `signal` aborts; resolves when fully stopped. */
  start(signal: AbortSignal): Promise<void>;
}

export interface LeaderElectionConfig {
  readonly namespace: string;
  /** Default ESO's "external-secrets-controller". */
  readonly name?: string;
  /** Default `${hostname}_${uuid}`. */
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface ManagerOptions {
  readonly client: KubeClient;
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** e.g. ":8080"; "0" or omitted disables. */
  readonly metricsAddr?: string;
  /** e.g. ":8081"; may equal metricsAddr. "0" or omitted disables. */
  readonly healthAddr?: string;
  /** Omitted: no leader election (ESO's default). */
  readonly leaderElection?: LeaderElectionConfig;
  /** Bound on stopping leader-gated runnables. Default 30 s. */
  readonly gracefulShutdownMs?: number;
  /** Liveness fails when a controller has work but finished nothing for this long. Default 5 min. */
  readonly livenessStallMs?: number;
  /** Bound on the initial cache sync. Default 2 min. */
  readonly cacheSyncTimeoutMs?: number;
  /** Called when the Lease is lost. Default: exit the process with code 1. */
  readonly onLeaderLost?: () => void;
  readonly clock?: Clock;
}

export class CacheSyncTimeoutError extends Error {
  override readonly name = "CacheSyncTimeoutError";
}

export class Manager {
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: RuntimeMetrics;
  readonly #o: ManagerOptions;
  readonly #clock: Clock;
  readonly #informers = new Map<string, Informer<KubeObject>>();
  readonly #controllers: Controller[] = [];
  readonly #runnables: Runnable[] = [];
  readonly #servers: EndpointServer[] = [];
  #elector: LeaderElector | undefined;
  #electionEnded = false;
  #started = false;
  #addresses: { metrics?: string; health?: string } = {};

  constructor(options: ManagerOptions) {
    this.#o = options;
    this.client = options.client;
    this.logger = options.logger ?? discardLogger();
    this.registry = options.registry ?? createRegistry();
    this.metrics = new RuntimeMetrics(this.registry);
    this.#clock = options.clock ?? systemClock();
  }

  /** The addresses the HTTP servers bound (after start), e.g. for tests with port 0. */
  get addresses(): { readonly metrics?: string; readonly health?: string } {
    return this.#addresses;
  }

  /** An informer shared by everyone asking for the same resource, scope, selectors and projection. */
  informer<T extends KubeObject>(
    options: Omit<InformerOptions<T>, "client" | "clock" | "logger">,
  ): Informer<T> {
    const key = informerKey(options);
    const existing = this.#informers.get(key);
    if (existing !== undefined) return existing as unknown as Informer<T>;
    this.#assertNotStarted("informer");
    const informer = new Informer<T>({
      ...options,
      client: this.client,
      clock: this.#clock,
      logger: this.logger,
    });
    this.#informers.set(key, informer as unknown as Informer<KubeObject>);
    return informer;
  }

  controller(options: Omit<ControllerOptions, "clock" | "logger" | "metrics">): Controller {
    this.#assertNotStarted("controller");
    const controller = new Controller({
      ...options,
      clock: this.#clock,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.#controllers.push(controller);
    return controller;
  }

  add(runnable: Runnable): void {
    this.#assertNotStarted("runnable");
    this.#runnables.push(runnable);
  }

  /** Keys ready for a worker in every controller's queue: > 0 means the workers cannot keep up. */
  backlog(): number {
    let total = 0;
    for (const c of this.#controllers) total += c.queue.len();
    return total;
  }

  /** Keys ready or being reconciled in every controller's queue: 0 means idle. */
  activeWork(): number {
    let total = 0;
    for (const c of this.#controllers) total += c.queue.len() + c.queue.processingCount();
    return total;
  }

  /** Without leader election every started manager leads. */
  isLeader(): boolean {
    if (this.#o.leaderElection === undefined) return this.#started;
    return this.#elector?.isLeader() ?? false;
  }

  healthz(): CheckResult {
    const reasons: string[] = [];
    const bound = this.#o.livenessStallMs ?? 5 * 60_000;
    for (const c of this.#controllers) {
      if (c.stalled(bound))
        reasons.push(
          `controller ${c.name}: work pending, no reconcile finished in ${bound / 1000}s`,
        );
    }
    const now = this.#clock.now();
    for (const i of this.#informers.values()) {
      if (this.#started && now - i.lastProgressAt() > i.watchdogMs)
        reasons.push(`informer ${i.name}: silent past its watchdog`);
    }
    return { ok: reasons.length === 0, reasons };
  }

  readyz(): CheckResult {
    const reasons: string[] = [];
    for (const i of this.#informers.values())
      if (!i.hasSynced()) reasons.push(`informer ${i.name}: not synced`);
    if (this.#elector !== undefined && this.#electionEnded) reasons.push("leader election ended");
    if (!this.#started) reasons.push("manager not started");
    return { ok: reasons.length === 0, reasons };
  }

  /** Runs until `signal` aborts, then shuts down gracefully. Rejects when startup fails. */
  async start(signal: AbortSignal): Promise<void> {
    this.#assertNotStarted("start");
    this.#started = true;
    const caches = new AbortController();
    const informerRuns: Promise<void>[] = [];
    try {
      await this.#startServers();
      for (const i of this.#informers.values()) informerRuns.push(i.run(caches.signal));
      await this.#waitForCaches(signal);
      const others = this.#runnables
        .filter((r) => !r.needLeaderElection)
        .map((r) => this.#run(r, signal));
      await this.#lead(signal);
      await Promise.all(others);
    } finally {
      caches.abort();
      await Promise.all(informerRuns);
      await this.#stopServers();
      this.logger.info("manager stopped");
    }
  }

  async #lead(signal: AbortSignal): Promise<void> {
    const gated: Runnable[] = [
      ...this.#controllers,
      ...this.#runnables.filter((r) => r.needLeaderElection),
    ];
    const config = this.#o.leaderElection;
    if (config === undefined) {
      await this.#runGated(gated, signal);
      return;
    }
    let gatedRuns: Promise<void> | undefined;
    const gatedStop = new AbortController();
    const elector = this.#newElector(config, (leading) => {
      gatedRuns = this.#runGated(gated, AbortSignal.any([leading, gatedStop.signal]));
    });
    this.#elector = elector;
    // Controllers stop (and drain) before the Lease is released.
    const election = new AbortController();
    const reason = elector.run(AbortSignal.any([election.signal]));
    await Promise.race([whenAborted(signal), reason]);
    gatedStop.abort();
    await gatedRuns;
    election.abort();
    this.#onElectionEnd(await reason, signal);
  }

  #newElector(
    config: LeaderElectionConfig,
    onStartedLeading: (signal: AbortSignal) => void,
  ): LeaderElector {
    return new LeaderElector({
      lock: kubeLeaseLock(this.client),
      namespace: config.namespace,
      name: config.name ?? ESO_LEADER_ELECTION_ID,
      identity: config.identity ?? `${hostname()}_${randomUUID()}`,
      ...(config.leaseDurationMs === undefined ? {} : { leaseDurationMs: config.leaseDurationMs }),
      ...(config.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: config.renewDeadlineMs }),
      ...(config.retryPeriodMs === undefined ? {} : { retryPeriodMs: config.retryPeriodMs }),
      clock: this.#clock,
      logger: this.logger,
      metrics: this.metrics.leaderElection,
      onStartedLeading,
    });
  }

  #onElectionEnd(reason: StopReason, signal: AbortSignal): void {
    this.#electionEnded = true;
    if (reason === "released" || signal.aborted) return;
    this.logger.error("leader election lost; exiting");
    if (this.#o.onLeaderLost !== undefined) this.#o.onLeaderLost();
    else process.exit(1);
  }

  async #runGated(gated: readonly Runnable[], signal: AbortSignal): Promise<void> {
    const runs = gated.map((r) => this.#run(r, signal));
    await whenAborted(signal);
    const bound = sleep(this.#clock, this.#o.gracefulShutdownMs ?? 30_000).then(
      () => "timeout" as const,
    );
    if ((await Promise.race([Promise.all(runs), bound])) === "timeout") {
      this.logger.warn("runnables did not stop within the graceful shutdown bound");
    }
  }

  async #run(r: Runnable, signal: AbortSignal): Promise<void> {
    try {
      await r.start(signal);
    } catch (err) {
      this.logger.error("runnable failed", { runnable: r.name, err });
    }
  }

  async #waitForCaches(signal: AbortSignal): Promise<void> {
    const timeout = new AbortController();
    const timer = this.#clock.setTimeout(() => {
      timeout.abort();
    }, this.#o.cacheSyncTimeoutMs ?? 120_000);
    const waitSignal = AbortSignal.any([signal, timeout.signal]);
    try {
      for (const i of this.#informers.values()) {
        if (!(await i.waitForSync(waitSignal)) && !signal.aborted) {
          throw new CacheSyncTimeoutError(`informer ${i.name} did not sync in time`);
        }
      }
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  async #startServers(): Promise<void> {
    const { metricsAddr, healthAddr } = this.#o;
    const metricsOn = metricsAddr !== undefined && parseBindAddress(metricsAddr) !== undefined;
    const healthOn = healthAddr !== undefined && parseBindAddress(healthAddr) !== undefined;
    const probes = { healthz: () => this.healthz(), readyz: () => this.readyz() };
    if (metricsOn && healthOn && metricsAddr === healthAddr) {
      const addr = await this.#listen(
        new EndpointServer({ metrics: this.registry, ...probes }),
        metricsAddr,
      );
      this.#addresses = { metrics: addr, health: addr };
      return;
    }
    if (metricsOn)
      this.#addresses = {
        ...this.#addresses,
        metrics: await this.#listen(new EndpointServer({ metrics: this.registry }), metricsAddr),
      };
    if (healthOn)
      this.#addresses = {
        ...this.#addresses,
        health: await this.#listen(new EndpointServer(probes), healthAddr),
      };
  }

  async #listen(server: EndpointServer, addr: string): Promise<string> {
    const bound = await server.listen(addr);
    this.#servers.push(server);
    this.logger.info("serving", { address: bound });
    return bound;
  }

  async #stopServers(): Promise<void> {
    await Promise.all(this.#servers.splice(0).map((s) => s.close()));
  }

  #assertNotStarted(what: string): void {
    if (this.#started) throw new Error(`manager already started; cannot add ${what}`);
  }
}

function informerKey(o: Omit<InformerOptions<KubeObject>, "client" | "clock" | "logger">): string {
  return JSON.stringify([
    describeResource(o.resource),
    o.resource.version,
    o.namespace ?? "",
    o.labelSelector ?? "",
    o.fieldSelector ?? "",
    o.metadataOnly === true,
  ]);
}

/** An AbortSignal that aborts on SIGTERM or SIGINT; a second signal exits at once. */
export function shutdownSignal(logger: Logger = discardLogger()): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      logger.warn("second signal, exiting now", { signal: name });
      process.exit(1);
    }
    logger.info("shutting down", { signal: name });
    controller.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return controller.signal;
}
