// provider.vault against a real OpenBao and the real apiserver: ESO's vault
// suite cases 3-8, 10, 13, 17-19 in their provider-level essence, under the
// auth variants ESO combines them with, plus referent stores, failures,
// push/delete/exists and the login reuse (one login for 200 clients).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NoSecretError, ProviderError } from "../../../../src/providers/errors.ts";
import type { SecretsClient } from "../../../../src/providers/provider.ts";
import {
  newVaultProvider,
  type VaultSecretsProvider,
} from "../../../../src/providers/vault/index.ts";
import { createNamespace, kube, kubeConfig, testEnv } from "../../framework/env.ts";
import { kubeAccess } from "../../framework/kube-access.ts";
import {
  Bao,
  bindAuthDelegator,
  clusterStore,
  createSecret,
  createServiceAccount,
  ctx,
  kubeCaPem,
  saPublicKeyPem,
  secretStore,
  suffix,
  utf8,
} from "./helpers.ts";

const bao = new Bao();
const access = kubeAccess(kubeConfig());
const id = suffix();
let ns = "";
let removeNs: () => Promise<void> = () => Promise.resolve();
let kv2 = "";
let kv1 = "";
let policy = "";
const auth: Record<string, Record<string, unknown>> = {};

const secretValue1 = { foo1: "foo1-val", bar1: "bar1-val" };
const nested = {
  name: { first: "Tom", last: "Anderson" },
  friends: [{ first: "Dale" }, { first: "Roger" }],
  db: { username: "admin", password: "s3cr3t", port: 5432 },
  "dotted.key": "direct",
  html: "<a&b>",
  ratio: 1.5,
};

async function putV2(key: string, data: unknown, custom?: Record<string, string>): Promise<void> {
  await bao.call("POST", `${kv2}/data/${key}`, { data });
  if (custom !== undefined)
    await bao.call("POST", `${kv2}/metadata/${key}`, { custom_metadata: custom });
}

async function putV1(key: string, data: unknown): Promise<void> {
  await bao.call("POST", `${kv1}/${key}`, data);
}

before(async () => {
  const { core } = kube();
  const created = await createNamespace(core, "vault-e2e");
  ns = created.name;
  removeNs = created.remove;
  kv2 = await bao.mountKv(2);
  kv1 = await bao.mountKv(1);
  policy = `ferry-e2e-${id}`;
  await bao.policy(
    policy,
    `path "${kv2}/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "${kv1}/*" { capabilities = ["create", "read", "update", "delete", "list"] }`,
  );
  // remote fixtures
  await putV2("json", secretValue1);
  await putV2("nested", nested);
  await putV2(`find/e2e_find_name_${id}_one`, { a: "1" });
  await putV2(`find/deeper/e2e_find_name_${id}_two`, { b: "2" });
  await putV2(`find/other_${id}`, { c: "3" }, { test: id });
  await putV2(`tagged/t1_${id}`, { d: "4" }, { test: id });
  await putV1("json", secretValue1);
  await putV1("nested", nested);
  await putV1(`find/e2e_find_name_${id}_one`, { a: "1" });

  // token
  await createSecret(ns, "vault-token", { token: await bao.token_(policy) });
  auth["token"] = { tokenSecretRef: { name: "vault-token", key: "token" } };
  // AppRole
  const approle = await bao.enableAuth("approle");
  await bao.call("POST", `auth/${approle}/role/eso`, { token_policies: [policy], token_ttl: "1h" });
  const roleId = (
    (await bao.call("GET", `auth/${approle}/role/eso/role-id`)) as { data: { role_id: string } }
  ).data.role_id;
  const secretId = (
    (await bao.call("POST", `auth/${approle}/role/eso/secret-id`, {})) as {
      data: { secret_id: string };
    }
  ).data.secret_id;
  await createSecret(ns, "approle", { secret_id: secretId, role_id: roleId });
  auth["appRole"] = {
    appRole: { path: approle, roleId, secretRef: { name: "approle", key: "secret_id" } },
  };
  auth["appRoleRef"] = {
    appRole: {
      path: approle,
      roleRef: { name: "approle", key: "role_id" },
      secretRef: { name: "approle", key: "secret_id" },
    },
  };
  // userpass
  const userpass = await bao.enableAuth("userpass");
  await bao.call("POST", `auth/${userpass}/users/eso`, {
    password: "pw-e2e",
    token_policies: [policy],
  });
  await createSecret(ns, "userpass", { password: "pw-e2e" });
  auth["userPass"] = {
    userPass: { path: userpass, username: "eso", secretRef: { name: "userpass", key: "password" } },
  };
  // kubernetes (TokenReview against the real apiserver)
  await createServiceAccount(ns, "vault-reader");
  const unbind = await bindAuthDelegator(ns, "vault-reader");
  bao.onCleanup(unbind);
  const k8s = await bao.enableAuth("kubernetes");
  await bao.call("POST", `auth/${k8s}/config`, {
    kubernetes_host: testEnv().kubernetes.server,
    kubernetes_ca_cert: kubeCaPem(),
    disable_local_ca_jwt: true,
  });
  await bao.call("POST", `auth/${k8s}/role/eso`, {
    bound_service_account_names: ["vault-reader"],
    bound_service_account_namespaces: [ns],
    token_policies: [policy],
    ttl: "1h",
  });
  auth["kubernetes"] = {
    kubernetes: { mountPath: k8s, role: "eso", serviceAccountRef: { name: "vault-reader" } },
  };
  // JWT with a ServiceAccount token, validated with the apiserver's public key
  const jwt = await bao.enableAuth("jwt");
  await bao.call("POST", `auth/${jwt}/config`, {
    jwt_validation_pubkeys: [saPublicKeyPem()],
    bound_issuer: testEnv().kubernetes.serviceAccountIssuer,
  });
  await bao.call("POST", `auth/${jwt}/role/eso`, {
    role_type: "jwt",
    bound_audiences: ["vault"],
    user_claim: "sub",
    token_policies: [policy],
    ttl: "1h",
  });
  auth["jwt"] = {
    jwt: {
      path: jwt,
      role: "eso",
      kubernetesServiceAccountToken: { serviceAccountRef: { name: "vault-reader" } },
    },
  };
});

after(async () => {
  await bao.cleanup();
  await removeNs();
});

function store(
  authSpec: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): ReturnType<typeof secretStore> {
  return secretStore(ns, {
    server: bao.address,
    path: kv2,
    version: "v2",
    auth: authSpec,
    ...extra,
  });
}

async function client(
  provider: VaultSecretsProvider,
  authSpec: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<SecretsClient> {
  return provider.newClient(ctx, store(authSpec, extra), access, ns);
}

async function conformance(c: SecretsClient, version: "v1" | "v2"): Promise<void> {
  // 3/4: property of a JSON secret
  assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
  // whole secret: ESO's json.Marshal of the data map (sorted keys, HTML escaped, numbers as stored)
  assert.equal(
    utf8(await c.getSecret(ctx, { key: "json" })),
    '{"bar1":"bar1-val","foo1":"foo1-val"}',
  );
  assert.equal(
    utf8(await c.getSecret(ctx, { key: "nested" })),
    '{"db":{"password":"s3cr3t","port":5432,"username":"admin"},"dotted.key":"direct","friends":[{"first":"Dale"},{"first":"Roger"}],"html":"\\u003ca\\u0026b\\u003e","name":{"first":"Tom","last":"Anderson"},"ratio":1.5}',
  );
  // 8/10: extract
  const map = await c.getSecretMap(ctx, { key: "json" });
  assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, utf8(v)])), secretValue1);
  // 9: extract with property, a number rendered
  const db = await c.getSecretMap(ctx, { key: "nested", property: "db" });
  assert.deepEqual(Object.fromEntries([...db].map(([k, v]) => [k, utf8(v)])), {
    password: "s3cr3t",
    port: "5432",
    username: "admin",
  });
  // 11: gjson, and a top-level key with a dot wins over gjson syntax
  assert.equal(utf8(await c.getSecret(ctx, { key: "nested", property: "name.first" })), "Tom");
  assert.equal(
    utf8(await c.getSecret(ctx, { key: "nested", property: "friends.1.first" })),
    "Roger",
  );
  assert.equal(utf8(await c.getSecret(ctx, { key: "nested", property: "dotted.key" })), "direct");
  // 12/13: a property holding an object is its JSON
  assert.equal(
    utf8(await c.getSecret(ctx, { key: "nested", property: "name" })),
    '{"first":"Tom","last":"Anderson"}',
  );
  // missing key drives deletionPolicy; a missing property does not (as ESO)
  await assert.rejects(c.getSecret(ctx, { key: "does-not-exist" }), NoSecretError);
  await assert.rejects(
    c.getSecret(ctx, { key: "json", property: "nope" }),
    (e: unknown) => e instanceof ProviderError && e.code === "PropertyNotFound",
  );
  // 18/19: find by name (recursive LIST)
  const found = await c.getAllSecrets(ctx, { name: { regexp: `e2e_find_name_${id}.+` } });
  const expected =
    version === "v2"
      ? [`find/deeper/e2e_find_name_${id}_two`, `find/e2e_find_name_${id}_one`]
      : [`find/e2e_find_name_${id}_one`];
  assert.deepEqual([...found.keys()].sort(), expected);
  if (version === "v2") {
    assert.equal(utf8(found.get(`find/e2e_find_name_${id}_one`) ?? new Uint8Array()), '{"a":"1"}');
    // find by tags (custom_metadata), and by path
    const tagged = await c.getAllSecrets(ctx, { tags: { test: id } });
    assert.deepEqual([...tagged.keys()].sort(), [`find/other_${id}`, `tagged/t1_${id}`]);
    const inPath = await c.getAllSecrets(ctx, { path: "tagged", tags: { test: id } });
    assert.deepEqual([...inPath.keys()], [`tagged/t1_${id}`]);
    const byPath = await c.getAllSecrets(ctx, { path: "find/deeper", name: { regexp: ".*" } });
    assert.deepEqual([...byPath.keys()], [`find/deeper/e2e_find_name_${id}_two`]);
    // metadataPolicy Fetch: custom_metadata (and the system keys ESO adds)
    assert.equal(
      utf8(
        await c.getSecret(ctx, {
          key: `tagged/t1_${id}`,
          metadataPolicy: "Fetch",
          property: "test",
        }),
      ),
      id,
    );
  }
  assert.equal(await c.validate(ctx), "Ready");
}

describe("provider.vault against OpenBao", () => {
  for (const variant of ["token", "appRole", "appRoleRef", "userPass", "kubernetes", "jwt"]) {
    it(`conformance cases with ${variant} auth (KV v2)`, async () => {
      const provider = newVaultProvider();
      try {
        await conformance(await client(provider, auth[variant] ?? {}), "v2");
        assert.equal(provider.stats.logins, variant === "token" ? 0 : 1);
      } finally {
        await provider.close();
      }
      assert.equal(provider.stats.revocations, variant === "token" ? 0 : 1);
    });
  }

  it("conformance cases on KV v1 (token auth)", async () => {
    const provider = newVaultProvider();
    try {
      const c = await provider.newClient(
        ctx,
        secretStore(ns, { server: bao.address, path: kv1, version: "v1", auth: auth["token"] }),
        access,
        ns,
      );
      await conformance(c, "v1");
      await assert.rejects(c.getAllSecrets(ctx, { tags: { test: id } }), /kv version v1/);
    } finally {
      await provider.close();
    }
  });

  it("keys that carry the mount, without store path (ESO's buildPath)", async () => {
    const provider = newVaultProvider();
    try {
      const c = await provider.newClient(
        ctx,
        secretStore(ns, { server: bao.address, version: "v2", auth: auth["token"] }),
        access,
        ns,
      );
      assert.equal(
        utf8(await c.getSecret(ctx, { key: `${kv2}/json`, property: "bar1" })),
        "bar1-val",
      );
      assert.equal(
        utf8(await c.getSecret(ctx, { key: `${kv2}/data/json`, property: "bar1" })),
        "bar1-val",
      );
    } finally {
      await provider.close();
    }
  });

  it("reads a version", async () => {
    await putV2("versioned", { v: "one" });
    await putV2("versioned", { v: "two" });
    const provider = newVaultProvider();
    try {
      const c = await client(provider, auth["token"] ?? {});
      assert.equal(
        utf8(await c.getSecret(ctx, { key: "versioned", property: "v", version: "1" })),
        "one",
      );
      assert.equal(utf8(await c.getSecret(ctx, { key: "versioned", property: "v" })), "two");
    } finally {
      await provider.close();
    }
  });

  it("a referent ClusterSecretStore: Unknown without namespace, the ES namespace otherwise", async () => {
    const provider = newVaultProvider();
    try {
      const css = clusterStore({
        server: bao.address,
        path: kv2,
        version: "v2",
        auth: auth["appRole"],
      });
      const pending = await provider.newClient(ctx, css, access, "");
      assert.equal(await pending.validate(ctx), "Unknown");
      assert.equal(provider.stats.logins, 0);
      const c = await provider.newClient(ctx, css, access, ns);
      assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
      // the Secret is looked up in the ExternalSecret's namespace: another one has none
      await assert.rejects(provider.newClient(ctx, css, access, "default"), /does not exist/);
    } finally {
      await provider.close();
    }
  });

  it("wrong credentials are AuthFailed, naming the auth method", async () => {
    const provider = newVaultProvider();
    try {
      await createSecret(ns, "wrong-approle", {
        secret_id: "00000000-0000-0000-0000-000000000000",
      });
      const wrong = {
        appRole: {
          ...(auth["appRole"]?.["appRole"] as object),
          secretRef: { name: "wrong-approle", key: "secret_id" },
        },
      };
      await assert.rejects(client(provider, wrong), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.code, "AuthFailed");
        assert.match(e.message, /login at auth\/approle-/);
        assert.doesNotMatch(e.message, /00000000/);
        return true;
      });
      await createSecret(ns, "wrong-token", { token: "s.not-a-token" });
      const c = await client(provider, { tokenSecretRef: { name: "wrong-token", key: "token" } });
      await assert.rejects(c.getSecret(ctx, { key: "json" }), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.code, "AuthFailed");
        assert.match(e.message, /token from tokenSecretRef/);
        assert.doesNotMatch(e.message, /not-a-token/);
        return true;
      });
    } finally {
      await provider.close();
    }
  });

  it("an unreachable server is Unavailable, never a missing secret", async () => {
    const provider = newVaultProvider({ requestTimeoutMs: 2000 });
    try {
      const c = await provider.newClient(
        ctx,
        secretStore(ns, { server: "http://127.0.0.1:9", path: kv2, auth: auth["token"] }),
        access,
        ns,
      );
      await assert.rejects(c.getSecret(ctx, { key: "json" }), (e: unknown) => {
        assert.ok(e instanceof ProviderError && !(e instanceof NoSecretError));
        assert.equal(e.code, "Unavailable");
        assert.match(e.message, /vault server http:\/\/127\.0\.0\.1:9 is unreachable/);
        return true;
      });
      await assert.rejects(
        client(provider, auth["appRole"] ?? {}, { server: "http://127.0.0.1:9" }),
        /unreachable/,
      );
    } finally {
      await provider.close();
    }
  });

  it("200 clients of one store make one login; concurrent reads of one path make one request", async () => {
    const provider = newVaultProvider();
    try {
      const s = store(auth["kubernetes"] ?? {});
      for (let i = 0; i < 200; i++) {
        const c = await provider.newClient(ctx, s, access, ns);
        assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
        await c.close();
      }
      assert.equal(provider.stats.logins, 1);
      const before = provider.stats.kvRequests;
      const clients = await Promise.all(
        Array.from({ length: 50 }, () => provider.newClient(ctx, s, access, ns)),
      );
      const values = await Promise.all(
        clients.map((c, i) =>
          c.getSecret(ctx, { key: "nested", property: i % 2 === 0 ? "db.username" : "name.first" }),
        ),
      );
      assert.equal(new Set(values.map(utf8)).size, 2);
      assert.equal(provider.stats.kvRequests - before, 1);
      assert.equal(provider.stats.logins, 1);
      // a status write (new resourceVersion, same generation) keeps the login
      const statusWritten = { ...s, metadata: { ...s.metadata, resourceVersion: "2" } };
      await provider.newClient(ctx, statusWritten, access, ns);
      assert.equal(provider.stats.logins, 1);
      // a new spec (generation) is a new identity: the old token is revoked
      const changed = { ...s, metadata: { ...s.metadata, resourceVersion: "3", generation: 2 } };
      await provider.newClient(ctx, changed, access, ns);
      assert.equal(provider.stats.logins, 2);
    } finally {
      await provider.close();
    }
    assert.equal(provider.stats.revocations, 2);
  });

  it("a revoked cached token is replaced after one 403", async () => {
    const provider = newVaultProvider({ coalesceWindowMs: 0 });
    try {
      const s = store(auth["userPass"] ?? {});
      const c = await provider.newClient(ctx, s, access, ns);
      await c.getSecret(ctx, { key: "json" });
      // revoke every token of the userpass mount behind the provider's back
      const path = (auth["userPass"]?.["userPass"] as { path: string }).path;
      await bao.call("POST", `sys/leases/revoke-prefix/auth/${path}`, {});
      assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
      assert.equal(provider.stats.logins, 2);
    } finally {
      await provider.close();
    }
  });

  it("push, exists and delete, with managed-by custom_metadata", async () => {
    const provider = newVaultProvider();
    const source = {
      name: "src",
      namespace: ns,
      labels: {},
      annotations: {},
      data: new Map([
        ["a", new Uint8Array(Buffer.from("1"))],
        ["b", new Uint8Array(Buffer.from("two"))],
      ]),
    };
    try {
      const c = await client(provider, auth["appRole"] ?? {});
      await c.pushSecret(ctx, source, { secretKey: "", remoteKey: "pushed/whole", property: "" });
      assert.equal(utf8(await c.getSecret(ctx, { key: "pushed/whole" })), '{"a":"1","b":"two"}');
      const meta = (await bao.call("GET", `${kv2}/metadata/pushed/whole`)) as {
        data: { custom_metadata: Record<string, string>; current_version: number };
      };
      assert.deepEqual(meta.data.custom_metadata, { "managed-by": "external-secrets" });
      // unchanged: no new version
      await c.pushSecret(ctx, source, { secretKey: "", remoteKey: "pushed/whole", property: "" });
      const meta2 = (await bao.call("GET", `${kv2}/metadata/pushed/whole`)) as {
        data: { current_version: number };
      };
      assert.equal(meta2.data.current_version, meta.data.current_version);
      // property writes merge into the existing map
      await c.pushSecret(ctx, source, { secretKey: "b", remoteKey: "pushed/whole", property: "c" });
      assert.equal(utf8(await c.getSecret(ctx, { key: "pushed/whole", property: "c" })), "two");
      assert.equal(await c.secretExists(ctx, { remoteKey: "pushed/whole", property: "c" }), true);
      assert.equal(await c.secretExists(ctx, { remoteKey: "pushed/whole", property: "zz" }), false);
      assert.equal(await c.secretExists(ctx, { remoteKey: "pushed/none", property: "" }), false);
      // refuses to overwrite or delete a secret it does not manage
      await assert.rejects(
        c.pushSecret(ctx, source, { secretKey: "a", remoteKey: "json", property: "foo1" }),
        /not managed by external-secrets/,
      );
      await c.deleteSecret(ctx, { remoteKey: "json", property: "" });
      assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
      // delete a property, then the whole secret (data and metadata)
      await c.deleteSecret(ctx, { remoteKey: "pushed/whole", property: "c" });
      assert.equal(await c.secretExists(ctx, { remoteKey: "pushed/whole", property: "c" }), false);
      await c.deleteSecret(ctx, { remoteKey: "pushed/whole", property: "" });
      assert.equal(await c.secretExists(ctx, { remoteKey: "pushed/whole", property: "" }), false);
      await assert.rejects(bao.call("GET", `${kv2}/metadata/pushed/whole`), /404/);
      await c.deleteSecret(ctx, { remoteKey: "pushed/whole", property: "" });
    } finally {
      await provider.close();
    }
  });

  it("push with checkAndSet, and on KV v1 (custom_metadata inside the data)", async () => {
    const provider = newVaultProvider();
    const source = {
      name: "src",
      namespace: ns,
      labels: {},
      annotations: {},
      data: new Map([["k", new Uint8Array(Buffer.from("v"))]]),
    };
    try {
      const cas = await client(provider, auth["token"] ?? {}, { checkAndSet: { required: true } });
      await cas.pushSecret(ctx, source, { secretKey: "k", remoteKey: "cas/one", property: "p" });
      await cas.pushSecret(ctx, source, { secretKey: "k", remoteKey: "cas/one", property: "q" });
      assert.equal(utf8(await cas.getSecret(ctx, { key: "cas/one" })), '{"p":"v","q":"v"}');
      const v1 = await provider.newClient(
        ctx,
        secretStore(ns, { server: bao.address, path: kv1, version: "v1", auth: auth["token"] }),
        access,
        ns,
      );
      await v1.pushSecret(ctx, source, { secretKey: "k", remoteKey: "pushed", property: "p" });
      const raw = (await bao.call("GET", `${kv1}/pushed`)) as { data: unknown };
      assert.deepEqual(raw.data, { p: "v", custom_metadata: { "managed-by": "external-secrets" } });
      await assert.rejects(
        v1.pushSecret(ctx, source, { secretKey: "k", remoteKey: "json", property: "p" }),
        /no custom_metadata/,
      );
      await v1.deleteSecret(ctx, { remoteKey: "pushed", property: "" });
      assert.equal(await v1.secretExists(ctx, { remoteKey: "pushed", property: "" }), false);
    } finally {
      await provider.close();
    }
  });
});
