import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newStats } from "./client.ts";
import { TokenCache, type LoginResult, type TokenOps } from "./token-cache.ts";

function fakeOps(
  lease = 100,
  renewable = true,
): TokenOps & { logins: number; renews: string[]; revoked: string[] } {
  const ops = {
    logins: 0,
    renews: [] as string[],
    revoked: [] as string[],
    async login(): Promise<LoginResult> {
      ops.logins++;
      await new Promise((r) => setTimeout(r, 5));
      return { token: `t${ops.logins}`, leaseSeconds: lease, renewable };
    },
    renew(token: string): Promise<LoginResult> {
      ops.renews.push(token);
      return Promise.resolve({ token, leaseSeconds: lease, renewable });
    },
    revoke(token: string): Promise<void> {
      ops.revoked.push(token);
      return Promise.resolve();
    },
  };
  return ops;
}

describe("TokenCache", () => {
  it("shares one in-flight first login and reuses it while fresh", async () => {
    let now = 0;
    const stats = newStats();
    const cache = new TokenCache({ stats, now: () => now });
    const ops = fakeOps();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.token("k", "g", ops)));
    assert.deepEqual(new Set(tokens), new Set(["t1"]));
    now = 79_000; // 21 % of the lease left
    assert.equal(await cache.token("k", "g", ops), "t1");
    assert.equal(stats.logins, 1);
  });

  it("renews a renewable token when less than 20 % is left, logs in when it cannot", async () => {
    let now = 0;
    const stats = newStats();
    const cache = new TokenCache({ stats, now: () => now });
    const ops = fakeOps(100, true);
    await cache.token("k", "g", ops);
    now = 81_000;
    assert.equal(await cache.token("k", "g", ops), "t1");
    assert.deepEqual(ops.renews, ["t1"]);
    assert.equal(stats.renewals, 1);
    const fixed = fakeOps(100, false);
    await cache.token("k2", "g2", fixed);
    now += 81_000;
    assert.equal(await cache.token("k2", "g2", fixed), "t2");
    assert.equal(fixed.renews.length, 0);
  });

  it("a non-expiring token (lease 0) is kept", async () => {
    let now = 0;
    const cache = new TokenCache({ stats: newStats(), now: () => now });
    const ops = fakeOps(0, false);
    await cache.token("k", "g", ops);
    now = 10 ** 12;
    assert.equal(await cache.token("k", "g", ops), "t1");
    assert.equal(ops.logins, 1);
  });

  it("revokes the old token when the store identity changes, and all on close", async () => {
    const stats = newStats();
    const cache = new TokenCache({ stats });
    const old = fakeOps();
    await cache.token("store@1", "store", old);
    const fresh = fakeOps();
    await cache.token("store@2", "store", fresh);
    await cache.token("other", "other", fresh);
    await cache.close();
    assert.deepEqual(old.revoked, ["t1"]);
    assert.deepEqual(fresh.revoked.sort(), ["t1", "t2"]);
    assert.equal(stats.revocations, 3);
  });

  it("invalidate() makes the next call log in; failed logins are not cached", async () => {
    const cache = new TokenCache({ stats: newStats() });
    const ops = fakeOps();
    const t1 = await cache.token("k", "g", ops);
    cache.invalidate("k", t1);
    assert.equal(await cache.token("k", "g", ops), "t2");
    const failing: TokenOps = {
      login: () => Promise.reject(new Error("denied")),
      renew: () => Promise.reject(new Error("no")),
      revoke: () => Promise.resolve(),
    };
    await assert.rejects(cache.token("f", "f", failing), /denied/);
    assert.equal(await cache.token("f", "f", ops), "t3");
  });
});
