// Leader election on a Lease, with client-go's algorithm and ESO's defaults
// (ID external-secrets-controller, lease 15 s, renew deadline 10 s, retry 2 s).
//
// - Expiry is judged by the local time at which this process last saw the
//   Lease record change, not by the renewTime written by another node, so
//   clock skew between nodes does not matter.
// - Writes carry metadata.resourceVersion: two candidates can never both win.
// - A leader that cannot renew within the renew deadline has lost: it aborts
//   the leader signal and calls onStoppedLeading("lost"); the manager exits the
//   process (controller-runtime's contract: the binary must exit at once).
// - On cancellation the leader releases the Lease (empty holder, 1 s
//   duration) so that a standby takes over at its next retry.
import { sleep, systemClock, type Clock } from "../clock/index.ts";
import { discardLogger, type Logger } from "../log/index.ts";
import type { LeaderElectionMetrics } from "../metrics/index.ts";
import { microTime, type Lease, type LeaseLock, type LeaseSpec } from "./lease.ts";

export const ESO_LEADER_ELECTION_ID = "external-secrets-controller";

export type StopReason = "lost" | "released";

export interface LeaderElectionOptions {
  readonly lock: LeaseLock;
  readonly namespace: string;
  /** Lease name. Default ESO's "external-secrets-controller". */
  readonly name?: string;
  /** Unique per process, e.g. `${hostname}_${uuid}`. */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Release the Lease when the run is cancelled. Default true. */
  readonly releaseOnCancel?: boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: LeaderElectionMetrics;
  readonly random?: () => number;
  /** Called once leadership is acquired; `signal` aborts when it ends. */
  readonly onStartedLeading?: (signal: AbortSignal) => void;
  readonly onStoppedLeading?: (reason: StopReason) => void;
  readonly onNewLeader?: (identity: string) => void;
}

/** client-go's jitter factor on the retry period while waiting to acquire. */
const JITTER_FACTOR = 1.2;

export class LeaderElector {
  readonly name: string;
  readonly #o: LeaderElectionOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #observed: string | undefined;
  #observedAt = 0;
  #observedHolder = "";
  #leader = false;

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.name = options.name ?? ESO_LEADER_ELECTION_ID;
    this.#clock = options.clock ?? systemClock();
    this.#log = (options.logger ?? discardLogger()).child(
      { lease: `${options.namespace}/${this.name}`, identity: options.identity },
      "leaderelection",
    );
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2000;
    if (
      this.#leaseDurationMs <= this.#renewDeadlineMs ||
      this.#renewDeadlineMs <= this.#retryPeriodMs * JITTER_FACTOR
    ) {
      throw new RangeError(
        "leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod",
      );
    }
    options.metrics?.seed(this.name);
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /** The holder last seen on the Lease ("" when none). */
  observedLeader(): string {
    return this.#observedHolder;
  }

  /** Campaigns, leads, and returns why leadership ended (or "released" if cancelled before winning). */
  async run(signal: AbortSignal): Promise<StopReason> {
    if (!(await this.#acquire(signal))) return "released";
    const leading = new AbortController();
    this.#setLeader(true);
    this.#log.info("acquired the lease, leading");
    this.#o.onStartedLeading?.(leading.signal);
    const reason = await this.#renewLoop(signal);
    if (reason === "released" && this.#o.releaseOnCancel !== false) await this.#release();
    this.#setLeader(false);
    leading.abort();
    if (reason === "lost") this.#log.error("lost the lease");
    else this.#log.info("stopped leading");
    this.#o.onStoppedLeading?.(reason);
    return reason;
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    const random = this.#o.random ?? Math.random;
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      await sleep(this.#clock, this.#retryPeriodMs * (1 + random() * JITTER_FACTOR), signal);
    }
    return false;
  }

  async #renewLoop(signal: AbortSignal): Promise<StopReason> {
    let lastRenew = this.#clock.now();
    for (;;) {
      await sleep(this.#clock, this.#retryPeriodMs, signal);
      if (signal.aborted) return "released";
      if (await this.#tryWithin(this.#renewDeadlineMs - (this.#clock.now() - lastRenew))) {
        lastRenew = this.#clock.now();
      } else if (this.#clock.now() - lastRenew >= this.#renewDeadlineMs) {
        return "lost";
      }
    }
  }

  /** One attempt that counts as failed when it outlasts `budgetMs` (a hung request). */
  async #tryWithin(budgetMs: number): Promise<boolean> {
    const deadline = new AbortController();
    const timeout = sleep(this.#clock, Math.max(0, budgetMs), deadline.signal).then(() => false);
    const attempt = this.#tryAcquireOrRenew();
    const ok = await Promise.race([attempt, timeout]);
    deadline.abort();
    return ok;
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    try {
      const existing = await this.#o.lock.get(this.#o.namespace, this.name);
      if (existing === undefined) return await this.#create();
      this.#observe(existing);
      if (this.#heldByOther(existing)) return false;
      return await this.#update(existing);
    } catch (err) {
      this.#log.debug("lease attempt failed", { err });
      return false;
    }
  }

  #heldByOther(lease: Lease): boolean {
    const holder = lease.spec?.holderIdentity ?? "";
    if (holder === "" || holder === this.#o.identity) return false;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.#leaseDurationMs / 1000) * 1000;
    return this.#observedAt + durationMs > this.#clock.now();
  }

  async #create(): Promise<boolean> {
    const now = microTime(this.#clock.now());
    const spec = this.#spec({ acquireTime: now, renewTime: now, leaseTransitions: 0 });
    const created = await this.#o.lock.create({
      metadata: { name: this.name, namespace: this.#o.namespace },
      spec,
    });
    this.#observe(created);
    return true;
  }

  async #update(existing: Lease): Promise<boolean> {
    const now = microTime(this.#clock.now());
    const mine = existing.spec?.holderIdentity === this.#o.identity;
    const transitions = existing.spec?.leaseTransitions ?? 0;
    const spec = this.#spec({
      acquireTime: mine ? (existing.spec?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: mine ? transitions : transitions + 1,
    });
    const updated = await this.#o.lock.update({ ...existing, spec });
    this.#observe(updated);
    return true;
  }

  #spec(times: Pick<LeaseSpec, "acquireTime" | "renewTime" | "leaseTransitions">): LeaseSpec {
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
      ...times,
    };
  }

  /** Gives the Lease up so that a standby can take it at its next retry. */
  async #release(): Promise<void> {
    try {
      const existing = await this.#o.lock.get(this.#o.namespace, this.name);
      if (existing?.spec?.holderIdentity !== this.#o.identity) return;
      const now = microTime(this.#clock.now());
      await this.#o.lock.update({
        ...existing,
        spec: {
          ...existing.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: now,
          acquireTime: now,
        },
      });
      this.#log.info("released the lease");
    } catch (err) {
      this.#log.warn("releasing the lease failed; it expires on its own", { err });
    }
  }

  #observe(lease: Lease): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record === this.#observed) return;
    this.#observed = record;
    this.#observedAt = this.#clock.now();
    const holder = lease.spec?.holderIdentity ?? "";
    if (holder !== this.#observedHolder) {
      this.#observedHolder = holder;
      if (holder !== "") this.#o.onNewLeader?.(holder);
    }
  }

  #setLeader(leader: boolean): void {
    this.#leader = leader;
    this.#o.metrics?.masterStatus.set({ name: this.name }, leader ? 1 : 0);
  }
}
