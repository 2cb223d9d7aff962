import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock, flushMicrotasks } from "../clock/index.ts";
import { KubeClient, KubeTransportError, type Transport } from "../client/index.ts";
import type { Result } from "../controller/index.ts";
import { parseBindAddress } from "./http-server.ts";
import { Manager } from "./manager.ts";

/** The manager under test never talks to the apiserver: no informers, no leader election. */
const offline: Transport = {
  request: () => Promise.reject(new KubeTransportError("offline", undefined)),
  close: () => undefined,
};

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(check());
}

describe("parseBindAddress", () => {
  const cases: { addr: string; want: ReturnType<typeof parseBindAddress> }[] = [
    { addr: ":8080", want: { host: undefined, port: 8080 } },
    { addr: "127.0.0.1:0", want: { host: "127.0.0.1", port: 0 } },
    { addr: "[::1]:9090", want: { host: "::1", port: 9090 } },
    { addr: "0", want: undefined },
    { addr: "", want: undefined },
  ];
  for (const tc of cases) {
    it(`parses ${JSON.stringify(tc.addr)}`, () => {
      assert.deepEqual(parseBindAddress(tc.addr), tc.want);
    });
  }
  it("rejects a bad port", () => {
    assert.throws(() => parseBindAddress(":99999"), RangeError);
  });
});

describe("Manager", () => {
  it("serves metrics and probes; liveness fails when reconciles stop finishing", async () => {
    const clock = new FakeClock();
    const manager = new Manager({
      client: new KubeClient(offline),
      clock,
      healthAddr: "127.0.0.1:0",
      metricsAddr: "127.0.0.1:0",
      livenessStallMs: 60_000,
    });
    const ran: string[] = [];
    const controller = manager.controller({
      name: "things",
      reconciler: {
        reconcile: (_ctx, req) => {
          ran.push(req.name);
          return req.name === "hang" ? new Promise<Result>(() => undefined) : Promise.resolve({});
        },
      },
    });
    let sideRunnableStopped = false;
    manager.add({
      name: "side",
      needLeaderElection: false,
      start: async (signal) => {
        await new Promise((r) => {
          signal.addEventListener("abort", r);
        });
        sideRunnableStopped = true;
      },
    });
    const stop = new AbortController();
    const done = manager.start(stop.signal);
    await waitFor(() => manager.addresses.health !== undefined && manager.isLeader());
    const base = `http://${manager.addresses.health ?? ""}`;

    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'controller_runtime_reconcile_total{controller="things",result="success"} 0',
      'controller_runtime_max_concurrent_reconciles{controller="things"} 4',
      'workqueue_depth{controller="things",name="things"} 0',
    ]) {
      assert.ok(metrics.includes(name), `missing ${name}`);
    }

    controller.enqueue({ namespace: "ns", name: "ok" });
    await waitFor(() => ran.includes("ok"));
    controller.enqueue({ namespace: "ns", name: "hang" });
    controller.enqueue({ namespace: "ns", name: "hang-too" });
    await waitFor(() => ran.includes("hang"));
    await clock.advance(61_000);
    const live = await fetch(`${base}/healthz`);
    assert.equal(live.status, 500);
    assert.match(await live.text(), /controller things: work pending/);

    stop.abort();
    await flushMicrotasks();
    await clock.advance(31_000); // the shutdown bound for the hanging reconcile
    await clock.advance(31_000);
    await done;
    assert.equal(sideRunnableStopped, true);
    await assert.rejects(fetch(`${base}/healthz`), "the servers are closed");
  });

  it("refuses additions after start", async () => {
    const manager = new Manager({ client: new KubeClient(offline) });
    const stop = new AbortController();
    stop.abort();
    await manager.start(stop.signal);
    assert.throws(() => {
      manager.add({ name: "late", needLeaderElection: false, start: () => Promise.resolve() });
    });
  });
});
