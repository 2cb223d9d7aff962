// A sealed or unreachable Vault through the ExternalSecret controller, with
// the store's retrySettings: the ExternalSecret gets a condition that says
// what is wrong, the target Secret is kept as it was, the requests are
// retried as retrySettings say, and everything recovers when the server is
// back. The OpenBao here is a private one, started by the test, so sealing
// and stopping it disturbs nobody.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { installCrds, testClient } from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  getSecret,
  Namespaces,
  readyOf,
  sleep,
  waitReady,
  waitSecret,
} from "../../controllers/es-helpers.ts";
import { BaoServer } from "./bao-server.ts";
import {
  createSecretObject,
  createStore,
  putKv,
  startVaultController,
  vaultStoreObject,
  waitStore,
  type StoreId,
  type VaultController,
} from "./controller-helpers.ts";
import { CountingProxy } from "./counting-proxy.ts";

const client = testClient();
const namespaces = new Namespaces();
const KV2 = { mount: "secret", version: "v2" } as const;
let server: BaoServer;
let proxy: CountingProxy;
let vc: VaultController | undefined;

before(async () => {
  await installCrds();
  server = await BaoServer.start();
  await server.bao.call("PUT", "sys/policies/acl/eso", {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await server.bao.call("POST", "sys/auth/approle", { type: "approle" });
  await server.bao.call("POST", "auth/approle/role/eso", {
    token_policies: ["eso"],
    token_ttl: "1h",
  });
  proxy = await new CountingProxy(server.address).start();
  vc = await startVaultController();
});

after(async () => {
  await vc?.ctl.stop();
  await namespaces.removeAll();
  await proxy.close().catch(() => undefined);
  await server.close();
});

describe("a sealed, then unreachable OpenBao (retrySettings maxRetries 2, retryInterval 500ms)", () => {
  it("clear conditions, the Secret kept, retries as configured, recovery after unseal", async () => {
    const bao = server.bao;
    const roleId = (
      (await bao.call("GET", "auth/approle/role/eso/role-id")) as { data: { role_id: string } }
    ).data.role_id;
    const secretId = (
      (await bao.call("POST", "auth/approle/role/eso/secret-id", {})) as {
        data: { secret_id: string };
      }
    ).data.secret_id;
    const ns = (await namespaces.create("vault-outage")).name;
    await createSecretObject(client, ns, "approle", { secret_id: secretId });
    await putKv(bao, KV2, "app", { password: "value-1" });
    const store: StoreId = { kind: "SecretStore", name: "s", namespace: ns };
    await createStore(
      client,
      vaultStoreObject(
        store,
        {
          server: proxy.address,
          path: "secret",
          version: "v2",
          auth: {
            appRole: { path: "approle", roleId, secretRef: { name: "approle", key: "secret_id" } },
          },
        },
        { retrySettings: { maxRetries: 2, retryInterval: "500ms" } },
      ),
    );
    await waitStore(client, store, "True");
    await createEs(client, ns, "es", {
      refreshInterval: "3s",
      secretStoreRef: { name: "s", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "password", remoteRef: { key: "app", property: "password" } }],
    });
    const synced = await waitSecret(
      client,
      ns,
      "target",
      (s) => decode(s)["password"] === "value-1",
    );

    // sealed: every attempt is a 503 "Vault is sealed"
    const sealedAt = Date.now();
    await server.seal();
    // the store says why; the ExternalSecret says so too, or that its store is
    // not ready (the flood gate), whichever it met first
    const sealedStore = await waitStore(client, store, "False");
    assert.match(sealedStore.message ?? "", /vault is sealed/);
    const sealedEs = await waitReady(client, ns, "es", {
      status: "False",
      reason: "SecretSyncedError",
    });
    assert.match(
      readyOf(sealedEs)?.message ?? "",
      /vault is sealed|SecretStore ".*\/s" is not ready/,
    );
    // the first failing request: three attempts, 500 ms then 1000 ms apart
    // (linear, as Vault's client); the ExternalSecret's read, or the store
    // validation's mount check when the flood gate stopped the read
    const sealedAttempts = (path: string): number[] =>
      proxy
        .matching("GET", path)
        .filter((r) => r.at >= sealedAt && r.status === 503)
        .map((r) => r.at);
    const read = sealedAttempts("/v1/secret/data/app");
    const attempts = read.length >= 3 ? read : sealedAttempts("/v1/sys/internal/ui/mounts/secret");
    assert.ok(attempts.length >= 3, `only ${String(attempts.length)} sealed attempts`);
    const [t1 = 0, t2 = 0, t3 = 0] = attempts;
    const gaps: [number, number] = [t2 - t1, t3 - t2];
    console.log(
      `sealed: ${read.length >= 3 ? "read" : "mount check"} attempts ${String(attempts.length)}, first gaps ${JSON.stringify(gaps)} ms`,
    );
    assert.ok(gaps[0] >= 450 && gaps[0] < 1500, `gaps ${JSON.stringify(gaps)}`);
    assert.ok(gaps[1] >= 950 && gaps[1] < 2500, `gaps ${JSON.stringify(gaps)}`);
    await sleep(4000);
    const keptSealed = await getSecret(client, ns, "target");
    assert.deepEqual(decode(keptSealed), { password: "value-1" });
    assert.equal(keptSealed?.metadata?.resourceVersion, synced.metadata?.resourceVersion);

    // unsealed: the same cached login works again, and a new value arrives
    await server.unseal();
    await putKv(bao, KV2, "app", { password: "value-2" });
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "value-2");
    await waitReady(client, ns, "es", { status: "True" });
    assert.equal(proxy.count("POST", "/v1/auth/approle/login"), 1);

    // stopped (and the proxy with it): connection refused, retried, then Unavailable
    await server.stop();
    await proxy.close();
    const downStore = await waitStore(client, store, "False");
    assert.match(downStore.message ?? "", /vault server http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    const downEs = await waitReady(client, ns, "es", {
      status: "False",
      reason: "SecretSyncedError",
    });
    assert.match(
      readyOf(downEs)?.message ?? "",
      /vault server http:\/\/127\.0\.0\.1:\d+ is unreachable|SecretStore ".*\/s" is not ready/,
    );
    await sleep(4000);
    const keptDown = await getSecret(client, ns, "target");
    assert.deepEqual(decode(keptDown), { password: "value-2" });
  });
});
