// Proves that each component of the test environment is real and reachable
// from TypeScript: the apiserver (objects, TokenRequest, TokenReview), the
// controller manager's garbage collector, OpenBao and moto.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { createNamespace, eventually, kube, testEnv, uniqueName } from "./framework/env.ts";

const env = testEnv();
const k = kube(env);

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: number }).code === 404;
}

describe("test environment smoke", () => {
  let ns: { name: string; remove: () => Promise<void> };

  before(async () => {
    ns = await createNamespace(k.core, "smoke");
  });
  after(async () => {
    await ns.remove();
  });

  it("creates and reads a Secret through the kube-apiserver", async () => {
    await k.core.createNamespacedSecret({
      namespace: ns.name,
      body: { metadata: { name: "hello" }, stringData: { greeting: "hi" } },
    });
    const secret = await k.core.readNamespacedSecret({ namespace: ns.name, name: "hello" });
    assert.equal(Buffer.from(secret.data?.["greeting"] ?? "", "base64").toString(), "hi");
  });

  it("issues a ServiceAccount token (TokenRequest) that TokenReview accepts", async () => {
    await k.core.createNamespacedServiceAccount({
      namespace: ns.name,
      body: { metadata: { name: "robot" } },
    });
    const request = await k.core.createNamespacedServiceAccountToken({
      namespace: ns.name,
      name: "robot",
      body: { spec: { audiences: ["ferry-smoke"], expirationSeconds: 600 } },
    });
    const token = request.status?.token ?? "";
    assert.ok(token.split(".").length === 3, "a JWT");

    const review = await k.authn.createTokenReview({
      body: { spec: { token, audiences: ["ferry-smoke"] } },
    });
    const verdict = review.status;
    assert.ok(verdict, "TokenReview returned a status");
    assert.equal(verdict.authenticated, true, verdict.error);
    assert.equal(verdict.user?.username, `system:serviceaccount:${ns.name}:robot`);

    const wrongAudience = await k.authn.createTokenReview({
      body: { spec: { token, audiences: ["someone-else"] } },
    });
    assert.notEqual(wrongAudience.status?.authenticated, true);
  });

  it("garbage-collects a dependent when its owner is deleted", async () => {
    const owner = await k.core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "owner" }, data: { a: "b" } },
    });
    await k.core.createNamespacedSecret({
      namespace: ns.name,
      body: {
        metadata: {
          name: "dependent",
          ownerReferences: [
            { apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" },
          ],
        },
        stringData: { k: "v" },
      },
    });
    await k.core.deleteNamespacedConfigMap({ namespace: ns.name, name: "owner" });
    await eventually(
      "the garbage collector to delete the dependent Secret",
      async () => {
        try {
          await k.core.readNamespacedSecret({ namespace: ns.name, name: "dependent" });
          return false;
        } catch (err) {
          if (isNotFound(err)) return true;
          throw err;
        }
      },
      60_000,
    );
  });

  it("writes and reads a KV v2 secret in OpenBao", async () => {
    const path = `${env.openbao.address}/v1/secret/data/${uniqueName("smoke")}`;
    const headers = { "X-Vault-Token": env.openbao.token, "Content-Type": "application/json" };
    const write = await fetch(path, {
      method: "POST",
      headers,
      body: JSON.stringify({ data: { username: "ferry", password: "s3cr3t" } }),
    });
    assert.equal(write.status, 200, await write.text());
    const read = await fetch(path, { headers });
    assert.equal(read.status, 200);
    const body = (await read.json()) as {
      data: { data: Record<string, string>; metadata: { version: number } };
    };
    assert.deepEqual(body.data.data, { username: "ferry", password: "s3cr3t" });
    assert.equal(body.data.metadata.version, 1);
  });

  it("creates and reads a secret in moto's Secrets Manager", async () => {
    const client = new SecretsManagerClient({
      endpoint: env.moto.endpoint,
      region: env.moto.region,
      credentials: { accessKeyId: env.moto.accessKeyId, secretAccessKey: env.moto.secretAccessKey },
    });
    const name = uniqueName("smoke");
    await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"user":"ferry"}' }));
    const value = await client.send(new GetSecretValueCommand({ SecretId: name }));
    assert.equal(value.SecretString, '{"user":"ferry"}');
    assert.ok(value.VersionStages?.includes("AWSCURRENT"));
  });
});
