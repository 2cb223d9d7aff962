// provider.aws against moto and the real apiserver, called directly: reads,
// and PushSecret's writes (no PushSecret controller exists yet), including
// resource policies and replica regions. A counting proxy in front of moto
// proves coalescing and STS credential caching. The suites that go through
// the ExternalSecret controller are controller-*.test.ts and
// field-manifests.test.ts.
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NoSecretError } from "../../../../src/providers/errors.ts";
import { AwsSecretsProvider } from "../../../../src/providers/aws/index.ts";
import { createNamespace, kube, kubeConfig, uniqueName } from "../../framework/env.ts";
import { kubeAccess } from "../../framework/kube-access.ts";
import {
  countingProxy,
  ctx,
  seedSm,
  seedSsm,
  store,
  staticAuth,
  text,
  type CountingProxy,
} from "./helpers.ts";

const k = kube();
const access = kubeAccess(kubeConfig());
const sm = seedSm();
const ssm = seedSsm();
let ns: { name: string; remove: () => Promise<void> };
let proxy: CountingProxy;

function provider(): AwsSecretsProvider {
  const env = {
    AWS_SECRETSMANAGER_ENDPOINT: proxy.endpoint,
    AWS_SSM_ENDPOINT: proxy.endpoint,
    AWS_STS_ENDPOINT: proxy.endpoint,
  };
  return new AwsSecretsProvider({ env });
}

async function addCreds(namespace: string): Promise<void> {
  await k.core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: "aws-creds" },
      stringData: { "access-key": "testing", "secret-key": "testing" },
    },
  });
}

before(async () => {
  ns = await createNamespace(k.core, "aws-e2e");
  await addCreds(ns.name);
  proxy = await countingProxy();
});

after(async () => {
  await proxy.close();
  await ns.remove();
  sm.destroy();
  ssm.destroy();
});

describe("aws SecretsManager on moto", () => {
  it("reads stages, uuid versions, properties, extract and binary", async () => {
    const name = uniqueName("ferry/db");
    const first = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: '{"user":"old"}' }),
    );
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: '{"user":"new","pw":"p","a.b":"dot","n":{"x":[1,2]}}',
      }),
    );
    const bin = uniqueName("ferry/bin");
    await sm.send(
      new CreateSecretCommand({ Name: bin, SecretBinary: new Uint8Array([1, 2, 255]) }),
    );
    const c = await provider().newClient(
      ctx(),
      store({ auth: staticAuth() }, { namespace: ns.name }),
      access,
      ns.name,
    );
    assert.equal(await c.validate(ctx()), "Ready");
    assert.equal(text(await c.getSecret(ctx(), { key: name, property: "user" })), "new");
    assert.equal(
      text(await c.getSecret(ctx(), { key: name, version: "AWSCURRENT", property: "a.b" })),
      "dot",
    );
    assert.equal(text(await c.getSecret(ctx(), { key: name, property: "n.x.1" })), "2");
    assert.equal(
      text(await c.getSecret(ctx(), { key: name, version: "AWSPREVIOUS", property: "user" })),
      "old",
    );
    assert.equal(
      text(await c.getSecret(ctx(), { key: name, version: `uuid/${first.VersionId ?? ""}` })),
      '{"user":"old"}',
    );
    const map = await c.getSecretMap(ctx(), { key: name });
    assert.deepEqual([...map.keys()].sort(), ["a.b", "n", "pw", "user"]);
    assert.equal(text(map.get("n") ?? new Uint8Array()), '{"x":[1,2]}');
    assert.deepEqual(await c.getSecret(ctx(), { key: bin }), new Uint8Array([1, 2, 255]));
  });

  it("reports missing and deleted secrets as NoSecretError", async () => {
    const name = uniqueName("ferry/deleted");
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "x" }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const c = await provider().newClient(
      ctx(),
      store({ auth: staticAuth() }, { namespace: ns.name }),
      access,
      ns.name,
    );
    await assert.rejects(c.getSecret(ctx(), { key: uniqueName("ferry/missing") }), NoSecretError);
    await assert.rejects(c.getSecret(ctx(), { key: name }), NoSecretError);
  });

  it("finds by name, tags and path; values in batches", async () => {
    const prefix = uniqueName("ferry-find");
    for (let i = 0; i < 23; i++) {
      await sm.send(
        new CreateSecretCommand({
          Name: `${prefix}/s${String(i)}`,
          SecretString: `v${String(i)}`,
          Tags: [{ Key: "group", Value: i % 2 === 0 ? prefix : "odd" }],
        }),
      );
    }
    const p = provider();
    const c = await p.newClient(
      ctx(),
      store({ auth: staticAuth() }, { namespace: ns.name }),
      access,
      ns.name,
    );
    const byName = await c.getAllSecrets(ctx(), { name: { regexp: `^${prefix}/s1\\d$` } });
    assert.deepEqual(
      [...byName.keys()].sort(),
      Array.from({ length: 10 }, (_, i) => `${prefix}/s1${String(i)}`).sort(),
    );
    const byTags = await c.getAllSecrets(ctx(), { tags: { group: prefix } });
    assert.equal(byTags.size, 12);
    assert.equal(text(byTags.get(`${prefix}/s4`) ?? new Uint8Array()), "v4");
    const byPath = await c.getAllSecrets(ctx(), { path: `${prefix}/`, name: { regexp: "." } });
    assert.equal(byPath.size, 23);
    assert.equal(p.stats.count("SecretsManager", "BatchGetSecretValue"), 1 + 1 + 2);
  });

  it("pushes, checks and deletes managed secrets only", async () => {
    const c = await provider().newClient(
      ctx(),
      store(
        { auth: staticAuth(), secretsManager: { forceDeleteWithoutRecovery: true } },
        { namespace: ns.name },
      ),
      access,
      ns.name,
    );
    const name = uniqueName("ferry/pushed");
    const source = {
      name: "src",
      namespace: ns.name,
      data: new Map([["pw", new Uint8Array(Buffer.from("hunter2"))]]),
      labels: {},
      annotations: {},
    };
    assert.equal(await c.secretExists(ctx(), { remoteKey: name, property: "" }), false);
    await c.pushSecret(ctx(), source, {
      secretKey: "pw",
      remoteKey: name,
      property: "password",
      metadata: { spec: { secretPushFormat: "string", tags: { team: "a" } } },
    });
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.deepEqual(Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value])), {
      "managed-by": "external-secrets",
      team: "a",
    });
    assert.equal(text(await c.getSecret(ctx(), { key: name, property: "password" })), "hunter2");
    assert.equal(await c.secretExists(ctx(), { remoteKey: name, property: "" }), true);
    const theirs = uniqueName("ferry/theirs");
    await sm.send(new CreateSecretCommand({ Name: theirs, SecretString: "x" }));
    await assert.rejects(
      c.pushSecret(ctx(), source, { secretKey: "pw", remoteKey: theirs, property: "" }),
      /not managed/,
    );
    await c.deleteSecret(ctx(), { remoteKey: theirs, property: "" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: theirs, property: "" }), true);
    await c.deleteSecret(ctx(), { remoteKey: name, property: "" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: name, property: "" }), false);
  });

  it("pushes a resource policy from a ConfigMap and replica regions; delete removes the replicas first", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "secretsmanager:DeleteSecret" }],
    });
    await k.core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "sm-policy" }, data: { "policy.json": policy } },
    });
    const c = await provider().newClient(
      ctx(),
      store(
        { auth: staticAuth(), secretsManager: { forceDeleteWithoutRecovery: true } },
        { namespace: ns.name },
      ),
      access,
      ns.name,
    );
    const name = uniqueName("ferry/replicated");
    const source = {
      name: "src",
      namespace: ns.name,
      data: new Map([["pw", new Uint8Array(Buffer.from("replicated-value"))]]),
      labels: {},
      annotations: {},
    };
    const push = (spec: Record<string, unknown>) =>
      c.pushSecret(ctx(), source, {
        secretKey: "pw",
        remoteKey: name,
        property: "",
        metadata: { spec },
      });
    await push({
      secretPushFormat: "string",
      resourcePolicy: {
        blockPublicPolicy: true,
        policySourceRef: { kind: "ConfigMap", name: "sm-policy", key: "policy.json" },
      },
      replicationLocations: ["eu-west-1", "eu-west-2"],
    });
    const regions = async () =>
      ((await sm.send(new DescribeSecretCommand({ SecretId: name }))).ReplicationStatus ?? [])
        .map((r) => r.Region)
        .sort();
    assert.deepEqual(await regions(), ["eu-west-1", "eu-west-2"]);
    const stored = await sm.send(new GetResourcePolicyCommand({ SecretId: name }));
    assert.deepEqual(JSON.parse(stored.ResourcePolicy ?? "{}"), JSON.parse(policy));
    const replica = seedSm("eu-west-1");
    try {
      const copy = await replica.send(new GetSecretValueCommand({ SecretId: name }));
      assert.equal(copy.SecretString, "replicated-value");
    } finally {
      replica.destroy();
    }
    // Replicas follow the metadata; without resourcePolicy the policy is removed.
    await push({ secretPushFormat: "string", replicationLocations: ["eu-west-2", "us-west-2"] });
    assert.deepEqual(await regions(), ["eu-west-2", "us-west-2"]);
    const after = await sm.send(new GetResourcePolicyCommand({ SecretId: name }));
    assert.equal(after.ResourcePolicy, undefined);
    // AWS (and moto) refuse to delete a secret that still has replicas.
    await c.deleteSecret(ctx(), { remoteKey: name, property: "" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: name, property: "" }), false);
  });

  it("500 concurrent reads of one key through many clients make one GetSecretValue", async () => {
    const name = uniqueName("ferry/hot");
    await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: '{"username":"u","password":"p"}' }),
    );
    const p = provider();
    const before = proxy.count("GetSecretValue");
    const s = store({ auth: staticAuth() }, { namespace: ns.name });
    const values = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const c = await p.newClient(ctx(), s, access, ns.name);
        return text(
          await c.getSecret(ctx(), { key: name, property: i % 2 === 0 ? "username" : "password" }),
        );
      }),
    );
    assert.equal(values.filter((v) => v === "p").length, 250);
    const calls = proxy.count("GetSecretValue") - before;
    console.log(`coalescing proof: 500 reads -> ${String(calls)} GetSecretValue at moto`);
    assert.equal(calls, 1);
  });
});

describe("aws ParameterStore on moto", () => {
  it("reads versions and finds recursively under a path", async () => {
    const base = `/${uniqueName("ferry")}`;
    await ssm.send(
      new PutParameterCommand({ Name: `${base}/db`, Value: '{"user":"v1"}', Type: "String" }),
    );
    await ssm.send(
      new PutParameterCommand({
        Name: `${base}/db`,
        Value: '{"user":"v2"}',
        Type: "String",
        Overwrite: true,
      }),
    );
    await ssm.send(
      new PutParameterCommand({ Name: `${base}/deep/er/key`, Value: "s3", Type: "SecureString" }),
    );
    const c = await provider().newClient(
      ctx(),
      store({ service: "ParameterStore", auth: staticAuth() }, { namespace: ns.name }),
      access,
      ns.name,
    );
    assert.equal(text(await c.getSecret(ctx(), { key: `${base}/db`, property: "user" })), "v2");
    assert.equal(
      text(await c.getSecret(ctx(), { key: `${base}/db`, version: "1", property: "user" })),
      "v1",
    );
    assert.equal(text(await c.getSecret(ctx(), { key: `${base}/deep/er/key` })), "s3");
    await assert.rejects(c.getSecret(ctx(), { key: `${base}/nope` }), NoSecretError);
    const found = await c.getAllSecrets(ctx(), { path: base, name: { regexp: "." } });
    assert.deepEqual([...found.keys()].sort(), [`${base}/db`, `${base}/deep/er/key`]);
    const source = {
      name: "s",
      namespace: ns.name,
      data: new Map([["k", new Uint8Array(Buffer.from("pv"))]]),
      labels: {},
      annotations: {},
    };
    await c.pushSecret(ctx(), source, {
      secretKey: "k",
      remoteKey: `${base}/pushed`,
      property: "",
    });
    assert.equal(
      text(
        await c.getSecret(ctx(), {
          key: `${base}/pushed`,
          metadataPolicy: "Fetch",
          property: "managed-by",
        }),
      ),
      "external-secrets",
    );
    await c.deleteSecret(ctx(), { remoteKey: `${base}/pushed`, property: "" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: `${base}/pushed`, property: "" }), false);
  });
});

describe("aws auth on moto and the apiserver", () => {
  it("IRSA with an annotated ServiceAccount: one AssumeRoleWithWebIdentity for many clients", async () => {
    const irsa = await createNamespace(k.core, "aws-irsa");
    try {
      await k.core.createNamespacedServiceAccount({
        namespace: irsa.name,
        body: {
          metadata: {
            name: "reader",
            annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/reader" },
          },
        },
      });
      const name = uniqueName("ferry/irsa");
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: "via-irsa" }));
      const p = provider();
      const s = store(
        { auth: { jwt: { serviceAccountRef: { name: "reader" } } } },
        { namespace: irsa.name },
      );
      const before = proxy.count("AssumeRoleWithWebIdentity");
      for (let i = 0; i < 20; i++) {
        const c = await p.newClient(ctx(), s, access, irsa.name);
        assert.equal(text(await c.getSecret(ctx(), { key: name })), "via-irsa");
      }
      const calls = proxy.count("AssumeRoleWithWebIdentity") - before;
      console.log(
        `credential cache proof: 20 newClient/read cycles -> ${String(calls)} AssumeRoleWithWebIdentity at moto`,
      );
      assert.equal(calls, 1);
    } finally {
      await irsa.remove();
    }
  });

  it("chains additionalRoles then role with externalID and session tags", async () => {
    const name = uniqueName("ferry/chained");
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "chained" }));
    const p = provider();
    const s = store(
      {
        auth: staticAuth(),
        additionalRoles: ["arn:aws:iam::123456789012:role/hop"],
        role: "arn:aws:iam::123456789012:role/final",
        externalID: "ext",
        sessionTags: [{ key: "team", value: "a" }],
        sessionTagsPolicy: "Simple",
      },
      { namespace: ns.name },
    );
    const before = proxy.count("AssumeRole");
    for (let i = 0; i < 5; i++) {
      const c = await p.newClient(ctx(), s, access, ns.name);
      assert.equal(text(await c.getSecret(ctx(), { key: name })), "chained");
    }
    assert.equal(proxy.count("AssumeRole") - before, 2);
  });

  it("referent ClusterSecretStore: secretRef resolved in the ExternalSecret namespace", async () => {
    const name = uniqueName("ferry/referent");
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: "referent" }));
    const p = provider();
    const css = store(
      { auth: staticAuth() },
      { kind: "ClusterSecretStore", name: uniqueName("css") },
    );
    assert.equal(await (await p.newClient(ctx(), css, access, "")).validate(ctx()), "Unknown");
    const c = await p.newClient(ctx(), css, access, ns.name);
    assert.equal(text(await c.getSecret(ctx(), { key: name })), "referent");
    const empty = await createNamespace(k.core, "aws-nocreds");
    try {
      await assert.rejects(p.newClient(ctx(), css, access, empty.name), /does not exist/);
    } finally {
      await empty.remove();
    }
  });
});
