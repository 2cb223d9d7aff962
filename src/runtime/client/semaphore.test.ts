import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Semaphore } from "./semaphore.ts";

describe("Semaphore", () => {
  it("never lets more than the limit run at once", async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const tasks = Array.from({ length: 5 }, () =>
      sem.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      }),
    );
    while (gates.length > 0 || sem.inUse > 0) {
      await new Promise((r) => setImmediate(r));
      gates.shift()?.();
    }
    await Promise.all(tasks);
    assert.equal(peak, 2);
    assert.equal(sem.inUse, 0);
  });

  it("releases on rejection and ignores double release", async () => {
    const sem = new Semaphore(1);
    await assert.rejects(sem.run(() => Promise.reject(new Error("x"))));
    const release = await sem.acquire();
    release();
    release();
    assert.equal(sem.inUse, 0);
  });
});
