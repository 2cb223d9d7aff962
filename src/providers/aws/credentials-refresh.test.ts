import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import { awsError } from "./fake-sdk.ts";
import { awsStore, ctx, harness, staticAuth, text, type Harness } from "./testing.ts";

const IRSA_ROLE = "arn:aws:iam::123456789012:role/irsa";
const WINDOW_MS = 2_001; // past the read coalescing window

function irsa(): { h: Harness; store: ReturnType<typeof awsStore> } {
  const h = harness();
  h.kube.addServiceAccount("apps", "reader", { "eks.amazonaws.com/role-arn": IRSA_ROLE });
  h.aws.putSecret("k", { SecretString: "v" });
  const store = awsStore({ auth: { jwt: { serviceAccountRef: { name: "reader" } } } });
  return { h, store };
}

/** Makes the fake refuse every request signed with one of `revoked` as an expired session. */
function revoke(h: Harness, revoked: Set<string>, code = "ExpiredTokenException", status = 400) {
  h.aws.failWith = (_op, _input, call) => {
    if (revoked.has(call.credentials?.accessKeyId ?? "")) {
      throw awsError(code, "The security token included in the request is expired", status);
    }
  };
}

const signers = (h: Harness, operation: string): string[] =>
  h.aws.calls.filter((c) => c.operation === operation).map((c) => c.credentials?.accessKeyId ?? "");

describe("aws expired STS credentials", () => {
  const codes = [
    { code: "ExpiredTokenException", status: 400 },
    { code: "ExpiredToken", status: 403 },
  ];
  for (const { code, status } of codes) {
    it(`${code} (${String(status)}) drops the cached session and retries once with a new one`, async () => {
      const { h, store } = irsa();
      const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
      assert.equal(text(await c.getSecret(ctx(), { key: "k" })), "v");
      const [first = ""] = signers(h, "GetSecretValue");
      revoke(h, new Set([first]), code, status);
      h.clock.now += WINDOW_MS;
      assert.equal(text(await c.getSecret(ctx(), { key: "k" })), "v");
      const reads = signers(h, "GetSecretValue");
      assert.equal(reads.length, 3);
      assert.deepEqual(reads.slice(0, 2), [first, first]);
      assert.notEqual(reads[2], first);
      assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 2);
      assert.equal(h.kube.tokenRequests.length, 2);
      assert.equal(h.provider.stats.credentialRetries, 1);
      assert.equal(h.provider.stats.outcome("SecretsManager", "GetSecretValue", "expired"), 1);
    });
  }

  it("many requests refused together fetch one new session", async () => {
    const { h, store } = irsa();
    h.aws.latencyMs = 2;
    for (let i = 0; i < 20; i++) h.aws.putSecret(`k${String(i)}`, { SecretString: String(i) });
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await c.validate(ctx());
    const revoked = new Set<string>();
    h.aws.failWith = (op, _input, call) => {
      // Time passes while STS answers, as it does for real.
      if (op === "AssumeRoleWithWebIdentity") h.clock.now += 10;
      if (revoked.has(call.credentials?.accessKeyId ?? "")) throw awsError("ExpiredTokenException");
    };
    await c.getSecret(ctx(), { key: "k" });
    revoked.add(signers(h, "GetSecretValue")[0] ?? "");
    h.clock.now += 1;
    const values = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.getSecret(ctx(), { key: `k${String(i)}` })),
    );
    assert.deepEqual(
      values.map(text),
      Array.from({ length: 20 }, (_, i) => String(i)),
    );
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 2);
    assert.equal(h.provider.stats.credentialRetries, 20);
  });

  it("retries only once: a session refused again fails as AuthFailed, naming no value", async () => {
    const { h, store } = irsa();
    h.aws.putSecret("k", { SecretString: "do-not-leak" });
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue") throw awsError("ExpiredTokenException", "expired", 400);
    };
    await assert.rejects(c.getSecret(ctx(), { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, "AuthFailed");
      assert.match(err.message, /ExpiredTokenException/);
      assert.ok(!err.message.includes("do-not-leak"));
      return true;
    });
    assert.equal(h.aws.count("GetSecretValue"), 2);
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 2);
  });

  it("static keys are not retried: new credentials cannot come from anywhere", async () => {
    const h = harness();
    h.aws.putSecret("k", { SecretString: "v" });
    const c = await h.provider.newClient(ctx(), awsStore({ auth: staticAuth() }), h.kube, "apps");
    revoke(h, new Set(["AKIDTEST"]));
    await assert.rejects(c.getSecret(ctx(), { key: "k" }), ProviderError);
    assert.equal(h.aws.count("GetSecretValue"), 1);
    assert.equal(h.provider.stats.credentialRetries, 0);
  });

  it("an expired role session is assumed again; the credentials below it are kept", async () => {
    const h = harness();
    h.aws.putSecret("k", { SecretString: "v" });
    const store = awsStore({ auth: staticAuth(), role: "arn:aws:iam::1:role/final" });
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await c.getSecret(ctx(), { key: "k" });
    revoke(h, new Set(signers(h, "GetSecretValue")));
    h.clock.now += WINDOW_MS;
    assert.equal(text(await c.getSecret(ctx(), { key: "k" })), "v");
    assert.deepEqual(signers(h, "AssumeRole"), ["AKIDTEST", "AKIDTEST"]);
  });

  it("an expired hop of a role chain is refreshed when assuming the next role", async () => {
    const h = harness();
    h.aws.putSecret("k", { SecretString: "v" });
    const store = awsStore({
      auth: staticAuth(),
      additionalRoles: ["arn:aws:iam::1:role/hop"],
      role: "arn:aws:iam::1:role/final",
    });
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await c.getSecret(ctx(), { key: "k" });
    // AssumeRole of the hop is signed with the static keys, that of the final role with the hop session.
    const [fromStatic = "", hopSession = ""] = signers(h, "AssumeRole");
    assert.equal(fromStatic, "AKIDTEST");
    const finalSession = signers(h, "GetSecretValue")[0] ?? "";
    revoke(h, new Set([hopSession, finalSession]));
    h.clock.now += WINDOW_MS;
    assert.equal(text(await c.getSecret(ctx(), { key: "k" })), "v");
    const assumed = signers(h, "AssumeRole");
    assert.deepEqual(assumed.slice(0, 4), [
      "AKIDTEST", // hop
      hopSession, // final role
      hopSession, // final role again: refused, the hop session expired too
      "AKIDTEST", // hop refreshed
    ]);
    assert.equal(assumed.length, 5);
    assert.ok(![hopSession, finalSession, "AKIDTEST"].includes(assumed[4] ?? ""));
    assert.equal(h.provider.stats.credentialRetries, 2);
  });
});
