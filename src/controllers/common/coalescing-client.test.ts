import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SecretsClient } from "../../providers/provider.ts";
import { coalescedClient, ReadCoalescer } from "./coalescing-client.ts";

const ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};

function countingClient(): { client: SecretsClient; calls: string[]; release: () => void } {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const client = {
    getSecret: async (_c: unknown, ref: { key: string }) => {
      calls.push(ref.key);
      await gate;
      if (ref.key === "fails") throw new Error("boom");
      return new Uint8Array(Buffer.from(`v-${ref.key}`));
    },
  } as unknown as SecretsClient;
  return {
    client,
    calls,
    release: () => {
      release();
    },
  };
}

describe("ReadCoalescer", () => {
  it("turns 500 concurrent reads of one key into one provider call", async () => {
    const { client, calls, release } = countingClient();
    const coalescer = new ReadCoalescer({ now: () => 0 });
    const shared = coalescedClient(client, coalescer, 0);
    const reads = Array.from({ length: 500 }, () => shared.getSecret(ctx, { key: "db" }));
    release();
    const values = await Promise.all(reads);
    assert.equal(calls.length, 1);
    assert.equal(coalescer.stats.providerReads, 1);
    assert.equal(coalescer.stats.sharedReads, 499);
    assert.ok(values.every((v) => Buffer.from(v).toString() === "v-db"));
  });

  it("reuses a finished read within the window, then reads again", async () => {
    let now = 0;
    const { client, calls, release } = countingClient();
    release();
    const coalescer = new ReadCoalescer({ now: () => now });
    const shared = coalescedClient(client, coalescer, 5_000);
    await shared.getSecret(ctx, { key: "db" });
    now = 4_000;
    await shared.getSecret(ctx, { key: "db" });
    assert.equal(calls.length, 1);
    now = 5_001;
    await shared.getSecret(ctx, { key: "db" });
    assert.equal(calls.length, 2);
    // A caller asking for fresh data (maxAge 0) never gets a remembered one.
    await coalescedClient(client, coalescer, 0).getSecret(ctx, { key: "db" });
    assert.equal(calls.length, 3);
  });

  it("keeps different refs apart and never remembers errors", async () => {
    const { client, calls, release } = countingClient();
    release();
    const coalescer = new ReadCoalescer({ now: () => 0 });
    const shared = coalescedClient(client, coalescer, 60_000);
    await shared.getSecret(ctx, { key: "a" });
    await shared.getSecret(ctx, { key: "a", property: "x" });
    await shared.getSecret(ctx, { key: "a", version: "2" });
    await assert.rejects(shared.getSecret(ctx, { key: "fails" }));
    await assert.rejects(shared.getSecret(ctx, { key: "fails" }));
    assert.deepEqual(calls, ["a", "a", "a", "fails", "fails"]);
  });
});
