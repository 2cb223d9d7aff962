import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../clock/index.ts";
import { IdleGc } from "./idle-gc.ts";

const MiB = 2 ** 20;

function setUp(): {
  clock: FakeClock;
  state: { busy: boolean; heap: number; gcs: number };
  idle: IdleGc;
} {
  const clock = new FakeClock();
  const state = { busy: true, heap: 50 * MiB, gcs: 0 };
  const idle = new IdleGc({
    clock,
    busy: () => state.busy,
    heapUsed: () => state.heap,
    gc: () => {
      state.gcs++;
      state.heap = 60 * MiB;
    },
    checkEveryMs: 1000,
    growthBytes: 32 * MiB,
  });
  return { clock, state, idle };
}

describe("IdleGc", () => {
  it("collects once after a burst, when idle for a whole interval", async () => {
    const { clock, state, idle } = setUp();
    const stop = new AbortController();
    const running = idle.start(stop.signal);
    state.heap = 200 * MiB; // the burst
    await clock.advance(1000);
    await clock.advance(1000);
    assert.equal(state.gcs, 0, "never while busy");
    state.busy = false;
    await clock.advance(1000);
    assert.equal(state.gcs, 0, "not at the first idle check: the burst may go on");
    await clock.advance(1000);
    assert.equal(state.gcs, 1);
    await clock.advance(5000);
    assert.equal(state.gcs, 1, "no growth since: no further collection");
    stop.abort();
    await running;
  });

  it("leaves a heap that did not grow alone", async () => {
    const { clock, state, idle } = setUp();
    state.busy = false;
    state.heap = 70 * MiB; // +20 MiB
    const stop = new AbortController();
    const running = idle.start(stop.signal);
    await clock.advance(10_000);
    assert.equal(state.gcs, 0);
    stop.abort();
    await running;
  });
});
