import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import { awsStore, ctx, harness, staticAuth } from "./testing.ts";

const ROLE = "arn:aws:iam::123456789012:role/final";
const IRSA_ROLE = "arn:aws:iam::123456789012:role/irsa";

function irsaHarness() {
  const h = harness();
  h.kube.addServiceAccount("apps", "reader", {
    "eks.amazonaws.com/role-arn": IRSA_ROLE,
    "eks.amazonaws.com/audience": "custom-aud",
  });
  const store = awsStore({
    auth: { jwt: { serviceAccountRef: { name: "reader", audiences: ["extra"] } } },
  });
  h.aws.putSecret("k", { SecretString: "v" });
  return { h, store };
}

describe("aws auth", () => {
  it("IRSA: TokenRequest with the audiences, AssumeRoleWithWebIdentity with ESO's session name", async () => {
    const { h, store } = irsaHarness();
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await c.getSecret(ctx(), { key: "k" });
    assert.deepEqual(h.kube.tokenRequests[0]?.options.audiences, ["custom-aud", "extra"]);
    const call = h.aws.calls.find((x) => x.operation === "AssumeRoleWithWebIdentity");
    assert.deepEqual(call?.input, {
      RoleArn: IRSA_ROLE,
      RoleSessionName: "external-secrets-provider-aws",
      WebIdentityToken: "jwt-apps-reader",
    });
    const read = h.aws.calls.find((x) => x.operation === "GetSecretValue");
    assert.match(read?.credentials?.accessKeyId ?? "", /^ASIA-irsa/);
  });

  it("IRSA: a ServiceAccount without the role annotation is a clear error", async () => {
    const h = harness();
    h.kube.addServiceAccount("apps", "plain", {});
    const store = awsStore({ auth: { jwt: { serviceAccountRef: { name: "plain" } } } });
    await assert.rejects(h.provider.newClient(ctx(), store, h.kube, "apps"), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, "AuthFailed");
      assert.match(err.message, /service account plain \(namespace: apps\)/);
      return true;
    });
  });

  it("caches STS credentials across clients until shortly before expiry; one call for concurrent misses", async () => {
    const { h, store } = irsaHarness();
    h.aws.latencyMs = 5;
    const reads = Array.from({ length: 50 }, async (_, i) => {
      const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
      return c.getSecret(ctx(), i % 2 === 0 ? { key: "k", property: "" } : { key: "k" });
    });
    await Promise.all(reads);
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 1);
    assert.equal(h.kube.tokenRequests.length, 1);
    h.clock.now += 50 * 60_000; // 50 min of a 60 min session: still fresh
    await (await h.provider.newClient(ctx(), store, h.kube, "apps")).validate(ctx());
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 1);
    h.clock.now += 6 * 60_000; // within 5 min of expiry: refreshed
    await (await h.provider.newClient(ctx(), store, h.kube, "apps")).validate(ctx());
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 2);
  });

  it("a new store generation gets new credentials", async () => {
    const { h, store } = irsaHarness();
    await (await h.provider.newClient(ctx(), store, h.kube, "apps")).validate(ctx());
    const changed = { ...store, metadata: { ...store.metadata, generation: 2 } };
    await (await h.provider.newClient(ctx(), changed, h.kube, "apps")).validate(ctx());
    assert.equal(h.aws.count("AssumeRoleWithWebIdentity"), 2);
  });

  it("chains additionalRoles then role, with externalID, session tags and transitive keys on role", async () => {
    const h = harness();
    const store = awsStore({
      auth: staticAuth(),
      additionalRoles: ["arn:aws:iam::1:role/first", "arn:aws:iam::1:role/second"],
      role: ROLE,
      externalID: "ext-1",
      sessionTags: [{ key: "team", value: "a" }],
      transitiveTagKeys: ["team"],
      sessionTagsPolicy: "Custom",
      customSessionTags: { cost: "42" },
    });
    h.aws.putSecret("k", { SecretString: "v" });
    await (await h.provider.newClient(ctx(), store, h.kube, "apps")).getSecret(ctx(), { key: "k" });
    const assumes = h.aws.calls.filter((x) => x.operation === "AssumeRole");
    assert.deepEqual(
      assumes.map((a) => [(a.input as { RoleArn: string }).RoleArn, a.credentials?.accessKeyId]),
      [
        ["arn:aws:iam::1:role/first", "AKIDTEST"],
        ["arn:aws:iam::1:role/second", assumes[0] && `ASIA-first-1`],
        [ROLE, `ASIA-second-2`],
      ],
    );
    assert.deepEqual(assumes[2]?.input, {
      RoleArn: ROLE,
      RoleSessionName: "external-secrets-provider-aws",
      ExternalId: "ext-1",
      Tags: [
        { Key: "team", Value: "a" },
        { Key: "esoNamespace", Value: "apps" },
        { Key: "esoStoreName", Value: "aws-store" },
        { Key: "esoStoreKind", Value: "SecretStore" },
        { Key: "cost", Value: "42" },
      ],
      TransitiveTagKeys: ["team"],
    });
    assert.deepEqual(assumes[0]?.input, {
      RoleArn: "arn:aws:iam::1:role/first",
      RoleSessionName: "external-secrets-provider-aws",
    });
    assert.match(h.aws.calls.at(-1)?.credentials?.accessKeyId ?? "", /^ASIA-final/);
  });

  it("referent ClusterSecretStore: credentials from the ExternalSecret namespace, Unknown without one", async () => {
    const h = harness();
    h.kube.addSecret("team-b", "aws-creds", { ak: "AKIDB", sk: "sk-b" });
    h.aws.putSecret("k", { SecretString: "v" });
    const store = awsStore({ auth: staticAuth() }, { kind: "ClusterSecretStore" });
    const pending = await h.provider.newClient(ctx(), store, h.kube, "");
    assert.equal(await pending.validate(ctx()), "Unknown");
    await assert.rejects(pending.getSecret(ctx(), { key: "k" }), /referent authentication/);
    await (
      await h.provider.newClient(ctx(), store, h.kube, "team-b")
    ).getSecret(ctx(), { key: "k" });
    assert.equal(h.aws.calls.at(-1)?.credentials?.accessKeyId, "AKIDB");
  });

  it("the SDK default chain when no auth is given; endpoint from the injected env", async () => {
    const h = harness();
    const env = { AWS_SECRETSMANAGER_ENDPOINT: "http://sm.local" };
    const h2 = harness({ env });
    await h2.provider.newClient(ctx(), awsStore({}), h2.kube, "apps");
    assert.deepEqual(h2.configs, [
      { region: "eu-west-1", endpoint: "http://sm.local", credentials: undefined },
    ]);
    assert.equal(h.aws.calls.length, 0);
  });

  it("a SecretStore may not read credentials from another namespace", async () => {
    const h = harness();
    const store = awsStore({ auth: staticAuth("other") });
    await assert.rejects(h.provider.newClient(ctx(), store, h.kube, "apps"), ProviderError);
  });
});
