import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../clock/index.ts";
import { createRegistry, RuntimeMetrics } from "../metrics/index.ts";
import { LeaderElector, type LeaderElectionOptions, type StopReason } from "./elector.ts";
import { FakeLeaseLock } from "./lease.ts";

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  result: Promise<StopReason>;
  stopped: StopReason[];
  leaderSignal: AbortSignal | undefined;
}

function candidate(
  clock: FakeClock,
  lock: FakeLeaseLock,
  identity: string,
  extra: Partial<LeaderElectionOptions> = {},
): Candidate {
  const stopped: StopReason[] = [];
  const c: Partial<Candidate> = { stopped };
  const elector = new LeaderElector({
    lock,
    namespace: "ferry",
    identity,
    clock,
    random: () => 0,
    onStartedLeading: (signal) => {
      c.leaderSignal = signal;
    },
    onStoppedLeading: (reason) => stopped.push(reason),
    ...extra,
  });
  const stop = new AbortController();
  return Object.assign(c, { elector, stop, result: elector.run(stop.signal) }) as Candidate;
}

describe("LeaderElector", () => {
  it("acquires a free Lease with ESO's name and sets the metric", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const registry = createRegistry();
    const a = candidate(clock, lock, "a", { metrics: new RuntimeMetrics(registry).leaderElection });
    await clock.advance(0);
    assert.equal(a.elector.isLeader(), true);
    const spec = lock.leases.get("ferry/external-secrets-controller")?.spec;
    assert.ok(spec);
    assert.equal(spec.holderIdentity, "a");
    assert.equal(spec.leaseDurationSeconds, 15);
    assert.match(spec.renewTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(
      (await registry.metrics()).includes(
        'leader_election_master_status{name="external-secrets-controller"} 1',
      ),
    );
    a.stop.abort();
    assert.equal(await a.result, "released");
  });

  it("keeps a standby waiting while the leader renews", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(clock, lock, "a");
    await clock.advance(0);
    const b = candidate(clock, lock, "b");
    await clock.advance(60_000);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.isLeader(), false);
    assert.equal(b.elector.observedLeader(), "a");
    a.stop.abort();
    b.stop.abort();
    await clock.advance(10_000);
    await Promise.all([a.result, b.result]);
  });

  it("hands over at the standby's next retry when the leader releases", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(clock, lock, "a");
    await clock.advance(0);
    const b = candidate(clock, lock, "b");
    await clock.advance(5000);
    a.stop.abort();
    assert.equal(await a.result, "released");
    assert.deepEqual(a.stopped, ["released"]);
    assert.equal(a.leaderSignal?.aborted, true);
    await clock.advance(2000);
    assert.equal(b.elector.isLeader(), true);
    assert.equal(lock.leases.get("ferry/external-secrets-controller")?.spec?.leaseTransitions, 1);
    b.stop.abort();
    await clock.advance(0);
    await b.result;
  });

  it("takes over a crashed leader's Lease only after the lease duration", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(clock, lock, "a", { releaseOnCancel: false });
    await clock.advance(0);
    const b = candidate(clock, lock, "b");
    await clock.advance(3000);
    a.stop.abort(); // no release: as if the process died
    await a.result;
    // b last saw the record change at a's last renew (t=2 s); it expires 15 s later.
    await clock.advance(12_000);
    assert.equal(b.elector.isLeader(), false, "not before the lease expired");
    await clock.advance(4000);
    assert.equal(b.elector.isLeader(), true);
    b.stop.abort();
    await clock.advance(0);
    await b.result;
  });

  it("gives up leadership when it cannot renew within the renew deadline", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(clock, lock, "a");
    await clock.advance(0);
    lock.failWith = new Error("apiserver unreachable");
    await clock.advance(9000);
    assert.equal(a.elector.isLeader(), true, "still within the renew deadline");
    await clock.advance(3000);
    assert.equal(await a.result, "lost");
    assert.deepEqual(a.stopped, ["lost"]);
    assert.equal(a.leaderSignal?.aborted, true);
    assert.equal(a.elector.isLeader(), false);
  });

  it("lets exactly one of two simultaneous candidates win", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(clock, lock, "a");
    const b = candidate(clock, lock, "b");
    await clock.advance(30_000);
    assert.equal([a, b].filter((c) => c.elector.isLeader()).length, 1);
    a.stop.abort();
    b.stop.abort();
    await clock.advance(10_000);
    await Promise.all([a.result, b.result]);
  });

  it("rejects timings that cannot work", () => {
    assert.throws(
      () =>
        new LeaderElector({
          lock: new FakeLeaseLock(),
          namespace: "n",
          identity: "i",
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
        }),
      RangeError,
    );
  });
});
