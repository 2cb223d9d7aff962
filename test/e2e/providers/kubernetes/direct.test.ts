// provider.kubernetes called directly against the real apiserver: every
// auth method (serviceAccount via TokenRequest, bearer token, client
// certificate, kubeconfig in authRef) with every CA source, the reads as
// ESO makes them, validate(), RBAC failures, namespace rules, and the push
// methods (pushSecret, secretExists, deleteSecret).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { NoSecretError, ProviderError } from "../../../../src/providers/errors.ts";
import { newKubernetesProvider } from "../../../../src/providers/kubernetes/index.ts";
import type { PushSource, SecretsClient } from "../../../../src/providers/provider.ts";
import { createNamespace, kube, kubeConfig, testEnv } from "../../framework/env.ts";
import { kubeAccess } from "../../framework/kube-access.ts";
import {
  bytes,
  caBundle,
  caPem,
  createSecret,
  createServiceAccount,
  ctx,
  grant,
  publishRootCa,
  readSecret,
  server,
  serviceAccountToken,
  store,
  utf8,
} from "./helpers.ts";

const access = kubeAccess(kubeConfig());
const created: { name: string; remove: () => Promise<void> }[] = [];
let app = "";
let remote = "";
let forbidden = "";
let other = "";

async function namespace(prefix: string): Promise<string> {
  const ns = await createNamespace(kube().core, prefix);
  created.push(ns);
  return ns.name;
}

before(async () => {
  app = await namespace("k8s-app");
  remote = await namespace("k8s-remote");
  forbidden = await namespace("k8s-forbidden");
  other = await namespace("k8s-other");
  await createServiceAccount(app, "reader");
  await grant(remote, app, "reader");
  const token = await serviceAccountToken(app, "reader");
  const env = testEnv().kubernetes;
  await createSecret(app, "remote-token", { token });
  await createSecret(app, "client-cert", {
    "tls.crt": readFileSync(env.adminCertFile, "utf8"),
    "tls.key": readFileSync(env.adminKeyFile, "utf8"),
  });
  await createSecret(app, "remote-ca", { "ca.crt": caPem() });
  await publishRootCa(app);
  await createSecret(app, "kubeconfig", {
    config: stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "remote",
      contexts: [{ name: "remote", context: { cluster: "remote", user: "reader" } }],
      clusters: [
        { name: "remote", cluster: { server: server(), "certificate-authority-data": caBundle() } },
      ],
      users: [{ name: "reader", user: { token } }],
    }),
  });
  // the remote Secrets
  await createSecret(remote, "db", { user: "alice", password: "s3cr3t", "tls.crt": "cert-pem" });
  await createSecret(
    remote,
    "json",
    { config: '{"db":{"host":"h","port":5432}}', "db.json": '{"user":"u","n":1.5}' },
    {
      labels: { team: "a", "app.kubernetes.io/name": "web" },
      annotations: { owner: "ops", cfg: '{"tier":"gold"}' },
    },
  );
  await createSecret(remote, "find-one", { a: "1" }, { labels: { found: "yes" } });
  await createSecret(remote, "find-two", { b: "2" }, { labels: { found: "yes", extra: "x" } });
  await createSecret(remote, "other-three", { c: "3" }, { labels: { found: "no" } });
});

after(async () => {
  await Promise.allSettled(created.map((ns) => ns.remove()));
});

const viaServiceAccount = (): Record<string, unknown> => ({
  server: {
    url: server(),
    caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" },
  },
  auth: { serviceAccount: { name: "reader" } },
  remoteNamespace: remote,
});

const variants: [string, () => Record<string, unknown>][] = [
  ["serviceAccount (TokenRequest) + caProvider ConfigMap", viaServiceAccount],
  [
    "bearer token + caBundle",
    () => ({
      server: { url: server(), caBundle: caBundle() },
      auth: { token: { bearerToken: { name: "remote-token", key: "token" } } },
      remoteNamespace: remote,
    }),
  ],
  [
    "client certificate + caProvider Secret",
    () => ({
      server: { url: server(), caProvider: { type: "Secret", name: "remote-ca", key: "ca.crt" } },
      auth: {
        cert: {
          clientCert: { name: "client-cert", key: "tls.crt" },
          clientKey: { name: "client-cert", key: "tls.key" },
        },
      },
      remoteNamespace: remote,
    }),
  ],
  [
    "kubeconfig in authRef",
    () => ({ authRef: { name: "kubeconfig", key: "config" }, remoteNamespace: remote }),
  ],
];

async function client(spec: Record<string, unknown>, namespace = app): Promise<SecretsClient> {
  return newKubernetesProvider().newClient(
    ctx(),
    store(spec, { namespace: app }),
    access,
    namespace,
  );
}

describe("provider.kubernetes against the apiserver: auth", () => {
  for (const [name, spec] of variants) {
    it(`${name}: validates and reads`, async () => {
      const c = await client(spec());
      assert.equal(await c.validate(ctx()), "Ready");
      assert.equal(utf8(await c.getSecret(ctx(), { key: "db", property: "password" })), "s3cr3t");
    });
  }

  it("a wrong CA fails with a TLS message that points at the CA settings", async () => {
    const wrongCa = Buffer.from(readFileSync(testEnv().kubernetes.adminCertFile)).toString(
      "base64",
    );
    const c = await client({
      ...viaServiceAccount(),
      server: { url: server(), caBundle: wrongCa },
    });
    await assert.rejects(
      c.getSecret(ctx(), { key: "db" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "Unavailable" &&
        err.message.includes("check server.caBundle / server.caProvider"),
    );
  });

  it("a bearer token the apiserver does not know is a clear 401", async () => {
    await createSecret(app, "bad-token", { token: "not-a-real-token" });
    const c = await client({
      server: { url: server(), caBundle: caBundle() },
      auth: { token: { bearerToken: { name: "bad-token", key: "token" } } },
      remoteNamespace: remote,
    });
    await assert.rejects(c.validate(ctx()), /unauthorized \(401\)/);
    await assert.rejects(
      c.getSecret(ctx(), { key: "db" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        !err.message.includes("not-a-real-token"),
    );
  });

  it("a ServiceAccount that does not exist fails when the client is made", async () => {
    await assert.rejects(
      client({ ...viaServiceAccount(), auth: { serviceAccount: { name: "nobody" } } }),
      /cannot create a token for ServiceAccount ".*\/nobody"/,
    );
  });

  it("a SecretStore cannot use a Secret or ServiceAccount of another namespace", async () => {
    await createSecret(other, "remote-token", { token: "x" });
    await assert.rejects(
      client({
        server: { url: server(), caBundle: caBundle() },
        auth: { token: { bearerToken: { name: "remote-token", key: "token", namespace: other } } },
        remoteNamespace: remote,
      }),
      /namespace should either be empty or match the namespace of the SecretStore/,
    );
    await assert.rejects(
      client({
        ...viaServiceAccount(),
        auth: { serviceAccount: { name: "reader", namespace: other } },
      }),
      /namespace should either be empty or match/,
    );
  });

  it("one TokenRequest serves many clients of one store", async () => {
    const provider = newKubernetesProvider();
    const s = store(viaServiceAccount(), { namespace: app });
    for (let i = 0; i < 20; i++) await provider.newClient(ctx(), s, access, app);
    assert.equal(provider.stats.tokens.tokenRequests, 1);
  });
});

describe("provider.kubernetes against the apiserver: reads", () => {
  let c: SecretsClient;
  before(async () => {
    c = await client(viaServiceAccount());
  });

  it("GetSecret: JSON of the whole Secret, a key, a dotted key, a gjson path", async () => {
    assert.equal(
      utf8(await c.getSecret(ctx(), { key: "db" })),
      '{"password":"s3cr3t","tls.crt":"cert-pem","user":"alice"}',
    );
    assert.equal(utf8(await c.getSecret(ctx(), { key: "db", property: "tls.crt" })), "cert-pem");
    assert.equal(
      utf8(await c.getSecret(ctx(), { key: "json", property: "config.db.port" })),
      "5432",
    );
    assert.equal(
      utf8(await c.getSecret(ctx(), { key: "json", property: "config.db" })),
      '{"host":"h","port":5432}',
    );
  });

  it("metadataPolicy Fetch: labels and annotations as ESO exposes them", async () => {
    const fetch = { key: "json", metadataPolicy: "Fetch" as const };
    assert.equal(
      utf8(await c.getSecret(ctx(), fetch)),
      '{"annotations":{"cfg":"{\\"tier\\":\\"gold\\"}","owner":"ops"},"labels":{"app.kubernetes.io/name":"web","team":"a"}}',
    );
    assert.equal(utf8(await c.getSecret(ctx(), { ...fetch, property: "labels.team" })), "a");
    assert.equal(
      utf8(await c.getSecret(ctx(), { ...fetch, property: "labels.app.kubernetes.io/name" })),
      "web",
    );
    assert.equal(
      utf8(await c.getSecret(ctx(), { ...fetch, property: "annotations.cfg.tier" })),
      "gold",
    );
    const map = await c.getSecretMap(ctx(), fetch);
    assert.equal(
      utf8(map.get("labels") ?? bytes("")),
      '{"app.kubernetes.io/name":"web","team":"a"}',
    );
  });

  it("GetSecretMap: the data, or the JSON object under a (dotted) key", async () => {
    const map = await c.getSecretMap(ctx(), { key: "db" });
    assert.deepEqual([...map.keys()].sort(), ["password", "tls.crt", "user"]);
    const inner = await c.getSecretMap(ctx(), { key: "json", property: "db.json" });
    assert.deepEqual(Object.fromEntries([...inner].map(([k, v]) => [k, utf8(v)])), {
      user: '"u"',
      n: "1.5",
    });
  });

  it("a missing Secret is NoSecretError; a missing property names the property", async () => {
    await assert.rejects(c.getSecret(ctx(), { key: "does-not-exist" }), NoSecretError);
    await assert.rejects(c.getSecretMap(ctx(), { key: "does-not-exist" }), NoSecretError);
    await assert.rejects(
      c.getSecret(ctx(), { key: "db", property: "nope" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "PropertyNotFound" &&
        !err.message.includes("s3cr3t"),
    );
  });

  it("find by name regexp and by labels", async () => {
    const byName = await c.getAllSecrets(ctx(), { name: { regexp: "^find-" } });
    assert.deepEqual([...byName.keys()].sort(), ["find-one", "find-two"]);
    assert.equal(utf8(byName.get("find-one") ?? bytes("")), '{"a":"1"}');
    const byTags = await c.getAllSecrets(ctx(), { tags: { found: "yes" } });
    assert.deepEqual([...byTags.keys()].sort(), ["find-one", "find-two"]);
    const both = await c.getAllSecrets(ctx(), { tags: { found: "yes", extra: "x" } });
    assert.deepEqual([...both.keys()], ["find-two"]);
  });

  it("200 concurrent reads through 20 clients cost one GET", async () => {
    const provider = newKubernetesProvider();
    const s = store(viaServiceAccount(), { namespace: app });
    const clients: SecretsClient[] = [];
    for (let i = 0; i < 20; i++) clients.push(await provider.newClient(ctx(), s, access, app));
    const before = provider.stats.requests.get;
    const reads = clients.flatMap((c) =>
      Array.from({ length: 10 }, (_, j) =>
        c.getSecret(ctx(), { key: "db", property: j % 2 === 1 ? "user" : "password" }),
      ),
    );
    const values = await Promise.all(reads);
    assert.equal(values.filter((v) => utf8(v) === "alice").length, 100);
    assert.equal(provider.stats.requests.get - before, 1);
  });
});

describe("provider.kubernetes against the apiserver: RBAC and validation", () => {
  it("a namespace without RBAC: validate() and reads name it and the missing RBAC", async () => {
    const c = await client({ ...viaServiceAccount(), remoteNamespace: forbidden });
    await assert.rejects(
      c.validate(ctx()),
      new RegExp(`client is not allowed to get secrets: .*namespace "${forbidden}"`),
    );
    await assert.rejects(
      c.getSecret(ctx(), { key: "db" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        err.message.includes(`may not get secrets in namespace "${forbidden}"`) &&
        err.message.includes('grant verb "get" on resource "secrets"') &&
        err.message.includes(`system:serviceaccount:${app}:reader`),
    );
    await assert.rejects(
      c.getAllSecrets(ctx(), { name: { regexp: "." } }),
      new RegExp(`may not list secrets in namespace "${forbidden}"`),
    );
  });

  it("a referent ClusterSecretStore: Unknown without namespace, the ExternalSecret's namespace with one", async () => {
    const provider = newKubernetesProvider();
    const css = store(
      {
        ...viaServiceAccount(),
        server: {
          url: server(),
          caProvider: {
            type: "ConfigMap",
            name: "kube-root-ca.crt",
            key: "ca.crt",
            namespace: app,
          },
        },
      },
      { kind: "ClusterSecretStore" },
    );
    assert.deepEqual(provider.validateStore(css).warnings, []);
    const pending = await provider.newClient(ctx(), css, access, "");
    assert.equal(await pending.validate(ctx()), "Unknown");
    const inApp = await provider.newClient(ctx(), css, access, app);
    assert.equal(utf8(await inApp.getSecret(ctx(), { key: "db", property: "user" })), "alice");
    // `other` has no ServiceAccount "reader": the store cannot borrow app's
    await assert.rejects(
      provider.newClient(ctx(), css, access, other),
      new RegExp(`ServiceAccount "${other}/reader"`),
    );
  });
});

function source(
  data: Record<string, string>,
  meta: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    type?: string;
  } = {},
): PushSource {
  return {
    name: "src",
    namespace: app,
    data: new Map(Object.entries(data).map(([k, v]) => [k, bytes(v)])),
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    ...(meta.type === undefined ? {} : { type: meta.type }),
  };
}

const pushMeta = (spec: Record<string, unknown>): unknown => ({
  apiVersion: "kubernetes.external-secrets.io/v1alpha1",
  kind: "PushSecretMetadata",
  spec,
});

describe("provider.kubernetes against the apiserver: push", () => {
  let c: SecretsClient;
  before(async () => {
    c = await client(viaServiceAccount());
  });

  it("pushes one key into a property, creating the Secret with the source's metadata", async () => {
    const src = source({ pw: "hunter2" }, { labels: { app: "web" }, annotations: { note: "n" } });
    assert.equal(await c.secretExists(ctx(), { remoteKey: "pushed", property: "" }), false);
    await c.pushSecret(ctx(), src, {
      secretKey: "pw",
      remoteKey: "pushed",
      property: "password",
      metadata: pushMeta({ labels: { team: "a" } }),
    });
    const got = await readSecret(remote, "pushed");
    assert.deepEqual(got?.data, { password: "hunter2" });
    assert.equal(got.type, "Opaque");
    assert.deepEqual(got.labels, { app: "web", team: "a" });
    assert.deepEqual(got.annotations, { note: "n" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: "pushed", property: "" }), true);
    assert.equal(await c.secretExists(ctx(), { remoteKey: "pushed", property: "password" }), true);
    assert.equal(await c.secretExists(ctx(), { remoteKey: "pushed", property: "other" }), false);
    // a second key, and the whole source as JSON into a third one
    await c.pushSecret(ctx(), source({ u: "bob" }), {
      secretKey: "u",
      remoteKey: "pushed",
      property: "user",
    });
    await c.pushSecret(ctx(), source({ a: "1", b: "2" }), {
      secretKey: "",
      remoteKey: "pushed",
      property: "all",
    });
    assert.deepEqual((await readSecret(remote, "pushed"))?.data, {
      password: "hunter2",
      user: "bob",
      all: '{"a":"1","b":"2"}',
    });
    // and it reads back through the provider
    assert.equal(utf8(await c.getSecret(ctx(), { key: "pushed", property: "user" })), "bob");
  });

  it("pushes the whole Secret, replacing the remote data, with the source's type", async () => {
    const docker = source(
      { ".dockerconfigjson": '{"auths":{}}' },
      { type: "kubernetes.io/dockerconfigjson" },
    );
    await c.pushSecret(ctx(), docker, { secretKey: "", remoteKey: "whole", property: "" });
    let got = await readSecret(remote, "whole");
    assert.equal(got?.type, "kubernetes.io/dockerconfigjson");
    await c.pushSecret(
      ctx(),
      source(
        { ".dockerconfigjson": '{"auths":{"x":{}}}' },
        { type: "kubernetes.io/dockerconfigjson" },
      ),
      { secretKey: "", remoteKey: "whole", property: "" },
    );
    got = await readSecret(remote, "whole");
    assert.deepEqual(got?.data, { ".dockerconfigjson": '{"auths":{"x":{}}}' });
    await assert.rejects(
      c.pushSecret(ctx(), source({ k: "v" }), { secretKey: "k", remoteKey: "whole", property: "" }),
      /requires property in RemoteRef/,
    );
  });

  it("merge policies: Replace and Ignore for the remote metadata", async () => {
    await createSecret(
      remote,
      "labelled",
      { k: "v" },
      { labels: { old: "1" }, annotations: { a: "1" } },
    );
    await c.pushSecret(ctx(), source({ x: "y" }, { labels: { fresh: "2" } }), {
      secretKey: "x",
      remoteKey: "labelled",
      property: "x",
      metadata: pushMeta({ targetMergePolicy: "Ignore" }),
    });
    let got = await readSecret(remote, "labelled");
    assert.deepEqual(got?.labels, { old: "1" });
    assert.deepEqual(got.data, { k: "v", x: "y" });
    await c.pushSecret(ctx(), source({ x: "z" }, { labels: { fresh: "2" } }), {
      secretKey: "x",
      remoteKey: "labelled",
      property: "x",
      metadata: pushMeta({ targetMergePolicy: "Replace" }),
    });
    got = await readSecret(remote, "labelled");
    assert.deepEqual(got?.labels, { fresh: "2" });
    assert.deepEqual(got.annotations, {});
  });

  it("remoteNamespace in the metadata: refused for a SecretStore, honoured for a ClusterSecretStore", async () => {
    await assert.rejects(
      c.pushSecret(ctx(), source({ k: "v" }), {
        secretKey: "k",
        remoteKey: "elsewhere",
        property: "k",
        metadata: pushMeta({ remoteNamespace: other }),
      }),
      /remoteNamespace override is only supported with ClusterSecretStore/,
    );
    const css = store(
      {
        server: { url: server(), caBundle: caBundle() },
        auth: { token: { bearerToken: { name: "remote-token", key: "token", namespace: app } } },
        remoteNamespace: remote,
      },
      { kind: "ClusterSecretStore" },
    );
    await grant(other, app, "reader");
    const cc = await newKubernetesProvider().newClient(ctx(), css, access, app);
    await cc.pushSecret(ctx(), source({ k: "v" }), {
      secretKey: "k",
      remoteKey: "elsewhere",
      property: "k",
      metadata: pushMeta({ remoteNamespace: other }),
    });
    assert.deepEqual((await readSecret(other, "elsewhere"))?.data, { k: "v" });
  });

  it("deleteSecret removes the property, the Secret with its last key, and tolerates absence", async () => {
    await createSecret(remote, "to-delete", { a: "1", b: "2" });
    await c.deleteSecret(ctx(), { remoteKey: "to-delete", property: "a" });
    assert.deepEqual((await readSecret(remote, "to-delete"))?.data, { b: "2" });
    await c.deleteSecret(ctx(), { remoteKey: "to-delete", property: "not-there" });
    assert.deepEqual((await readSecret(remote, "to-delete"))?.data, { b: "2" });
    await c.deleteSecret(ctx(), { remoteKey: "to-delete", property: "b" });
    assert.equal(await readSecret(remote, "to-delete"), undefined);
    await createSecret(remote, "to-delete-2", { a: "1" });
    await c.deleteSecret(ctx(), { remoteKey: "to-delete-2", property: "" });
    assert.equal(await readSecret(remote, "to-delete-2"), undefined);
    await c.deleteSecret(ctx(), { remoteKey: "never-existed", property: "" });
    await c.deleteSecret(ctx(), { remoteKey: "never-existed", property: "x" });
  });

  it("a push into a namespace without RBAC names it and the missing verb", async () => {
    const f = await client({ ...viaServiceAccount(), remoteNamespace: forbidden });
    await assert.rejects(
      f.pushSecret(ctx(), source({ k: "secret-value" }), {
        secretKey: "k",
        remoteKey: "x",
        property: "k",
      }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        err.message.includes(`namespace "${forbidden}"`) &&
        !err.message.includes("secret-value"),
    );
  });
});
