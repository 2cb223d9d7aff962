// Login reuse through the ExternalSecret controller: 200 ExternalSecrets,
// each reading its own key and refreshing every 10 s against one AppRole
// SecretStore, make one Vault login, not one per reconcile as ESO does.
// Counted where it cannot be faked: a proxy in front of a private OpenBao
// records every request that reached it, and OpenBao's own token store is
// asked how many tokens the AppRole login issued.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject } from "../../../../src/runtime/index.ts";
import { installCrds, testClient } from "../../controllers/framework.ts";
import { createEs, decode, Namespaces, type Secret } from "../../controllers/es-helpers.ts";
import { eventually } from "../../framework/env.ts";
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

const COUNT = 200;
const client = testClient();
const namespaces = new Namespaces();
let server: BaoServer;
let proxy: CountingProxy;
let vc: VaultController | undefined;

const key = (i: number): string => `k-${String(i).padStart(3, "0")}`;

before(async () => {
  await installCrds();
  server = await BaoServer.start();
  const bao = server.bao;
  await bao.call("PUT", "sys/policies/acl/eso", {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await bao.call("POST", "sys/auth/approle", { type: "approle" });
  await bao.call("POST", "auth/approle/role/eso", { token_policies: ["eso"], token_ttl: "1h" });
  for (let i = 0; i < COUNT; i++) {
    await putKv(bao, { mount: "secret", version: "v2" }, key(i), { v: `value-${String(i)}` });
  }
  proxy = await new CountingProxy(server.address).start();
});

after(async () => {
  await vc?.ctl.stop();
  await namespaces.removeAll();
  await proxy.close();
  await server.close();
});

/** Tokens OpenBao holds that the AppRole login issued (its token store, not our counters). */
async function appRoleTokens(): Promise<number> {
  const list = (await server.bao.call("LIST", "auth/token/accessors")) as {
    data: { keys: string[] };
  };
  let count = 0;
  for (const accessor of list.data.keys) {
    const info = (await server.bao.call("POST", "auth/token/lookup-accessor", { accessor })) as {
      data: { path?: string };
    };
    if (info.data.path === "auth/approle/login") count++;
  }
  return count;
}

describe("login reuse through the controller", () => {
  it(`${String(COUNT)} ExternalSecrets refreshing against one store make one login`, async () => {
    vc = await startVaultController();
    const bao = server.bao;
    const roleId = (
      (await bao.call("GET", "auth/approle/role/eso/role-id")) as { data: { role_id: string } }
    ).data.role_id;
    const secretId = (
      (await bao.call("POST", "auth/approle/role/eso/secret-id", {})) as {
        data: { secret_id: string };
      }
    ).data.secret_id;
    const ns = await namespaces.create("vault-reuse");
    await createSecretObject(client, ns.name, "approle", { secret_id: secretId });
    const store: StoreId = { kind: "SecretStore", name: "one-store", namespace: ns.name };
    await createStore(
      client,
      vaultStoreObject(store, {
        server: proxy.address,
        path: "secret",
        version: "v2",
        auth: {
          appRole: { path: "approle", roleId, secretRef: { name: "approle", key: "secret_id" } },
        },
      }),
    );
    await waitStore(client, store, "True");
    const started = Date.now();
    for (let i = 0; i < COUNT; i++) {
      await createEs(client, ns.name, `es-${key(i)}`, {
        refreshInterval: "10s",
        secretStoreRef: { name: store.name, kind: "SecretStore" },
        target: { name: `target-${key(i)}` },
        data: [{ secretKey: "v", remoteRef: { key: key(i), property: "v" } }],
      });
    }
    await eventually(
      `${String(COUNT)} target Secrets with their values`,
      async () => {
        const list = await client.list<Secret & KubeObject>(CORE.secrets, { namespace: ns.name });
        const synced = list.items.filter((s) => {
          const name = s.metadata?.name ?? "";
          return (
            name.startsWith("target-k-") &&
            decode(s)["v"] === `value-${String(Number(name.slice(9)))}`
          );
        });
        return synced.length === COUNT;
      },
      180_000,
    );
    const syncedAfter = Date.now() - started;
    // two more refresh rounds: every key read at least three times in all
    const reads = (): number => proxy.count("GET", /^\/v1\/secret\/data\/k-\d{3}$/);
    await eventually(
      `${String(3 * COUNT)} reads`,
      () => Promise.resolve(reads() >= 3 * COUNT),
      180_000,
    );
    const logins = proxy.count("POST", "/v1/auth/approle/login");
    const tokens = await appRoleTokens();
    const report = {
      externalSecrets: COUNT,
      syncedAfterMs: syncedAfter,
      kvReadsAtOpenBao: reads(),
      loginsAtOpenBao: logins,
      appRoleTokensInOpenBao: tokens,
      providerStats: { ...vc.provider.stats },
      requestsAtOpenBao: proxy.records.length,
    };
    console.log(`login reuse: ${JSON.stringify(report)}`);
    assert.equal(logins, 1, JSON.stringify(report));
    assert.equal(tokens, 1, JSON.stringify(report));
    assert.equal(vc.provider.stats.logins, 1);
  });
});
