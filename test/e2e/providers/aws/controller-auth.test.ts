// AWS authentication through the ExternalSecret controller, against moto
// (behind the counting proxy, which records which key signed each request)
// and the real apiserver (TokenRequest for the annotated ServiceAccounts):
// IRSA, role chaining on top of IRSA, a referent ClusterSecretStore whose
// ServiceAccount resolves in each ExternalSecret's namespace, and the
// refresh of an STS session that AWS refuses as expired.
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ESO, installCrds, testClient } from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  Namespaces,
  readyOf,
  waitReady,
  waitSecret,
  waitStoreReady,
  type Es,
} from "../../controllers/es-helpers.ts";
import { eventually, testEnv, uniqueName } from "../../framework/env.ts";
import {
  awsStoreObject,
  createServiceAccount,
  createStore,
  metricValue,
  startAwsController,
  type AwsController,
} from "./controller-helpers.ts";
import { countingProxy, seedSm, type CountingProxy, type ProxiedRequest } from "./helpers.ts";

const client = testClient();
const sm = seedSm();
const ROLE_ARN = "eks.amazonaws.com/role-arn";
const role = (name: string): string => `arn:aws:iam::123456789012:role/${name}`;

/** The claims of the ServiceAccount token sent to STS (never printed). */
function tokenClaims(req: ProxiedRequest): { aud?: string[]; sub?: string } {
  const jwt = req.params.get("WebIdentityToken") ?? "";
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
    aud?: string[];
    sub?: string;
  };
}

async function seed(name: string, value: string): Promise<void> {
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
}

const readSpec = (store: { name: string; kind: string }, key: string, target = "target") => ({
  refreshInterval: "1h",
  secretStoreRef: store,
  target: { name: target },
  data: [{ secretKey: "password", remoteRef: { key, property: "password" } }],
});

describe("aws auth through the ExternalSecret controller (moto + apiserver)", () => {
  let proxy: CountingProxy;
  let aws: AwsController;
  const namespaces = new Namespaces();
  const clusterStores: string[] = [];

  const requests = (operation: string, match: (r: ProxiedRequest) => boolean = () => true) =>
    proxy.requests.filter((r) => r.operation === operation && match(r));
  const cls = (): string => aws.controllerClass;
  const assumedAs = (roleArn: string) =>
    requests("AssumeRoleWithWebIdentity", (r) => r.params.get("RoleArn") === roleArn);

  before(async () => {
    await installCrds();
    proxy = await countingProxy();
    aws = await startAwsController(proxy.endpoint);
  });
  after(async () => {
    await aws.ctl.stop();
    await proxy.close();
    await Promise.allSettled(
      clusterStores.map((name) => client.delete(ESO.clusterSecretStores, name)),
    );
    await namespaces.removeAll();
    sm.destroy();
  });

  it("IRSA: the annotated ServiceAccount's token is exchanged once, and reads are signed with the session", async () => {
    const ns = (await namespaces.create("eso-aws-irsa")).name;
    const arn = role(ns);
    await createServiceAccount(client, ns, "eso-sa", {
      [ROLE_ARN]: arn,
      "eks.amazonaws.com/audience": "sts.example.test",
    });
    await createStore(
      client,
      awsStoreObject(
        { kind: "SecretStore", name: "irsa", namespace: ns, controller: cls() },
        {
          service: "SecretsManager",
          auth: { jwt: { serviceAccountRef: { name: "eso-sa" } } },
        },
      ),
    );
    await waitStoreReady(client, ns, "irsa");
    const key = `${ns}/db`;
    await seed(key, '{"password":"via-irsa"}');
    for (let i = 0; i < 5; i++) {
      await createEs(
        client,
        ns,
        `es-${String(i)}`,
        readSpec({ name: "irsa", kind: "SecretStore" }, key, `t-${String(i)}`),
      );
    }
    for (let i = 0; i < 5; i++) {
      await waitSecret(client, ns, `t-${String(i)}`, (s) => decode(s)["password"] === "via-irsa");
    }
    const exchanges = assumedAs(arn);
    assert.equal(exchanges.length, 1, "one AssumeRoleWithWebIdentity for the store and 5 ESs");
    const [exchange] = exchanges;
    assert.ok(exchange);
    assert.equal(exchange.params.get("RoleSessionName"), "external-secrets-provider-aws");
    const claims = tokenClaims(exchange);
    assert.equal(claims.sub, `system:serviceaccount:${ns}:eso-sa`);
    assert.deepEqual(claims.aud, ["sts.example.test"]);
    const reads = requests("GetSecretValue", (r) => r.resource === key);
    assert.ok(reads.length >= 1);
    for (const r of reads) {
      assert.notEqual(r.accessKeyId, testEnv().moto.accessKeyId);
      assert.match(r.accessKeyId, /^ASIA/);
    }
  });

  it("role chaining: IRSA, then additionalRoles, then role with externalID; each hop signed by the previous session", async () => {
    const ns = (await namespaces.create("eso-aws-chain")).name;
    const [irsaRole, hopRole, finalRole] = ["irsa", "hop", "final"].map((r) => role(`${ns}-${r}`));
    await createServiceAccount(client, ns, "eso-sa", { [ROLE_ARN]: irsaRole! });
    await createStore(
      client,
      awsStoreObject(
        { kind: "SecretStore", name: "chain", namespace: ns, controller: cls() },
        {
          service: "SecretsManager",
          auth: { jwt: { serviceAccountRef: { name: "eso-sa" } } },
          additionalRoles: [hopRole],
          role: finalRole,
          externalID: "chain-ext-id",
        },
      ),
    );
    await waitStoreReady(client, ns, "chain");
    const key = `${ns}/chained`;
    await seed(key, '{"password":"chained"}');
    await createEs(client, ns, "es", readSpec({ name: "chain", kind: "SecretStore" }, key));
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "chained");
    assert.equal(assumedAs(irsaRole!).length, 1);
    const assume = (arn: string) => requests("AssumeRole", (r) => r.params.get("RoleArn") === arn);
    const [hop] = assume(hopRole!);
    const [final] = assume(finalRole!);
    assert.ok(hop && final);
    assert.equal(assume(hopRole!).length, 1);
    assert.equal(assume(finalRole!).length, 1);
    assert.equal(hop.params.get("ExternalId"), null);
    assert.equal(final.params.get("ExternalId"), "chain-ext-id");
    const readers = new Set(
      requests("GetSecretValue", (r) => r.resource === key).map((r) => r.accessKeyId),
    );
    const signers = [hop.accessKeyId, final.accessKeyId, ...readers];
    assert.equal(readers.size, 1);
    assert.equal(new Set(signers).size, 3, "web identity, hop and final sessions differ");
    assert.ok(!signers.includes(testEnv().moto.accessKeyId));
  });

  it("referent ClusterSecretStore: the ServiceAccount of each ExternalSecret's namespace, and a clear error where it is missing", async () => {
    const store = uniqueName("aws-referent-irsa");
    clusterStores.push(store);
    await createStore(
      client,
      awsStoreObject(
        { kind: "ClusterSecretStore", name: store, controller: cls() },
        {
          service: "SecretsManager",
          auth: { jwt: { serviceAccountRef: { name: "tenant-sa" } } },
        },
      ),
    );
    await eventually(`ClusterSecretStore ${store} Ready`, async () => {
      const css = await client.get<Es>(ESO.clusterSecretStores, store);
      return readyOf(css)?.status === "True";
    });
    const tenants = [
      (await namespaces.create("eso-aws-tenant")).name,
      (await namespaces.create("eso-aws-tenant")).name,
    ];
    const key = `${store}/shared`;
    await seed(key, '{"password":"per-tenant"}');
    for (const ns of tenants) {
      await createServiceAccount(client, ns, "tenant-sa", { [ROLE_ARN]: role(ns) });
      await createEs(client, ns, "es", readSpec({ name: store, kind: "ClusterSecretStore" }, key));
    }
    for (const ns of tenants) {
      await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "per-tenant");
      const [exchange, ...more] = assumedAs(role(ns));
      assert.ok(exchange);
      assert.equal(more.length, 0);
      assert.equal(tokenClaims(exchange).sub, `system:serviceaccount:${ns}:tenant-sa`);
    }
    const signers = new Set(
      requests("GetSecretValue", (r) => r.resource === key).map((r) => r.accessKeyId),
    );
    assert.equal(signers.size, 2, "each tenant reads with its own session");
    const lonely = (await namespaces.create("eso-aws-nosa")).name;
    await createEs(
      client,
      lonely,
      "es",
      readSpec({ name: store, kind: "ClusterSecretStore" }, key),
    );
    const es = await waitReady(client, lonely, "es", { status: "False" });
    assert.match(readyOf(es)?.message ?? "", new RegExp(`${lonely}/tenant-sa.*does not exist`));
    assert.ok(!(readyOf(es)?.message ?? "").includes("per-tenant"));
  });

  it("an STS session refused as expired is dropped and the read retried once with a new one", async () => {
    const ns = (await namespaces.create("eso-aws-expiry")).name;
    const arn = role(ns);
    await createServiceAccount(client, ns, "eso-sa", { [ROLE_ARN]: arn });
    await createStore(
      client,
      awsStoreObject(
        { kind: "SecretStore", name: "irsa", namespace: ns, controller: cls() },
        {
          service: "SecretsManager",
          auth: { jwt: { serviceAccountRef: { name: "eso-sa" } } },
        },
      ),
    );
    await waitStoreReady(client, ns, "irsa");
    const key = `${ns}/rotating`;
    await seed(key, '{"password":"v1"}');
    await createEs(client, ns, "es", {
      ...readSpec({ name: "irsa", kind: "SecretStore" }, key),
      refreshInterval: "3s",
    });
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "v1");
    const [first] = requests("GetSecretValue", (r) => r.resource === key);
    assert.ok(first);
    const expiredKey = first.accessKeyId;
    // moto does not expire sessions: the proxy answers as AWS does for one
    // whose time is up.
    proxy.inject((r) =>
      r.accessKeyId === expiredKey
        ? {
            status: 400,
            type: "ExpiredTokenException",
            message: "The security token included in the request is expired",
          }
        : undefined,
    );
    const before = assumedAs(arn).length;
    await sm.send(new PutSecretValueCommand({ SecretId: key, SecretString: '{"password":"v2"}' }));
    try {
      await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "v2");
    } finally {
      proxy.inject(undefined);
    }
    const refused = requests("GetSecretValue", (r) => r.resource === key).filter(
      (r) => r.accessKeyId === expiredKey,
    );
    assert.ok(refused.length >= 2, "the first read, then the refused one");
    assert.equal(assumedAs(arn).length, before + 1, "exactly one new session");
    const es = await waitReady(client, ns, "es", { status: "True" });
    assert.equal(readyOf(es)?.reason, "SecretSynced");
    const metrics = await aws.ctl.metrics();
    assert.ok(
      metricValue(metrics, "ferry_aws_retries_total", { reason: "expired_credentials" }) >= 1,
    );
    assert.ok(
      metricValue(metrics, "externalsecret_provider_api_calls_count", {
        provider: "AWS/SecretsManager",
        call: "GetSecretValue",
        status: "error",
      }) >= 1,
    );
  });
});
