import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../clock/index.ts";
import { DelayedKeys } from "./delayed.ts";

function setUp(): { clock: FakeClock; due: string[]; keys: DelayedKeys<string> } {
  const clock = new FakeClock();
  const due: string[] = [];
  const keys = new DelayedKeys<string>(clock, (key, lane) => due.push(`${key}:${lane}`));
  return { clock, due, keys };
}

describe("DelayedKeys", () => {
  it("hands keys out in due order behind a single timer", async () => {
    const { clock, due, keys } = setUp();
    const delays = [500, 100, 900, 300, 700, 200, 800, 400, 600, 1000];
    delays.forEach((ms, i) => {
      keys.add(`k${String(i)}`, ms, "refresh");
    });
    assert.equal(clock.pendingTimers(), 1);
    assert.equal(keys.size, 10);
    await clock.advance(450);
    assert.deepEqual(due, ["k1:refresh", "k5:refresh", "k3:refresh", "k7:refresh"]);
    await clock.advance(1000);
    assert.equal(due.length, 10);
    assert.equal(keys.size, 0);
    assert.equal(clock.pendingTimers(), 0);
  });

  it("keeps the earliest time of a key added twice, with its lane", async () => {
    const { clock, due, keys } = setUp();
    keys.add("a", 1000, "refresh");
    keys.add("a", 100, "user");
    keys.add("a", 5000, "refresh");
    await clock.advance(100);
    assert.deepEqual(due, ["a:user"]);
    await clock.advance(5000);
    assert.deepEqual(due, ["a:user"], "the superseded entries never fire");
  });

  it("re-arms for an earlier key and forgets everything on clear", async () => {
    const { clock, due, keys } = setUp();
    keys.add("late", 10_000, "refresh");
    keys.add("soon", 10, "refresh");
    await clock.advance(10);
    assert.deepEqual(due, ["soon:refresh"]);
    keys.clear();
    assert.equal(clock.pendingTimers(), 0);
    await clock.advance(20_000);
    assert.deepEqual(due, ["soon:refresh"]);
  });

  it("orders 1,000 random delays", async () => {
    const { clock, due, keys } = setUp();
    const delays = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) + 1);
    delays.forEach((ms, i) => {
      keys.add(String(i), ms, "r");
    });
    await clock.advance(1001);
    const times = due.map((d) => delays[Number(d.split(":")[0])] ?? -1);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(due.length, 1000);
  });
});
