import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock, flushMicrotasks } from "../clock/index.ts";
import type { KubeObject } from "../client/index.ts";
import { createRegistry, RuntimeMetrics } from "../metrics/index.ts";
import { Controller } from "./controller.ts";
import { forOwner, generationChanged } from "./handlers.ts";
import { TerminalError, type ReconcileContext, type Request, type Result } from "./types.ts";

type Behaviour = (req: Request, call: number, ctx: ReconcileContext) => Promise<Result>;

interface Harness {
  clock: FakeClock;
  controller: Controller;
  calls: { key: string; at: number }[];
  registry: ReturnType<typeof createRegistry>;
  stop: AbortController;
  running: Promise<void>;
}

function start(behaviour: Behaviour, concurrency = 2): Harness {
  const clock = new FakeClock();
  const registry = createRegistry();
  const calls: { key: string; at: number }[] = [];
  const perKey = new Map<string, number>();
  const controller = new Controller({
    name: "test",
    clock,
    concurrency,
    metrics: new RuntimeMetrics(registry),
    reconciler: {
      reconcile: (ctx, req) => {
        const key = `${req.namespace}/${req.name}`;
        const n = (perKey.get(key) ?? 0) + 1;
        perKey.set(key, n);
        calls.push({ key, at: clock.now() });
        return behaviour(req, n, ctx);
      },
    },
  });
  const stop = new AbortController();
  const running = controller.start(stop.signal);
  return { clock, controller, calls, registry, stop, running };
}

async function stopped(h: Harness): Promise<void> {
  h.stop.abort();
  await h.clock.advance(60_000);
  await h.running;
}

describe("Controller workers", () => {
  it("reconciles an enqueued key once and forgets it on success", async () => {
    const h = start(() => Promise.resolve({}));
    h.controller.enqueue({ namespace: "ns", name: "a" });
    await h.clock.advance(0);
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["ns/a"],
    );
    assert.equal(h.controller.queue.numRequeues("ns/a"), 0);
    const text = await h.registry.metrics();
    assert.ok(
      text.includes('controller_runtime_reconcile_total{controller="test",result="success"} 1'),
    );
    await stopped(h);
  });

  it("retries errors with backoff 1 s, 2 s, 4 s, then forgets on success", async () => {
    const h = start((_req, call) =>
      call <= 3 ? Promise.reject(new Error("boom")) : Promise.resolve({}),
    );
    const t0 = h.clock.now();
    h.controller.enqueue({ namespace: "ns", name: "a" });
    await h.clock.advance(10_000);
    assert.deepEqual(
      h.calls.map((c) => c.at - t0),
      [0, 1000, 3000, 7000],
    );
    assert.equal(h.controller.queue.numRequeues("ns/a"), 0);
    const text = await h.registry.metrics();
    assert.ok(
      text.includes('controller_runtime_reconcile_total{controller="test",result="error"} 3'),
    );
    assert.ok(text.includes('controller_runtime_reconcile_errors_total{controller="test"} 3'));
    await stopped(h);
  });

  it("never retries a TerminalError (also when it is a cause)", async () => {
    const h = start(() =>
      Promise.reject(new Error("wrapped", { cause: new TerminalError("bad spec") })),
    );
    h.controller.enqueue({ namespace: "ns", name: "a" });
    await h.clock.advance(60_000);
    assert.equal(h.calls.length, 1);
    const text = await h.registry.metrics();
    assert.ok(
      text.includes('controller_runtime_terminal_reconcile_errors_total{controller="test"} 1'),
    );
    await stopped(h);
  });

  it("requeues after Result.requeueAfter", async () => {
    const h = start(() => Promise.resolve({ requeueAfter: 5000 }));
    const t0 = h.clock.now();
    h.controller.enqueue({ namespace: "ns", name: "a" });
    await h.clock.advance(12_000);
    assert.deepEqual(
      h.calls.map((c) => c.at - t0),
      [0, 5000, 10000],
    );
    const text = await h.registry.metrics();
    assert.ok(
      text.includes(
        'controller_runtime_reconcile_total{controller="test",result="requeue_after"} 3',
      ),
    );
    await stopped(h);
  });

  it("runs different keys concurrently but never the same key twice at once", async () => {
    const gates: (() => void)[] = [];
    let inFlight = 0;
    let peak = 0;
    const running = new Set<string>();
    let sameKeyOverlap = false;
    const h = start(async (req) => {
      if (running.has(req.name)) sameKeyOverlap = true;
      running.add(req.name);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((r) => gates.push(r));
      inFlight--;
      running.delete(req.name);
      return {};
    }, 3);
    for (const name of ["a", "b", "c", "d"]) h.controller.enqueue({ namespace: "ns", name });
    await flushMicrotasks();
    assert.equal(inFlight, 3, "bounded by concurrency");
    h.controller.enqueue({ namespace: "ns", name: "a" }); // while a is in flight
    h.controller.enqueue({ namespace: "ns", name: "a" }); // de-duplicated
    while (gates.length > 0) {
      gates.shift()!();
      await flushMicrotasks();
    }
    assert.equal(sameKeyOverlap, false);
    assert.equal(peak, 3);
    assert.deepEqual(
      h.calls.map((c) => c.key),
      ["ns/a", "ns/b", "ns/c", "ns/d", "ns/a"],
      "the re-add ran once, after the first",
    );
    await stopped(h);
  });

  it("reports a stall when work is pending and nothing finishes", async () => {
    const h = start(() => new Promise<Result>(() => undefined), 1);
    h.controller.enqueue({ namespace: "ns", name: "hang" });
    await h.clock.advance(0);
    assert.equal(h.controller.stalled(60_000), false);
    await h.clock.advance(61_000);
    assert.equal(h.controller.stalled(60_000), true);
    await stopped(h);
  });

  it("aborts in-flight reconciles that outlive the shutdown bound", async () => {
    let aborted = false;
    const h = start(
      (_req, _n, ctx) =>
        new Promise<Result>((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            resolve({});
          });
        }),
      1,
    );
    h.controller.enqueue({ namespace: "ns", name: "slow" });
    await h.clock.advance(0);
    await stopped(h);
    assert.equal(aborted, true);
  });

  it("maps events: owner references and the generation predicate", () => {
    const clock = new FakeClock();
    const c = new Controller({
      name: "m",
      clock,
      reconciler: { reconcile: () => Promise.resolve({}) },
    });
    const owned = c.eventHandler<KubeObject>({
      map: forOwner("external-secrets.io", "ExternalSecret"),
    });
    owned.onAdd?.(
      {
        metadata: {
          namespace: "ns",
          name: "secret",
          ownerReferences: [
            {
              apiVersion: "external-secrets.io/v1",
              kind: "ExternalSecret",
              name: "es",
              uid: "u",
              controller: true,
            },
          ],
        },
      },
      false,
    );
    owned.onAdd?.({ metadata: { namespace: "ns", name: "orphan" } }, false);
    const primary = c.eventHandler<KubeObject>({ predicate: generationChanged() });
    primary.onUpdate?.(
      { metadata: { namespace: "ns", name: "p", generation: 1 } },
      { metadata: { namespace: "ns", name: "p", generation: 1 } },
    );
    assert.equal(c.queue.len(), 1);
    primary.onUpdate?.(
      { metadata: { namespace: "ns", name: "p", generation: 1 } },
      { metadata: { namespace: "ns", name: "p", generation: 2 } },
    );
    assert.equal(c.queue.len(), 2);
  });
});
