import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import type { PushSecretData, SecretsClient } from "../provider.ts";
import { awsStore, ctx, harness, staticAuth, type Harness } from "./testing.ts";

const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*"}]}';
const SAME_POLICY_REFORMATTED =
  '{\n  "Statement": [ { "Principal": "*", "Effect": "Deny" } ],\n  "Version": "2012-10-17"\n}';
const OTHER_POLICY = '{"Version":"2012-10-17","Statement":[]}';

const source = {
  name: "src",
  namespace: "apps",
  data: new Map([["k", new Uint8Array(Buffer.from("v1"))]]),
  labels: {},
  annotations: {},
};

function push(spec: Record<string, unknown>, remoteKey = "pushed"): PushSecretData {
  return {
    secretKey: "k",
    remoteKey,
    property: "",
    metadata: {
      apiVersion: "kubernetes.external-secrets.io/v1alpha1",
      kind: "PushSecretMetadata",
      spec,
    },
  };
}

async function setup(): Promise<{ h: Harness; c: SecretsClient }> {
  const h = harness();
  h.kube.addConfigMap("apps", "policies", { "policy.json": POLICY, other: OTHER_POLICY });
  h.kube.addSecret("apps", "policy-secret", { doc: SAME_POLICY_REFORMATTED });
  const store = awsStore({
    auth: staticAuth(),
    secretsManager: { forceDeleteWithoutRecovery: true },
  });
  return { h, c: await h.provider.newClient(ctx(), store, h.kube, "apps") };
}

const fromConfigMap = (key: string, block?: boolean) => ({
  resourcePolicy: {
    ...(block === undefined ? {} : { blockPublicPolicy: block }),
    policySourceRef: { kind: "ConfigMap", name: "policies", key },
  },
});

describe("aws SecretsManager push: resourcePolicy", () => {
  it("applies the policy of a ConfigMap to a new secret, by ARN, with blockPublicPolicy", async () => {
    const { h, c } = await setup();
    await c.pushSecret(ctx(), source, push(fromConfigMap("policy.json", true)));
    const secret = h.aws.secrets.get("pushed");
    assert.equal(secret?.policy, POLICY);
    const put = h.aws.calls.find((x) => x.operation === "PutResourcePolicy");
    assert.deepEqual(put?.input, {
      SecretId: secret.arn,
      ResourcePolicy: POLICY,
      BlockPublicPolicy: true,
    });
  });

  it("leaves an equal policy alone, replaces a different one, removes it when no longer named", async () => {
    const { h, c } = await setup();
    await c.pushSecret(ctx(), source, push(fromConfigMap("policy.json")));
    // The same document from a Secret, formatted differently: nothing to do.
    await c.pushSecret(
      ctx(),
      source,
      push({
        resourcePolicy: { policySourceRef: { kind: "Secret", name: "policy-secret", key: "doc" } },
      }),
    );
    assert.equal(h.aws.count("PutResourcePolicy"), 1);
    await c.pushSecret(ctx(), source, push(fromConfigMap("other")));
    assert.equal(h.aws.count("PutResourcePolicy"), 2);
    assert.equal(h.aws.secrets.get("pushed")?.policy, OTHER_POLICY);
    await c.pushSecret(ctx(), source, push({}));
    assert.equal(h.aws.count("DeleteResourcePolicy"), 1);
    assert.equal(h.aws.secrets.get("pushed")?.policy, undefined);
  });

  const refused: { name: string; spec: Record<string, unknown>; message: RegExp }[] = [
    {
      name: "a missing ConfigMap",
      spec: { resourcePolicy: { policySourceRef: { kind: "ConfigMap", name: "nope", key: "x" } } },
      message: /ConfigMap apps\/nope does not exist/,
    },
    {
      name: "a missing key",
      spec: fromConfigMap("absent"),
      message: /key absent not found in ConfigMap apps\/policies/,
    },
    {
      name: "an unsupported kind",
      spec: { resourcePolicy: { policySourceRef: { kind: "Pod", name: "p", key: "k" } } },
      message: /must be ConfigMap or Secret/,
    },
    {
      name: "a policy that is not JSON",
      spec: {
        resourcePolicy: { policySourceRef: { kind: "Secret", name: "bad", key: "doc" } },
      },
      message: /policy in Secret bad is not valid JSON/,
    },
    {
      name: "replicationLocations that are not a list of regions",
      spec: { replicationLocations: "eu-west-1" },
      message: /replicationLocations must be a list of region names/,
    },
  ];
  for (const r of refused) {
    it(`refuses ${r.name} before writing anything`, async () => {
      const { h, c } = await setup();
      h.kube.addSecret("apps", "bad", { doc: "not json: hunter2" });
      await assert.rejects(c.pushSecret(ctx(), source, push(r.spec)), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.match(err.message, r.message);
        assert.ok(!err.message.includes("hunter2"));
        return true;
      });
      assert.equal(h.aws.secrets.size, 0);
    });
  }
});

describe("aws SecretsManager push: replicationLocations", () => {
  it("creates replicas with the secret's KMS key, then adds and removes regions to match", async () => {
    const { h, c } = await setup();
    await c.pushSecret(
      ctx(),
      source,
      push({ replicationLocations: ["eu-west-1", "eu-central-1"], kmsKeyId: "alias/mine" }),
    );
    const create = h.aws.calls.find((x) => x.operation === "CreateSecret")?.input as {
      AddReplicaRegions?: unknown;
    };
    assert.deepEqual(create.AddReplicaRegions, [
      { Region: "eu-west-1", KmsKeyId: "alias/mine" },
      { Region: "eu-central-1", KmsKeyId: "alias/mine" },
    ]);
    await c.pushSecret(ctx(), source, push({ replicationLocations: ["eu-west-1", "us-east-2"] }));
    assert.deepEqual(h.aws.secrets.get("pushed")?.replicas, ["eu-west-1", "us-east-2"]);
    const removed = h.aws.calls.find((x) => x.operation === "RemoveRegionsFromReplication");
    assert.deepEqual((removed?.input as { RemoveReplicaRegions: string[] }).RemoveReplicaRegions, [
      "eu-central-1",
    ]);
    const added = h.aws.calls.find((x) => x.operation === "ReplicateSecretToRegions");
    assert.deepEqual((added?.input as { AddReplicaRegions: unknown }).AddReplicaRegions, [
      { Region: "us-east-2", KmsKeyId: "alias/mine" },
    ]);
  });

  it("leaves replication alone when the metadata does not name it", async () => {
    const { h, c } = await setup();
    await c.pushSecret(ctx(), source, push({ replicationLocations: ["eu-west-1"] }));
    await c.pushSecret(ctx(), source, push({}));
    assert.deepEqual(h.aws.secrets.get("pushed")?.replicas, ["eu-west-1"]);
    assert.equal(h.aws.count("RemoveRegionsFromReplication"), 0);
  });

  it("removes the replicas before deleting (AWS refuses otherwise)", async () => {
    const { h, c } = await setup();
    await c.pushSecret(ctx(), source, push({ replicationLocations: ["eu-west-1"] }));
    await c.deleteSecret(ctx(), { remoteKey: "pushed", property: "" });
    assert.equal(h.aws.secrets.has("pushed"), false);
    const ops = h.aws.calls.map((x) => x.operation);
    assert.ok(ops.indexOf("RemoveRegionsFromReplication") < ops.indexOf("DeleteSecret"));
  });
});
