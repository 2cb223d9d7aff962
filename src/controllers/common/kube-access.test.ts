import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeApiServer } from "./fake-apiserver.ts";
import { clientKubeAccess } from "./kube-access.ts";

describe("clientKubeAccess", () => {
  const server = new FakeApiServer();
  server.put("/api/v1/namespaces/ns/secrets/creds", {
    metadata: { name: "creds", namespace: "ns", labels: { a: "b" } },
    data: { token: Buffer.from("s3cr3t").toString("base64") },
  });
  server.put("/api/v1/namespaces/ns/configmaps/ca", {
    metadata: { name: "ca", namespace: "ns" },
    data: { "ca.crt": "PEM" },
  });
  server.put("/api/v1/namespaces/ns/serviceaccounts/sa", {
    metadata: { name: "sa", namespace: "ns", annotations: { role: "x" } },
  });
  server.hooks.push((req) =>
    req.method === "POST" && req.path === "/api/v1/namespaces/ns/serviceaccounts/sa/token"
      ? {
          status: 201,
          body: { status: { token: "jwt", expirationTimestamp: "2030-01-01T00:00:00Z" } },
        }
      : undefined,
  );
  const kube = clientKubeAccess(server.client());

  it("reads Secrets with decoded data and metadata", async () => {
    const s = (await kube.getSecret("ns", "creds"))!;
    assert.equal(Buffer.from(s.data.get("token") ?? []).toString(), "s3cr3t");
    assert.deepEqual(s.labels, { a: "b" });
    assert.ok(s.resourceVersion);
  });

  it("returns undefined for missing objects", async () => {
    assert.equal(await kube.getSecret("ns", "nope"), undefined);
    assert.equal(await kube.getConfigMap("ns", "nope"), undefined);
    assert.equal(await kube.getServiceAccount("other", "sa"), undefined);
  });

  it("reads ConfigMaps and ServiceAccounts", async () => {
    assert.equal((await kube.getConfigMap("ns", "ca"))?.data.get("ca.crt"), "PEM");
    assert.deepEqual((await kube.getServiceAccount("ns", "sa"))?.annotations, { role: "x" });
  });

  it("creates ServiceAccount tokens with a TokenRequest", async () => {
    const token = await kube.createServiceAccountToken("ns", "sa", {
      audiences: ["vault"],
      expirationSeconds: 600,
    });
    assert.deepEqual(token, { token: "jwt", expiresAt: Date.parse("2030-01-01T00:00:00Z") });
    const req = server.requests.at(-1)!;
    assert.equal(req.path, "/api/v1/namespaces/ns/serviceaccounts/sa/token");
    assert.deepEqual(req.body, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: ["vault"], expirationSeconds: 600 },
    });
  });

  it("propagates errors other than 404", async () => {
    server.hooks.push((req) =>
      req.path.endsWith("/forbidden")
        ? { status: 403, body: { kind: "Status", code: 403, reason: "Forbidden" } }
        : undefined,
    );
    await assert.rejects(kube.getSecret("ns", "forbidden"), { code: 403 });
  });
});
