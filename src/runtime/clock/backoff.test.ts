import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExponentialBackoff } from "./backoff.ts";

describe("ExponentialBackoff", () => {
  it("doubles from 1 s up to 30 s and resets", () => {
    const b = new ExponentialBackoff({ random: () => 0 });
    const delays = Array.from({ length: 7 }, () => b.next());
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    b.reset();
    assert.equal(b.next(), 1000);
  });

  it("jitters downwards only, within the configured fraction", () => {
    const b = new ExponentialBackoff({ random: () => 1, jitter: 0.2 });
    assert.equal(b.next(), 800);
  });
});
