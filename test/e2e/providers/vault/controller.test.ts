// ESO's vault suite through the ExternalSecret controller: its conformance
// cases (3-8, 10, 13, 17-19, cases.ts) composed with the auth variants ESO
// combines them with — token, AppRole, kubernetes, JWT with a ServiceAccount
// token, cert, userpass, KV v1 — and a referent ClusterSecretStore, against
// a private OpenBao with a TLS listener (cert auth needs one) and the real
// apiserver. Then stores whose credentials are wrong: a clear condition, no
// value, and an existing Secret kept.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CORE } from "../../../../src/runtime/index.ts";
import {
  ESO,
  eventsFor,
  installCrds,
  testClient,
  type TestController,
} from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  getSecret,
  Namespaces,
  readyOf,
  getEs,
  sleep,
  waitReady,
  waitSecret,
  type TestNamespace,
} from "../../controllers/es-helpers.ts";
import { eventually, kubeConfig, testEnv } from "../../framework/env.ts";
import { kubeAccess } from "../../framework/kube-access.ts";
import { BaoServer } from "./bao-server.ts";
import { esName, vaultCases, type VaultCase } from "./cases.ts";
import {
  createSecretObject,
  createStore,
  deleteStore,
  matches,
  putKv,
  startVaultController,
  vaultStoreObject,
  waitStore,
  type StoreId,
  type StoreKind,
  type VaultController,
} from "./controller-helpers.ts";
import { bindAuthDelegator, kubeCaPem, saPublicKeyPem, suffix } from "./helpers.ts";

const client = testClient();
const namespaces = new Namespaces();
const access = kubeAccess(kubeConfig());
let server: BaoServer;
let vc: VaultController;
let ctl: TestController;
let roleId = "";
let secretId = "";
let clientCert = "";
let clientKey = "";
const cleanups: (() => Promise<void>)[] = [];

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

/** A client CA and a client certificate it signed (cert auth), in the server's directory. */
function makeClientCertificate(dir: string): { ca: string; cert: string; key: string } {
  openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "cca.key",
    "-out",
    "cca.crt",
    "-subj",
    "/CN=ferry-client-ca",
    "-days",
    "1",
  );
  openssl(
    dir,
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "client.key",
    "-out",
    "client.csr",
    "-subj",
    "/CN=ferry-eso",
  );
  writeFileSync(join(dir, "ext.cnf"), "extendedKeyUsage=clientAuth\n");
  openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "cca.crt",
    "-CAkey",
    "cca.key",
    "-CAcreateserial",
    "-out",
    "client.crt",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  );
  const read = (f: string): string => readFileSync(join(dir, f), "utf8");
  return { ca: read("cca.crt"), cert: read("client.crt"), key: read("client.key") };
}

/** The suite's OpenBao: KV v2 at secret/ (dev default) and v1 at kv1/, one policy, five auth methods. */
async function configureBao(reviewerJwt: string): Promise<void> {
  const bao = server.bao;
  await bao.call("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } });
  await bao.call("PUT", "sys/policies/acl/eso", {
    policy: `path "secret/*" { capabilities = ["read", "list"] }
path "kv1/*" { capabilities = ["read", "list"] }`,
  });
  for (const type of ["approle", "userpass", "kubernetes", "jwt", "cert"]) {
    await bao.call("POST", `sys/auth/${type}`, { type });
  }
  await bao.call("POST", "auth/approle/role/eso", { token_policies: ["eso"], token_ttl: "1h" });
  roleId = (
    (await bao.call("GET", "auth/approle/role/eso/role-id")) as { data: { role_id: string } }
  ).data.role_id;
  secretId = (
    (await bao.call("POST", "auth/approle/role/eso/secret-id", {})) as {
      data: { secret_id: string };
    }
  ).data.secret_id;
  await bao.call("POST", "auth/userpass/users/eso", {
    password: "pw-e2e",
    token_policies: ["eso"],
  });
  await bao.call("POST", "auth/kubernetes/config", {
    kubernetes_host: testEnv().kubernetes.server,
    kubernetes_ca_cert: kubeCaPem(),
    token_reviewer_jwt: reviewerJwt,
    disable_local_ca_jwt: true,
  });
  await bao.call("POST", "auth/kubernetes/role/eso", {
    bound_service_account_names: ["vault-reader"],
    bound_service_account_namespaces: ["*"],
    token_policies: ["eso"],
    ttl: "1h",
  });
  await bao.call("POST", "auth/jwt/config", {
    jwt_validation_pubkeys: [saPublicKeyPem()],
    bound_issuer: testEnv().kubernetes.serviceAccountIssuer,
  });
  await bao.call("POST", "auth/jwt/role/eso", {
    role_type: "jwt",
    bound_audiences: ["vault"],
    user_claim: "sub",
    token_policies: ["eso"],
    ttl: "1h",
  });
  const certs = makeClientCertificate(server.dir);
  clientCert = certs.cert;
  clientKey = certs.key;
  await bao.call("POST", "auth/cert/certs/eso", {
    certificate: certs.ca,
    token_policies: ["eso"],
    ttl: "1h",
  });
}

before(async () => {
  await installCrds();
  server = await BaoServer.start({ tls: true });
  // kubernetes auth reviews login tokens with this ServiceAccount's token
  const home = await namespaces.create("vault-ctl-home");
  await client.create(
    CORE.serviceAccounts,
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "token-reviewer", namespace: home.name },
    },
    { namespace: home.name },
  );
  cleanups.push(await bindAuthDelegator(home.name, "token-reviewer"));
  const reviewer = await access.createServiceAccountToken(home.name, "token-reviewer", {
    expirationSeconds: 3600,
  });
  await configureBao(reviewer.token);
  vc = await startVaultController();
  ctl = vc.ctl;
});

after(async () => {
  await ctl.stop();
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  await namespaces.removeAll();
  await server.close();
});

// ---------------------------------------------------------------------------
// Auth variants: what a namespace needs, and the store's auth.

interface Variant {
  readonly kind: StoreKind;
  readonly mount: "secret" | "kv1";
  readonly version: "v1" | "v2";
  /** Creates the credentials in `ns`; returns the store's auth. */
  setup(ns: string): Promise<Record<string, unknown>>;
}

async function serviceAccount(ns: string, name: string): Promise<void> {
  await client.create(
    CORE.serviceAccounts,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns } },
    { namespace: ns },
  );
}

async function tokenSecret(ns: string): Promise<Record<string, unknown>> {
  const r = (await server.bao.call("POST", "auth/token/create", {
    policies: ["eso"],
    ttl: "1h",
  })) as { auth: { client_token: string } };
  await createSecretObject(client, ns, "vault-token", { token: r.auth.client_token });
  return { tokenSecretRef: { name: "vault-token", key: "token" } };
}

const KV2 = { mount: "secret", version: "v2" } as const;

/** AppRole auth reading secret_id from the Secret `secretName`. */
const appRoleAuth = (secretName = "approle", role = roleId): Record<string, unknown> => ({
  appRole: { path: "approle", roleId: role, secretRef: { name: secretName, key: "secret_id" } },
});

const variants: Record<string, Variant> = {
  token: { kind: "SecretStore", mount: "secret", version: "v2", setup: tokenSecret },
  AppRole: {
    kind: "SecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await createSecretObject(client, ns, "approle", { secret_id: secretId });
      return appRoleAuth();
    },
  },
  kubernetes: {
    kind: "SecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await serviceAccount(ns, "vault-reader");
      return {
        kubernetes: {
          mountPath: "kubernetes",
          role: "eso",
          serviceAccountRef: { name: "vault-reader" },
        },
      };
    },
  },
  "JWT with a ServiceAccount token": {
    kind: "SecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await serviceAccount(ns, "vault-reader");
      return {
        jwt: {
          path: "jwt",
          role: "eso",
          kubernetesServiceAccountToken: { serviceAccountRef: { name: "vault-reader" } },
        },
      };
    },
  },
  cert: {
    kind: "SecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await createSecretObject(client, ns, "client-tls", {
        "tls.crt": clientCert,
        "tls.key": clientKey,
      });
      return {
        cert: {
          path: "cert",
          vaultRole: "eso",
          clientCert: { name: "client-tls", key: "tls.crt" },
          secretRef: { name: "client-tls", key: "tls.key" },
        },
      };
    },
  },
  userpass: {
    kind: "SecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await createSecretObject(client, ns, "userpass", { password: "pw-e2e" });
      return {
        userPass: {
          path: "userpass",
          username: "eso",
          secretRef: { name: "userpass", key: "password" },
        },
      };
    },
  },
  "KV v1 (token)": { kind: "SecretStore", mount: "kv1", version: "v1", setup: tokenSecret },
  // no namespace on the secretRef: each ExternalSecret's namespace holds the credentials
  "referent ClusterSecretStore (AppRole)": {
    kind: "ClusterSecretStore",
    mount: "secret",
    version: "v2",
    setup: async (ns) => {
      await createSecretObject(client, ns, "approle", { secret_id: secretId });
      return appRoleAuth();
    },
  },
};

function vaultSpec(
  kv: { readonly mount: string; readonly version: "v1" | "v2" },
  auth: Record<string, unknown>,
): Record<string, unknown> {
  return {
    server: server.address,
    path: kv.mount,
    version: kv.version,
    caBundle: server.caBundle,
    auth,
  };
}

async function runCase(ns: string, variant: Variant, tc: VaultCase): Promise<void> {
  for (const [key, data] of Object.entries(tc.secrets)) await putKv(server.bao, variant, key, data);
  for (const cm of tc.configMaps ?? []) await client.create(CORE.configMaps, cm, { namespace: ns });
  await createEs(client, ns, esName(tc.id), tc.spec);
  try {
    await waitSecret(client, ns, tc.target, (s) => matches(s, tc.expected));
  } catch (err) {
    const es = await getEs(client, ns, esName(tc.id));
    const got = await getSecret(client, ns, tc.target);
    assert.fail(
      `${(err as Error).message}; Ready=${JSON.stringify(readyOf(es))}; got ${JSON.stringify({ type: got?.type, data: got === undefined ? undefined : decode(got) })}`,
    );
  }
  if (tc.finalizers === true) {
    // the template's finalizer would keep the Secret (and the namespace) forever
    await client.mergePatch(
      ESO.externalSecrets,
      esName(tc.id),
      { spec: { target: { template: { metadata: { finalizers: null } } } } },
      { namespace: ns },
    );
    await client.mergePatch(
      CORE.secrets,
      tc.target,
      { metadata: { finalizers: null } },
      { namespace: ns },
    );
  }
}

describe("ESO's vault suite through the ExternalSecret controller (private TLS OpenBao)", () => {
  for (const [name, variant] of Object.entries(variants)) {
    describe(`${name} auth`, { concurrency: true }, () => {
      let ns: TestNamespace;
      let storeRef = { name: "", kind: variant.kind };
      before(async () => {
        ns = await namespaces.create("vault-ctl");
        const auth = await variant.setup(ns.name);
        const id: StoreId =
          variant.kind === "SecretStore"
            ? { kind: "SecretStore", name: ns.name, namespace: ns.name }
            : { kind: "ClusterSecretStore", name: `vault-referent-${suffix()}` };
        storeRef = { name: id.name, kind: variant.kind };
        await createStore(client, vaultStoreObject(id, vaultSpec(variant, auth)));
        if (id.kind === "ClusterSecretStore") cleanups.push(() => deleteStore(client, id));
        await waitStore(client, id, "True");
      });
      // the case list is known before the namespace: build the cases lazily
      for (const tc of vaultCases({ ns: "<ns>", storeRef })) {
        it(`${tc.id} ${tc.title}`, async () => {
          const real = vaultCases({ ns: ns.name, storeRef }).find((c) => c.id === tc.id);
          assert.ok(real !== undefined);
          await runCase(ns.name, variant, real);
        });
      }
    });
  }
});

describe("referent ClusterSecretStore from a namespace without the credentials", () => {
  it("Ready=False naming the missing Secret in that namespace; no target Secret", async () => {
    const ns = await namespaces.create("vault-ctl-nocreds");
    const id: StoreId = { kind: "ClusterSecretStore", name: `vault-referent-${suffix()}` };
    const storeName = id.name;
    await createStore(client, vaultStoreObject(id, vaultSpec(KV2, appRoleAuth())));
    cleanups.push(() => deleteStore(client, id));
    await waitStore(client, id, "True");
    await putKv(server.bao, KV2, `${ns.name}-x`, { a: "1" });
    await createEs(client, ns.name, "es", {
      refreshInterval: "1h",
      secretStoreRef: { name: storeName, kind: "ClusterSecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "a", remoteRef: { key: `${ns.name}-x`, property: "a" } }],
    });
    const es = await waitReady(client, ns.name, "es", { status: "False" });
    assert.match(readyOf(es)?.message ?? "", new RegExp(`${ns.name}/approle`));
    assert.equal(await getSecret(client, ns.name, "target"), undefined);
  });
});

// Failed logins count against OpenBao's user lockout (5 failures lock a
// role_id for 15 minutes, even for the right secret_id afterwards): each
// test here fails with a role_id no other test uses.
describe("a store whose credentials are wrong", () => {
  const spec = (auth: Record<string, unknown>): Record<string, unknown> => vaultSpec(KV2, auth);

  it("store and ExternalSecret Ready=False with what to fix; no value, no target Secret", async () => {
    const ns = await namespaces.create("vault-ctl-wrong");
    const wrongSecretId = "00000000-0000-0000-0000-000000000000";
    await server.bao.call("POST", "auth/approle/role/lockable", { token_policies: ["eso"] });
    const lockable = (
      (await server.bao.call("GET", "auth/approle/role/lockable/role-id")) as {
        data: { role_id: string };
      }
    ).data.role_id;
    await createSecretObject(client, ns.name, "wrong", { secret_id: wrongSecretId });
    await createStore(
      client,
      vaultStoreObject(
        { kind: "SecretStore", name: "wrong", namespace: ns.name },
        spec(appRoleAuth("wrong", lockable)),
      ),
    );
    const store = await waitStore(
      client,
      { kind: "SecretStore", name: "wrong", namespace: ns.name },
      "False",
    );
    assert.match(store.message ?? "", /login at auth\/approle\/login failed \(400\)/);
    assert.doesNotMatch(store.message ?? "", new RegExp(wrongSecretId));
    await putKv(server.bao, KV2, `${ns.name}-x`, { a: "1" });
    await createEs(client, ns.name, "es", {
      refreshInterval: "1h",
      secretStoreRef: { name: "wrong", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "a", remoteRef: { key: `${ns.name}-x`, property: "a" } }],
    });
    const es = await waitReady(client, ns.name, "es", {
      status: "False",
      reason: "SecretSyncedError",
    });
    assert.match(readyOf(es)?.message ?? "", /SecretStore ".*\/wrong" is not ready/);
    assert.equal(await getSecret(client, ns.name, "target"), undefined);
    await eventually("a Warning event on the ExternalSecret", async () => {
      const events = await eventsFor(client, ns.name, "ExternalSecret", "es");
      return events.some((e) => e.type === "Warning");
    });
  });

  it("credentials that turn wrong: the existing Secret is kept, unchanged, and the condition says why", async () => {
    const ns = await namespaces.create("vault-ctl-turn");
    const store: StoreId = { kind: "SecretStore", name: "s", namespace: ns.name };
    await createSecretObject(client, ns.name, "approle", { secret_id: secretId });
    await createStore(client, vaultStoreObject(store, spec(appRoleAuth())));
    await waitStore(client, store, "True");
    await putKv(server.bao, KV2, `${ns.name}-x`, { a: "value-1" });
    await createEs(client, ns.name, "es", {
      refreshInterval: "2s",
      secretStoreRef: { name: "s", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "a", remoteRef: { key: `${ns.name}-x`, property: "a" } }],
    });
    const synced = await waitSecret(client, ns.name, "target", (s) => decode(s)["a"] === "value-1");
    // the store now points at wrong credentials (a new generation: a new login)
    await client.mergePatch(
      ESO.secretStores,
      "s",
      // a role_id that does not exist
      {
        spec: {
          provider: {
            vault: { auth: appRoleAuth("approle", "ffffffff-ffff-ffff-ffff-ffffffffffff") },
          },
        },
      },
      { namespace: ns.name },
    );
    await waitStore(client, store, "False");
    const es = await waitReady(client, ns.name, "es", {
      status: "False",
      reason: "SecretSyncedError",
    });
    // the flood gate (store not ready) or the failed login itself, whichever came first
    assert.match(
      readyOf(es)?.message ?? "",
      /SecretStore ".*\/s" is not ready|login at auth\/approle\/login failed/,
    );
    // a new remote value must not arrive through a stale login either
    await putKv(server.bao, KV2, `${ns.name}-x`, { a: "value-2" });
    await sleep(4000);
    const kept = await getSecret(client, ns.name, "target");
    assert.deepEqual(decode(kept), { a: "value-1" });
    assert.equal(kept?.metadata?.resourceVersion, synced.metadata?.resourceVersion);
    // fixed again: the ExternalSecret recovers and picks up the new value
    await client.mergePatch(
      ESO.secretStores,
      "s",
      { spec: { provider: { vault: { auth: appRoleAuth() } } } },
      { namespace: ns.name },
    );
    await waitSecret(client, ns.name, "target", (s) => decode(s)["a"] === "value-2");
    await waitReady(client, ns.name, "es", { status: "True" });
  });
});
