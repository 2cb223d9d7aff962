// ServiceAccount token reuse: one TokenRequest per ServiceAccount and
// audiences until two thirds of the lifetime, concurrent callers share one
// request, a refused token is replaced, failures say which ServiceAccount.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeAccess, TokenRequestOptions } from "../../esutils/kube-access.ts";
import { ProviderError } from "../errors.ts";
import { ServiceAccountTokens, TOKEN_EXPIRATION_SECONDS } from "./tokens.ts";

function access(
  clock: { now: number },
  fail = false,
): KubeAccess & { requests: TokenRequestOptions[] } {
  const requests: TokenRequestOptions[] = [];
  return {
    requests,
    getSecret: () => Promise.resolve(undefined),
    getConfigMap: () => Promise.resolve(undefined),
    getServiceAccount: () => Promise.resolve(undefined),
    createServiceAccountToken: async (namespace, name, options) => {
      requests.push(options);
      await Promise.resolve();
      if (fail) throw new Error(`serviceaccounts "${name}" not found`);
      return {
        token: `${namespace}/${name}#${String(requests.length)}`,
        expiresAt: clock.now + (options.expirationSeconds ?? 0) * 1000,
      };
    },
  };
}

const ref = { namespace: "app", name: "reader", audiences: [] };

describe("ServiceAccountTokens", () => {
  it("asks for ESO's one-hour token once, and again after two thirds of it", async () => {
    const clock = { now: 1_000_000 };
    const tokens = new ServiceAccountTokens(() => clock.now);
    const kube = access(clock);
    const first = await Promise.all([tokens.token(kube, ref), tokens.token(kube, ref)]);
    assert.deepEqual(first, ["app/reader#1", "app/reader#1"]);
    assert.equal(kube.requests.length, 1);
    assert.equal(kube.requests[0]?.expirationSeconds, TOKEN_EXPIRATION_SECONDS);
    clock.now += 2_300_000; // < 2/3 of an hour
    assert.equal(await tokens.token(kube, ref), "app/reader#1");
    clock.now += 200_000; // > 2/3 of an hour
    assert.equal(await tokens.token(kube, ref), "app/reader#2");
    assert.equal(tokens.stats.tokenRequests, 2);
  });

  it("keeps tokens apart per audience set, and replaces a refused one", async () => {
    const clock = { now: 0 };
    const tokens = new ServiceAccountTokens(() => clock.now);
    const kube = access(clock);
    const plain = await tokens.token(kube, ref);
    const vault = await tokens.token(kube, { ...ref, audiences: ["vault"] });
    assert.notEqual(plain, vault);
    assert.deepEqual(kube.requests[1]?.audiences, ["vault"]);
    tokens.refused(ref, plain);
    assert.equal(await tokens.token(kube, ref), "app/reader#3");
  });

  it("says which ServiceAccount could not get a token", async () => {
    const tokens = new ServiceAccountTokens();
    await assert.rejects(
      tokens.token(access({ now: 0 }, true), ref),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        err.message.includes('cannot create a token for ServiceAccount "app/reader"') &&
        err.message.includes('serviceaccounts "reader" not found'),
    );
  });
});
