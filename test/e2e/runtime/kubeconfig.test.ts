// The controller's light kubeconfig loader against the real apiserver:
// client certificates from the test kubeconfig, and a ServiceAccount token
// in a token file (what in-cluster credentials are).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CORE, KubeClient, loadLightCredentials } from "../../../src/runtime/client/index.ts";
import { createNamespace, kube, testEnv } from "../framework/env.ts";

const k = kube();

describe("light kubeconfig loader (e2e)", () => {
  let ns: { name: string; remove: () => Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), "ferry-kc-e2e-"));

  before(async () => {
    ns = await createNamespace(k.core, "rt-kubeconfig");
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await ns.remove();
  });

  it("client certificates from the test kubeconfig reach the apiserver", async () => {
    const creds = await loadLightCredentials(testEnv().kubernetes.kubeconfig);
    assert.ok(creds, "the test kubeconfig needs no client-node plugin");
    const client = KubeClient.fromKubeConfig(creds);
    const namespace = await client.get(CORE.namespaces, ns.name);
    assert.equal(namespace.metadata?.name, ns.name);
  });

  it("a ServiceAccount token file authenticates as that ServiceAccount", async () => {
    await k.core.createNamespacedServiceAccount({
      namespace: ns.name,
      body: { metadata: { name: "reader" } },
    });
    const issued = await k.core.createNamespacedServiceAccountToken({
      namespace: ns.name,
      name: "reader",
      body: { spec: { expirationSeconds: 600 } },
    });
    writeFileSync(join(dir, "token"), issued.status?.token ?? "");
    const env = testEnv();
    const path = join(dir, "kubeconfig");
    writeFileSync(
      path,
      JSON.stringify({
        "current-context": "sa",
        contexts: [{ name: "sa", context: { cluster: "test", user: "sa" } }],
        clusters: [
          {
            name: "test",
            cluster: {
              server: env.kubernetes.server,
              "certificate-authority": env.kubernetes.caFile,
            },
          },
        ],
        users: [{ name: "sa", user: { tokenFile: "token" } }],
      }),
    );
    const creds = await loadLightCredentials(path);
    assert.ok(creds);
    const client = KubeClient.fromKubeConfig(creds);
    // No RBAC for this ServiceAccount: the apiserver names who was refused.
    await assert.rejects(client.get(CORE.namespaces, ns.name), (err: Error) => {
      assert.match(err.message, new RegExp(`system:serviceaccount:${ns.name}:reader`));
      return true;
    });
  });
});
