import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SingleFlight } from "./single-flight.ts";

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("SingleFlight", () => {
  it("concurrent calls with one key share one fetch", async () => {
    const flight = new SingleFlight();
    const d = deferred<string>();
    let fetches = 0;
    const fetch = (): Promise<string> => {
      fetches++;
      return d.promise;
    };
    const a = flight.run("k", fetch);
    const b = flight.run("k", fetch);
    assert.equal(a.shared, false);
    assert.equal(b.shared, true);
    d.resolve("v");
    assert.deepEqual(await Promise.all([a.promise, b.promise]), ["v", "v"]);
    assert.equal(fetches, 1);
  });

  it("without a window nothing is remembered once settled", async () => {
    const flight = new SingleFlight();
    await flight.run("k", () => Promise.resolve(1)).promise;
    assert.equal(flight.size, 0);
    assert.equal(flight.run("k", () => Promise.resolve(2)).shared, false);
  });

  it("with a window a success is reused until it expires; a failure never is", async () => {
    let now = 0;
    const flight = new SingleFlight({ windowMs: 1000, now: () => now });
    await flight.run("k", () => Promise.resolve("first")).promise;
    now = 999;
    const again = flight.run("k", () => Promise.resolve("second"));
    assert.equal(again.shared, true);
    assert.equal(await again.promise, "first");
    now = 1000;
    assert.equal(await flight.run("k", () => Promise.resolve("third")).promise, "third");

    await assert.rejects(flight.run("bad", () => Promise.reject(new Error("x"))).promise);
    assert.equal(flight.run("bad", () => Promise.resolve("ok")).shared, false);
  });

  it("forget(prefix) drops matching keys only", async () => {
    const flight = new SingleFlight({ windowMs: 60_000 });
    await flight.run("store|a", () => Promise.resolve(1)).promise;
    await flight.run("store|b", () => Promise.resolve(1)).promise;
    await flight.run("other|a", () => Promise.resolve(1)).promise;
    flight.forget("store|");
    assert.equal(flight.size, 1);
    assert.equal(flight.run("other|a", () => Promise.resolve(2)).shared, true);
  });

  it("stays within maxEntries", async () => {
    const flight = new SingleFlight({ windowMs: 60_000, maxEntries: 10 });
    for (let i = 0; i < 100; i++)
      await flight.run(`k${String(i)}`, () => Promise.resolve(i)).promise;
    assert.ok(flight.size <= 10, `size ${String(flight.size)}`);
  });
});
