import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock, flushMicrotasks } from "../clock/index.ts";
import { createRegistry, RuntimeMetrics } from "../metrics/index.ts";
import { WorkQueue } from "./queue.ts";

function setup(): { clock: FakeClock; q: WorkQueue } {
  const clock = new FakeClock();
  return { clock, q: new WorkQueue({ name: "test", clock }) };
}

/** Takes every ready key without blocking. */
async function drainReady(q: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (q.len() > 0) {
    const k = await q.get();
    if (k === undefined) break;
    keys.push(k);
  }
  return keys;
}

describe("WorkQueue", () => {
  it("de-duplicates keys that are queued", async () => {
    const { q } = setup();
    q.add("ns/a");
    q.add("ns/a");
    q.add("ns/b");
    assert.equal(q.len(), 2);
    assert.deepEqual(await drainReady(q), ["ns/a", "ns/b"]);
  });

  it("never hands out a key in flight; a re-add is processed after done", async () => {
    const { q } = setup();
    q.add("ns/a");
    const first = await q.get();
    assert.equal(first, "ns/a");
    q.add("ns/a");
    q.add("ns/a");
    assert.equal(q.len(), 0, "not ready while in flight");
    q.done("ns/a");
    assert.equal(q.len(), 1, "ready again once done, once");
    assert.equal(await q.get(), "ns/a");
    q.done("ns/a");
    assert.equal(q.len(), 0);
  });

  it("wakes a blocked get when a key arrives", async () => {
    const { q } = setup();
    const pending = q.get();
    q.add("ns/a");
    assert.equal(await pending, "ns/a");
  });

  it("retries with the per-item backoff 1 s, 2 s, 4 s and forget resets it", async () => {
    const { clock, q } = setup();
    const readyAfter: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = clock.now();
      q.addRateLimited("ns/a");
      while (q.len() === 0) await clock.advance(100);
      readyAfter.push(clock.now() - start);
      await q.get();
      q.done("ns/a");
    }
    assert.deepEqual(readyAfter, [1000, 2000, 4000]);
    assert.equal(q.numRequeues("ns/a"), 3);
    q.forget("ns/a");
    assert.equal(q.numRequeues("ns/a"), 0);
  });

  it("addAfter waits, and an earlier time wins over a later one", async () => {
    const { clock, q } = setup();
    q.addAfter("ns/a", 5000);
    q.addAfter("ns/a", 2000);
    q.addAfter("ns/a", 9000);
    assert.equal(q.waitingCount(), 1);
    await clock.advance(1999);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 1);
    await clock.advance(10_000);
    assert.equal(q.len(), 1, "the replaced timers never fire");
  });

  it("hands out user-lane keys before refresh-lane keys", async () => {
    const { clock, q } = setup();
    q.addAfter("ns/refresh-1", 10);
    q.addAfter("ns/refresh-2", 10);
    await clock.advance(10);
    q.add("ns/user-1");
    q.add("ns/user-2");
    assert.deepEqual(await drainReady(q), [
      "ns/user-1",
      "ns/user-2",
      "ns/refresh-1",
      "ns/refresh-2",
    ]);
  });

  it("moves a key from the refresh lane to the user lane when a user add arrives", async () => {
    const { clock, q } = setup();
    q.addAfter("ns/r1", 10);
    q.addAfter("ns/x", 10);
    await clock.advance(10);
    q.add("ns/u1");
    q.add("ns/x");
    assert.deepEqual(await drainReady(q), ["ns/u1", "ns/x", "ns/r1"]);
  });

  it("shutdown stops intake, releases blocked getters and drains in-flight work", async () => {
    const { clock, q } = setup();
    q.add("ns/a");
    q.add("ns/b");
    q.addAfter("ns/c", 1000);
    const inFlight = await q.get();
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => {
      drained = true;
    });
    assert.equal(await q.get(), undefined, "no new work after shutdown");
    q.add("ns/d");
    await clock.advance(5000);
    assert.equal(q.len(), 0);
    await flushMicrotasks();
    assert.equal(drained, false, "waits for the key in flight");
    q.done(inFlight!);
    await drain;
    assert.equal(drained, true);
  });

  it("records metrics: adds, depth, retries, durations", async () => {
    const clock = new FakeClock();
    const registry = createRegistry();
    const metrics = new RuntimeMetrics(registry);
    const q = new WorkQueue({ name: "m", clock, metrics: metrics.workqueue });
    q.add("ns/a");
    q.add("ns/b");
    await q.get();
    await clock.advance(3000);
    assert.equal(q.longestRunningProcessorSeconds(), 3);
    q.addRateLimited("ns/a");
    const text = await registry.metrics();
    assert.ok(text.includes('workqueue_adds_total{controller="m",name="m"} 2'));
    assert.ok(text.includes('workqueue_depth{controller="m",name="m"} 1'));
    assert.ok(text.includes('workqueue_retries_total{controller="m",name="m"} 1'));
    assert.ok(
      text.includes('workqueue_longest_running_processor_seconds{controller="m",name="m"} 3'),
    );
  });
});
