import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../clock/index.ts";
import {
  ItemExponentialRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from "./rate-limiter.ts";

describe("rate limiters", () => {
  it("per item: 1 s, 2 s, 4 s … capped at 7 min, per key, reset by forget", () => {
    const l = new ItemExponentialRateLimiter();
    const delays = Array.from({ length: 12 }, () => l.when("a"));
    assert.deepEqual(
      delays,
      [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 420000, 420000, 420000],
    );
    assert.equal(l.when("b"), 1000, "keys are independent");
    assert.equal(l.numRequeues("a"), 12);
    l.forget("a");
    assert.equal(l.numRequeues("a"), 0);
    assert.equal(l.when("a"), 1000);
  });

  it("token bucket: a burst of 100 is free, then 10 per second", async () => {
    const clock = new FakeClock();
    const l = new TokenBucketRateLimiter(clock, 10, 100);
    const burst = Array.from({ length: 100 }, () => l.when());
    assert.ok(burst.every((d) => d === 0));
    assert.deepEqual([l.when(), l.when(), l.when()], [100, 200, 300]);
    await clock.advance(1000);
    // 10 tokens came back, 3 were already owed.
    assert.equal(l.when(), 0);
  });

  it("ESO's default is the max of both", () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    assert.equal(l.when("a"), 1000);
    assert.equal(l.when("a"), 2000);
    for (let i = 0; i < 200; i++) l.when(`k${i}`);
    // The bucket is exhausted: a fresh key waits for the bucket, not 1 s.
    assert.ok(l.when("fresh") > 1000);
  });
});
