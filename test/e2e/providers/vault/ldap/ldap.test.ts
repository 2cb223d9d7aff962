// LDAP auth end to end: a real OpenLDAP (Debian's slapd, started here on
// 127.0.0.1 with its own config and one LDIF of users), OpenBao's LDAP auth
// method bound to it, and an ExternalSecret synced through the controller
// with a store using auth.ldap. OpenBao 2.7 no longer ships LDAP auth in its
// binary (moved to the openbao-plugins project), so this test runs OpenBao
// 2.6.2, the last release with it built in; both are installed by
// scripts/testenv/slapd-install.sh, and the test fails, saying so, when they
// are missing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { installCrds, testClient } from "../../../controllers/framework.ts";
import {
  createEs,
  decode,
  getSecret,
  Namespaces,
  readyOf,
  waitReady,
  waitSecret,
} from "../../../controllers/es-helpers.ts";
import { BaoServer } from "../bao-server.ts";
import {
  createSecretObject,
  createStore,
  putKv,
  startVaultController,
  vaultStoreObject,
  waitStore,
  type StoreId,
  type VaultController,
} from "../controller-helpers.ts";
import { CountingProxy } from "../counting-proxy.ts";
import {
  ADMIN_DN,
  BAO_WITH_LDAP,
  ldapToolsInstalled,
  PEOPLE_DN,
  requireLdapTools,
  Slapd,
} from "./slapd.ts";

const client = testClient();
const namespaces = new Namespaces();
let slapd: Slapd | undefined;
let server: BaoServer | undefined;
let proxy: CountingProxy | undefined;
let vc: VaultController | undefined;

before(async () => {
  // Without the tools every test below fails with what to run (never a skip).
  if (!ldapToolsInstalled()) return;
  await installCrds();
  slapd = await Slapd.start([
    { uid: "eso", password: "ldap-pw-eso" },
    { uid: "eve", password: "ldap-pw-eve" },
  ]);
  server = await BaoServer.start({ binary: BAO_WITH_LDAP });
  const bao = server.bao;
  await bao.call("PUT", "sys/policies/acl/eso", {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await bao.call("POST", "sys/auth/ldap", { type: "ldap" });
  await bao.call("POST", "auth/ldap/config", {
    url: slapd.url,
    binddn: ADMIN_DN,
    bindpass: slapd.adminPassword,
    userdn: PEOPLE_DN,
    userattr: "uid",
    token_ttl: "1h",
  });
  await bao.call("POST", "auth/ldap/users/eso", { policies: ["eso"] });
  await bao.call("POST", "auth/ldap/users/eve", { policies: ["eso"] });
  await putKv(bao, { mount: "secret", version: "v2" }, "app", { password: "from-vault" });
  proxy = await new CountingProxy(server.address).start();
  vc = await startVaultController();
});

after(async () => {
  await vc?.ctl.stop();
  await namespaces.removeAll();
  await proxy?.close();
  await server?.close();
  await slapd?.stop();
});

function ldapStore(id: StoreId, username: string): ReturnType<typeof vaultStoreObject> {
  return vaultStoreObject(id, {
    server: proxy?.address,
    path: "secret",
    version: "v2",
    auth: { ldap: { path: "ldap", username, secretRef: { name: "ldap", key: "password" } } },
  });
}

describe("LDAP auth through the controller (slapd + OpenBao LDAP auth)", () => {
  it("slapd and an OpenBao with LDAP auth are installed", () => {
    requireLdapTools();
  });

  it("an ExternalSecret synced with an LDAP login, which is reused", async () => {
    requireLdapTools();
    const ns = (await namespaces.create("vault-ldap")).name;
    await createSecretObject(client, ns, "ldap", { password: "ldap-pw-eso" });
    const store: StoreId = { kind: "SecretStore", name: "ldap", namespace: ns };
    await createStore(client, ldapStore(store, "eso"));
    await waitStore(client, store, "True");
    await createEs(client, ns, "es", {
      refreshInterval: "2s",
      secretStoreRef: { name: "ldap", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "password", remoteRef: { key: "app", property: "password" } }],
    });
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "from-vault");
    await waitReady(client, ns, "es", { status: "True", reason: "SecretSynced" });
    // OpenBao's own record: the token came from the LDAP login of uid=eso
    const p = proxy;
    assert.ok(p !== undefined);
    const reads = (): number => p.count("GET", "/v1/secret/data/app");
    const first = reads();
    await waitSecret(client, ns, "target", () => reads() >= first + 2);
    assert.equal(p.count("POST", "/v1/auth/ldap/login/eso"), 1);
  });

  it("a wrong LDAP password: Ready=False naming the LDAP login, no target Secret", async () => {
    requireLdapTools();
    const ns = (await namespaces.create("vault-ldap-wrong")).name;
    await createSecretObject(client, ns, "ldap", { password: "not-eves-password" });
    const store: StoreId = { kind: "SecretStore", name: "ldap", namespace: ns };
    await createStore(client, ldapStore(store, "eve"));
    const ready = await waitStore(client, store, "False");
    assert.match(ready.message ?? "", /login at auth\/ldap\/login\/eve failed \(400\)/);
    assert.doesNotMatch(ready.message ?? "", /not-eves-password/);
    await createEs(client, ns, "es", {
      refreshInterval: "1h",
      secretStoreRef: { name: "ldap", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "password", remoteRef: { key: "app", property: "password" } }],
    });
    const es = await waitReady(client, ns, "es", { status: "False", reason: "SecretSyncedError" });
    assert.ok((readyOf(es)?.message ?? "") !== "");
    assert.equal(await getSecret(client, ns, "target"), undefined);
  });
});
