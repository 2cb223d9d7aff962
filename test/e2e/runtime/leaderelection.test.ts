// Two managers campaign for one Lease on the real apiserver: exactly one
// leads and runs its controller; stopping it hands over to the other.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LEASES } from "../../../src/runtime/client/index.ts";
import type { Lease } from "../../../src/runtime/leaderelection/index.ts";
import { Manager } from "../../../src/runtime/manager/index.ts";
import { createNamespace, eventually, kube } from "../framework/env.ts";
import { realClient } from "./helpers.ts";

const k = kube();

interface Running {
  readonly manager: Manager;
  readonly stop: AbortController;
  readonly done: Promise<void>;
  readonly reconciled: string[];
}

function startManager(namespace: string, identity: string): Running {
  const reconciled: string[] = [];
  const manager = new Manager({
    client: realClient(),
    leaderElection: {
      namespace,
      name: "ferry-e2e-lease",
      identity,
      leaseDurationMs: 4000,
      renewDeadlineMs: 3000,
      retryPeriodMs: 500,
    },
    healthAddr: "127.0.0.1:0",
    metricsAddr: "127.0.0.1:0",
    onLeaderLost: () => {
      throw new Error(`${identity} lost the lease unexpectedly`);
    },
  });
  const controller = manager.controller({
    name: "noop",
    reconciler: {
      reconcile: (_ctx, req) => {
        reconciled.push(req.name);
        return Promise.resolve({});
      },
    },
  });
  controller.enqueue({ namespace, name: identity });
  const stop = new AbortController();
  return { manager, stop, reconciled, done: manager.start(stop.signal) };
}

describe("runtime leader election (e2e)", () => {
  let ns: { name: string; remove: () => Promise<void> };
  const running: Running[] = [];

  before(async () => {
    ns = await createNamespace(k.core, "rt-leader");
  });
  after(async () => {
    for (const r of running) r.stop.abort();
    await Promise.all(running.map((r) => r.done));
    await ns.remove();
  });

  it("elects exactly one leader and hands over when it stops", async () => {
    const a = startManager(ns.name, "manager-a");
    const b = startManager(ns.name, "manager-b");
    running.push(a, b);
    await eventually("a leader", () =>
      Promise.resolve(a.manager.isLeader() || b.manager.isLeader()),
    );
    const [leader, standby] = a.manager.isLeader() ? [a, b] : [b, a];
    // Several renew periods later, still exactly one leader; only it reconciled.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(a.manager.isLeader() !== b.manager.isLeader(), true, "exactly one leader");
    await eventually("the leader's controller to run", () =>
      Promise.resolve(leader.reconciled.length > 0),
    );
    assert.deepEqual(standby.reconciled, [], "the standby's controller does not run");

    const client = realClient();
    const lease = await client.get<Lease>(LEASES, "ferry-e2e-lease", { namespace: ns.name });
    const leaderIdentity = leader === a ? "manager-a" : "manager-b";
    assert.equal(lease.spec?.holderIdentity, leaderIdentity);

    // Readiness and metrics are served by both.
    for (const r of [a, b]) {
      const ready = await fetch(`http://${r.manager.addresses.health ?? ""}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
    }
    const metrics = await (
      await fetch(`http://${leader.manager.addresses.metrics ?? ""}/metrics`)
    ).text();
    assert.ok(metrics.includes('leader_election_master_status{name="ferry-e2e-lease"} 1'));

    leader.stop.abort();
    await leader.done;
    const released = await client.get<Lease>(LEASES, "ferry-e2e-lease", { namespace: ns.name });
    assert.notEqual(released.spec?.holderIdentity, leaderIdentity, "released on graceful shutdown");
    // Handed over within the lease duration (4 s) — the release makes it immediate.
    await eventually(
      "the standby to take over",
      () => Promise.resolve(standby.manager.isLeader()),
      4000,
    );
    await eventually("the new leader's controller to run", () =>
      Promise.resolve(standby.reconciled.length > 0),
    );
    const taken = await client.get<Lease>(LEASES, "ferry-e2e-lease", { namespace: ns.name });
    assert.equal(taken.spec?.leaseTransitions, 1);
  });
});
