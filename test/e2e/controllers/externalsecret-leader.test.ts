// Two `ferry controller` replicas with leader election: only the leader
// reconciles ExternalSecrets; when it stops, the other one takes over within
// the lease duration and syncs a new ExternalSecret.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, uniqueName } from "../framework/env.ts";
import { installCrds, startTestController, testClient, type TestController } from "./framework.ts";
import { createEs, createFakeStore, Namespaces, waitReady, waitSecret } from "./es-helpers.ts";

const client = testClient();
const LEASE_MS = 4000;

function syncCalls(metrics: string): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("externalsecret_sync_calls_total"))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

const spec = (ns: string, target: string) => ({
  refreshInterval: "1h",
  secretStoreRef: { name: ns, kind: "SecretStore" },
  target: { name: target },
  data: [{ secretKey: "k", remoteRef: { key: "k" } }],
});

describe("ExternalSecret controller with leader election (e2e)", () => {
  const replicas: TestController[] = [];
  const namespaces = new Namespaces();
  let ns: string;

  before(async () => {
    await installCrds();
    ns = (await namespaces.create("es-leader")).name;
    const options = {
      enableLeaderElection: true,
      leaderElectionNamespace: ns,
      leaderElectionId: uniqueName("ferry-le"),
      leaderElectionLeaseDurationMs: LEASE_MS,
      leaderElectionRenewDeadlineMs: 3000,
      leaderElectionRetryPeriodMs: 500,
    };
    replicas.push(await startTestController(options));
    replicas.push(await startTestController(options));
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await namespaces.removeAll();
  });

  it("only the leader reconciles; the other one takes over when it stops", async () => {
    await eventually("one leader", () =>
      Promise.resolve(replicas.filter((r) => r.mgr.isLeader()).length === 1),
    );
    const leader = replicas.find((r) => r.mgr.isLeader())!;
    const standby = replicas.find((r) => r !== leader)!;

    await createFakeStore(client, ns, [{ key: "k", value: "v" }]);
    await createEs(client, ns, "es-one", spec(ns, "t-one"));
    await waitSecret(client, ns, "t-one");
    await waitReady(client, ns, "es-one", { status: "True" });
    assert.ok(syncCalls(await leader.metrics()) > 0, "the leader reconciled");
    assert.equal(syncCalls(await standby.metrics()), 0, "the standby did not reconcile");
    assert.equal(standby.mgr.isLeader(), false);

    await leader.stop();
    await eventually(
      "the standby to lead",
      () => Promise.resolve(standby.mgr.isLeader()),
      LEASE_MS + 10_000,
    );

    await createEs(client, ns, "es-two", spec(ns, "t-two"));
    await waitSecret(client, ns, "t-two");
    await waitReady(client, ns, "es-two", { status: "True" });
    assert.ok(syncCalls(await standby.metrics()) > 0, "the new leader reconciled");
  });
});
