// provider.kubernetes through the ExternalSecret controller (`ferry
// controller` in-process) against the real apiserver, which is also the
// "remote cluster". As ESO's kubernetes suite (e2e/suites/provider/cases/
// kubernetes): one namespace per case holding the remote Secrets, a
// SecretStore named after it that authenticates as the namespace's
// `default` ServiceAccount (TokenRequest) with a Role on Secrets, CA from the
// `kube-root-ca.crt` ConfigMap, and a referent ClusterSecretStore
// `<ns>-referent` whose ServiceAccount has no namespace. Cases: ESO's
// common 3, 4, 5, 8, 10, 13, 15, its kubernetes FindByTag and FindByName,
// 3 and 4 again with the referent store; then metadataPolicy Fetch,
// deletionPolicy Delete, tenant isolation of the referent store, and a
// cross-cluster-style setup whose token RBAC allows one namespace only.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FakeSecretsProvider } from "../../../../src/providers/fake/index.ts";
import { newKubernetesProvider } from "../../../../src/providers/kubernetes/index.ts";
import { ProviderRegistry } from "../../../../src/providers/registry.ts";
import { CORE, type KubeObject } from "../../../../src/runtime/index.ts";
import {
  ESO,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  Namespaces,
  readyOf,
  waitReady,
  waitSecret,
  waitSecretGone,
  waitStoreReady,
  type Es,
  type Secret,
} from "../../controllers/es-helpers.ts";
import { eventually, uniqueName } from "../../framework/env.ts";
import {
  caBundle,
  createSecret,
  createServiceAccount,
  core,
  grant,
  publishRootCa,
  rbac,
  readSecret,
  server,
  serviceAccountToken,
  waitDefaultServiceAccount,
} from "./helpers.ts";

const client = testClient();
const TARGET = "target-secret";
const ES_NAME = "e2e-es";

const secretValue1 = { foo1: "foo1-val", bar1: "bar1-val" };
const secretValue2 = { foo2: "foo2-val", bar2: "bar2-val" };
const DOCKER = ".dockerconfigjson";
const TEMPLATE = "{{ .mysecret }}";
// A multi-line OpenSSH-style key (test data, not a real key).
const SSH_KEY = [
  "-----BEGIN OPENSSH PRIVATE KEY-----",
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
  "QyNTUxOQAAACBGZXJyeS1lMmUtdGVzdC1rZXktbm90LWEtcmVhbC1rZXkAAAAAAAAAAAAA",
  "AAAAFGZlcnJ5QGUyZS10ZXN0cy5sb2NhbAECAwQFBgc=",
  "-----END OPENSSH PRIVATE KEY-----",
].join("\n\t\t");

interface Remote {
  readonly data: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface Expected {
  type?: string;
  data: Record<string, string>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Case {
  readonly secrets: Record<string, Remote>;
  readonly spec: Record<string, unknown>;
  readonly expected: Expected;
  readonly target?: string;
  readonly afterSync?: () => Promise<void>;
}

function matches(s: Secret, want: Expected): boolean {
  const meta = s.metadata ?? {};
  const subset = (have: Record<string, string> | undefined, w: Record<string, string> = {}) =>
    Object.entries(w).every(([k, v]) => have?.[k] === v);
  return (
    (s.type ?? "Opaque") === (want.type ?? "Opaque") &&
    JSON.stringify(Object.entries(decode(s)).sort()) ===
      JSON.stringify(Object.entries(want.data).sort()) &&
    subset(meta.labels, want.labels) &&
    subset(meta.annotations, want.annotations)
  );
}

interface StoreRef {
  name: string;
  kind: "SecretStore" | "ClusterSecretStore";
}

function esSpec(store: StoreRef, fields: Record<string, unknown>): Record<string, unknown> {
  const target: Record<string, unknown> = {
    name: TARGET,
    ...(fields["target"] as Record<string, unknown> | undefined),
  };
  if (target["name"] === "") delete target["name"];
  return { refreshInterval: "1h", secretStoreRef: store, ...fields, target };
}

const ref = (key: string, extra: Record<string, unknown> = {}) => ({ key, ...extra });

/** The cases, for namespace `ns` and a store reference. */
const cases: Record<string, (ns: string, store: StoreRef) => Case> = {
  "3 [common] should sync multiple secrets from .Data[]": (ns, store) => ({
    secrets: { [`${ns}-one`]: { data: secretValue1 }, [`${ns}-two`]: { data: secretValue2 } },
    spec: esSpec(store, {
      data: [
        { secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
        { secretKey: `${ns}-two`, remoteRef: ref(`${ns}-two`, { property: "bar2" }) },
      ],
    }),
    expected: { data: { [`${ns}-one`]: "foo1-val", [`${ns}-two`]: "bar2-val" } },
  }),
  "4 [common] should sync with empty target name, using json.": (ns, store) => ({
    secrets: { [`${ns}-one`]: { data: { foo: "foo-val", bar: "bar-val" } } },
    spec: esSpec(store, {
      target: { name: "" },
      data: [{ secretKey: `${ns}-one`, remoteRef: ref(`${ns}-one`, { property: "foo" }) }],
    }),
    target: ES_NAME,
    expected: { data: { [`${ns}-one`]: "foo-val" } },
  }),
  "5 [common] should sync json secrets with template": (ns, store) => ({
    secrets: { [`${ns}-one`]: { data: secretValue1 }, [`${ns}-other`]: { data: secretValue2 } },
    spec: esSpec(store, {
      target: {
        template: {
          metadata: {
            annotations: { example: "annotation" },
            labels: { example: "label" },
            finalizers: ["example.com/finalizer"],
          },
          data: { "my-data": "executed: {{ .one }}|{{ .two }}" },
        },
      },
      data: [
        { secretKey: "one", remoteRef: ref(`${ns}-one`, { property: "foo1" }) },
        { secretKey: "two", remoteRef: ref(`${ns}-other`, { property: "bar2" }) },
      ],
    }),
    expected: {
      data: { "my-data": "executed: foo1-val|bar2-val" },
      labels: { example: "label" },
      annotations: { example: "annotation" },
    },
    // the finalizer would keep the Secret (and the namespace) forever
    afterSync: async () => {
      await client.mergePatch(
        ESO.externalSecrets,
        ES_NAME,
        { spec: { target: { template: { metadata: { finalizers: null } } } } },
        { namespace: ns },
      );
      await client.mergePatch(
        CORE.secrets,
        TARGET,
        { metadata: { finalizers: null } },
        { namespace: ns },
      );
    },
  }),
  "13 [common] should sync docker configurated json secrets with template": (ns, store) => {
    const dockerconfig = '{"auths":{"https://index.docker.io/v1/": {"auth": "c3R...zE2"}}}';
    return {
      secrets: { [`${ns}-docker-config-example`]: { data: { dockerconfig } } },
      spec: esSpec(store, {
        target: {
          template: { type: "kubernetes.io/dockerconfigjson", data: { [DOCKER]: TEMPLATE } },
        },
        data: [
          {
            secretKey: "mysecret",
            remoteRef: ref(`${ns}-docker-config-example`, { property: "dockerconfig" }),
          },
        ],
      }),
      expected: { type: "kubernetes.io/dockerconfigjson", data: { [DOCKER]: dockerconfig } },
    };
  },
  "15 [common] should sync ssh key with provider.": (ns, store) => ({
    secrets: { [`${ns}-docker-config-example`]: { data: { "ssh-auth": SSH_KEY } } },
    spec: esSpec(store, {
      target: {
        template: { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": TEMPLATE } },
      },
      data: [
        {
          secretKey: "mysecret",
          remoteRef: ref(`${ns}-docker-config-example`, { property: "ssh-auth" }),
        },
      ],
    }),
    expected: { type: "kubernetes.io/ssh-auth", data: { "ssh-privatekey": SSH_KEY } },
  }),
  "8 [common] should sync secrets with dataFrom": (ns, store) => ({
    secrets: { [`${ns}-one`]: { data: { name: "great-name", surname: "great-surname" } } },
    spec: esSpec(store, { dataFrom: [{ extract: ref(`${ns}-one`) }] }),
    expected: { data: { name: "great-name", surname: "great-surname" } },
  }),
  "10 [common] should sync and rewrite secrets with dataFrom": (ns, store) => ({
    secrets: { [`${ns}-one`]: { data: { username: "myuser.name", address: "happy street" } } },
    spec: esSpec(store, {
      dataFrom: [
        { extract: ref(`${ns}-one`), rewrite: [{ regexp: { source: "(.*)", target: "my_$1" } }] },
      ],
    }),
    expected: { data: { my_username: "myuser.name", my_address: "happy street" } },
  }),
  "[kubernetes] [common] should find secrets by tags using .DataFrom[]": (ns, store) => {
    const name = (s: string) => `e2e-find-name-${ns}-${s}`;
    return {
      secrets: {
        [name("one")]: { data: { foo1: "foo1-val" }, labels: { test: ns } },
        [name("two")]: { data: { foo1: "foo1-val" }, labels: { test: ns } },
        [name("three")]: { data: { foo1: "foo1-val" }, labels: { noop: ns } },
      },
      spec: esSpec(store, { dataFrom: [{ find: { tags: { test: ns } } }] }),
      expected: {
        data: { [name("one")]: '{"foo1":"foo1-val"}', [name("two")]: '{"foo1":"foo1-val"}' },
      },
    };
  },
  "[kubernetes] [common] should find secrets by name using .DataFrom[]": (ns, store) => {
    const name = (s: string) => `e2e-find-name-${ns}-${s}`;
    const value = { foo1: "foo1-val" };
    return {
      secrets: {
        [name("one")]: { data: value },
        [name("two")]: { data: value },
        [name("three")]: { data: value },
        [`${ns}-unrelated`]: { data: value },
      },
      spec: esSpec(store, { dataFrom: [{ find: { name: { regexp: `e2e-find-name-${ns}.+` } } }] }),
      expected: {
        data: {
          [name("one")]: '{"foo1":"foo1-val"}',
          [name("two")]: '{"foo1":"foo1-val"}',
          [name("three")]: '{"foo1":"foo1-val"}',
        },
      },
    };
  },
};

/** ESO's referent-auth compositions: cases 3 and 4 through `<ns>-referent`. */
const referentCases = [
  "3 [common] should sync multiple secrets from .Data[]",
  "4 [common] should sync with empty target name, using json.",
];

function storeSpec(ns: string, caNamespace?: string): Record<string, unknown> {
  return {
    provider: {
      kubernetes: {
        server: {
          url: server(),
          caProvider: {
            type: "ConfigMap",
            name: "kube-root-ca.crt",
            key: "ca.crt",
            ...(caNamespace === undefined ? {} : { namespace: caNamespace }),
          },
        },
        auth: { serviceAccount: { name: "default" } },
        remoteNamespace: ns,
      },
    },
  };
}

const clusterStores: string[] = [];

async function createClusterStore(name: string, spec: Record<string, unknown>): Promise<void> {
  await client.create(ESO.clusterSecretStores, {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name },
    spec,
  } as KubeObject);
  clusterStores.push(name);
}

async function waitClusterStoreReady(name: string): Promise<void> {
  await eventually(`ClusterSecretStore ${name} Ready`, async () => {
    const css = await getObject<Es>(client, ESO.clusterSecretStores, name);
    return readyOf(css)?.status === "True";
  });
}

/** ESO's BeforeEach: RBAC for `default`, the SecretStore and the referent ClusterSecretStore. */
async function prepare(ns: string): Promise<void> {
  await waitDefaultServiceAccount(ns);
  await grant(ns, ns, "default");
  await publishRootCa(ns);
  await client.create(
    ESO.secretStores,
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: ns, namespace: ns },
      spec: storeSpec(ns),
    } as KubeObject,
    { namespace: ns },
  );
  await createClusterStore(`${ns}-referent`, storeSpec(ns, ns));
  await waitStoreReady(client, ns, ns);
  await waitClusterStoreReady(`${ns}-referent`);
}

async function createRemote(ns: string, secrets: Record<string, Remote>): Promise<void> {
  for (const [name, remote] of Object.entries(secrets)) {
    await createSecret(ns, name, remote.data, {
      ...(remote.labels === undefined ? {} : { labels: remote.labels }),
      ...(remote.annotations === undefined ? {} : { annotations: remote.annotations }),
    });
  }
}

async function runCase(ns: string, tc: Case): Promise<Secret> {
  await createRemote(ns, tc.secrets);
  await createEs(client, ns, ES_NAME, tc.spec);
  const target = tc.target ?? TARGET;
  try {
    return await waitSecret(client, ns, target, (s) => matches(s, tc.expected));
  } catch (err) {
    const es = await getObject<Es>(client, ESO.externalSecrets, ES_NAME, ns);
    const got = await getObject<Secret>(client, CORE.secrets, target, ns);
    assert.deepEqual(
      { type: got?.type, data: decode(got), ready: readyOf(es)?.message },
      tc.expected,
      (err as Error).message,
    );
    throw err;
  }
}

let ctl: TestController;
const namespaces = new Namespaces();

before(async () => {
  await installCrds();
  const registry = new ProviderRegistry([newKubernetesProvider(), new FakeSecretsProvider()]);
  ctl = await startTestController({ concurrent: 4 }, { registry });
});

after(async () => {
  await ctl.stop();
  for (const name of clusterStores) {
    await client.delete(ESO.clusterSecretStores, name).catch(() => undefined);
  }
  await namespaces.removeAll();
});

describe(
  "provider.kubernetes: ESO's kubernetes suite through the controller",
  { concurrency: true },
  () => {
    for (const [title, make] of Object.entries(cases)) {
      it(title, async () => {
        const ns = (await namespaces.create("k8s-conf")).name;
        await prepare(ns);
        const tc = make(ns, { name: ns, kind: "SecretStore" });
        await runCase(ns, tc);
        await tc.afterSync?.();
      });
    }
    for (const title of referentCases) {
      it(`with referent auth: ${title}`, async () => {
        const ns = (await namespaces.create("k8s-ref")).name;
        await prepare(ns);
        const make = cases[title];
        assert.ok(make);
        await runCase(ns, make(ns, { name: `${ns}-referent`, kind: "ClusterSecretStore" }));
      });
    }
  },
);

describe("provider.kubernetes: more through the controller", { concurrency: true }, () => {
  it("metadataPolicy Fetch: labels and annotations of the remote Secret", async () => {
    const ns = (await namespaces.create("k8s-fetch")).name;
    await prepare(ns);
    const store = { name: ns, kind: "SecretStore" as const };
    await runCase(ns, {
      secrets: {
        "database-credentials": {
          data: { username: "admin" },
          labels: { dev: "seb", "app.kubernetes.io/name": "db" },
          annotations: { date: "today" },
        },
      },
      spec: esSpec(store, {
        data: [
          {
            secretKey: "tags",
            remoteRef: ref("database-credentials", { metadataPolicy: "Fetch" }),
          },
          {
            secretKey: "labels",
            remoteRef: ref("database-credentials", { metadataPolicy: "Fetch", property: "labels" }),
          },
          {
            secretKey: "developer",
            remoteRef: ref("database-credentials", {
              metadataPolicy: "Fetch",
              property: "labels.dev",
            }),
          },
          {
            secretKey: "username",
            remoteRef: ref("database-credentials", { property: "username" }),
          },
        ],
        dataFrom: [{ extract: ref("database-credentials", { metadataPolicy: "Fetch" }) }],
      }),
      expected: {
        data: {
          tags: '{"annotations":{"date":"today"},"labels":{"app.kubernetes.io/name":"db","dev":"seb"}}',
          labels: '{"app.kubernetes.io/name":"db","dev":"seb"}',
          developer: "seb",
          username: "admin",
          annotations: '{"date":"today"}',
        },
      },
    });
  });

  it("16 deletionPolicy Delete: the target goes when the remote Secrets go", async () => {
    const ns = (await namespaces.create("k8s-del")).name;
    await prepare(ns);
    await runCase(ns, {
      secrets: { [`${ns}-one`]: { data: { v: "bazz" } }, [`${ns}-other`]: { data: { v: "bazz" } } },
      spec: esSpec(
        { name: ns, kind: "SecretStore" },
        {
          refreshInterval: "2s",
          target: { deletionPolicy: "Delete" },
          data: [
            { secretKey: "one", remoteRef: ref(`${ns}-one`, { property: "v" }) },
            { secretKey: "other", remoteRef: ref(`${ns}-other`, { property: "v" }) },
          ],
        },
      ),
      expected: { data: { one: "bazz", other: "bazz" } },
    });
    await core().deleteNamespacedSecret({ namespace: ns, name: `${ns}-one` });
    await core().deleteNamespacedSecret({ namespace: ns, name: `${ns}-other` });
    await waitSecretGone(client, ns, TARGET);
    await waitReady(client, ns, ES_NAME, { status: "True", reason: "SecretDeleted" });
  });

  // Tenancy: the ClientManager must not reuse tenant A's client (and its
  // ServiceAccount token) for tenant B.
  it("a referent ClusterSecretStore authenticates as each ExternalSecret's namespace", async () => {
    // The remote namespace trusts ServiceAccount `reader` of tenant A only.
    const remote = (await namespaces.create("k8s-iso-remote")).name;
    const tenantA = (await namespaces.create("k8s-iso-a")).name;
    const tenantB = (await namespaces.create("k8s-iso-b")).name;
    await publishRootCa(remote);
    await createSecret(remote, "shared", { token: "for-tenant-a-only" });
    await createServiceAccount(tenantA, "reader");
    await createServiceAccount(tenantB, "reader");
    await grant(remote, tenantA, "reader");
    const css = uniqueName("k8s-iso");
    await createClusterStore(css, {
      provider: {
        kubernetes: {
          server: {
            url: server(),
            caProvider: {
              type: "ConfigMap",
              name: "kube-root-ca.crt",
              key: "ca.crt",
              namespace: remote,
            },
          },
          auth: { serviceAccount: { name: "reader" } },
          remoteNamespace: remote,
        },
      },
    });
    await waitClusterStoreReady(css);
    const spec = esSpec(
      { name: css, kind: "ClusterSecretStore" },
      { data: [{ secretKey: "token", remoteRef: ref("shared", { property: "token" }) }] },
    );
    await createEs(client, tenantA, ES_NAME, spec);
    await waitSecret(client, tenantA, TARGET, (s) => decode(s)["token"] === "for-tenant-a-only");
    await createEs(client, tenantB, ES_NAME, spec);
    let ready: ReturnType<typeof readyOf>;
    await eventually(`ExternalSecret ${tenantB}/${ES_NAME} to be reconciled`, async () => {
      ready = readyOf(await getObject<Es>(client, ESO.externalSecrets, ES_NAME, tenantB));
      return ready !== undefined;
    });
    assert.equal(
      await readSecret(tenantB, TARGET),
      undefined,
      `tenant B must not read with tenant A's ServiceAccount (Ready: ${JSON.stringify(ready)})`,
    );
    assert.equal(ready?.status, "False");
    const message = ready.message ?? "";
    assert.match(message, new RegExp(`system:serviceaccount:${tenantB}:reader`));
    assert.match(message, new RegExp(`may not get secrets in namespace "${remote}"`));
  });
});

describe("provider.kubernetes: a token limited by RBAC to one namespace", () => {
  let app = "";
  let remoteA = "";
  let remoteB = "";
  let remoteC = "";
  let bindingA = "";

  async function store(name: string, remoteNamespace: string): Promise<void> {
    await client.create(
      ESO.secretStores,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name, namespace: app },
        spec: {
          provider: {
            kubernetes: {
              server: { url: server(), caBundle: caBundle() },
              auth: { token: { bearerToken: { name: "remote-token", key: "token" } } },
              remoteNamespace,
            },
          },
        },
      } as KubeObject,
      { namespace: app },
    );
  }

  before(async () => {
    app = (await namespaces.create("k8s-xc-app")).name;
    remoteA = (await namespaces.create("k8s-xc-a")).name;
    remoteB = (await namespaces.create("k8s-xc-b")).name;
    remoteC = (await namespaces.create("k8s-xc-c")).name;
    // The "remote cluster" identity: a ServiceAccount whose RBAC covers
    // remoteA, plus one named Secret in remoteB; nothing in remoteC.
    await createServiceAccount(remoteA, "remote-reader");
    bindingA = await grant(remoteA, remoteA, "remote-reader");
    await grant(remoteB, remoteA, "remote-reader", [
      { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["public"] },
    ]);
    const token = await serviceAccountToken(remoteA, "remote-reader");
    await createSecret(app, "remote-token", { token });
    await createSecret(remoteA, "db", { user: "alice", password: "s3cr3t-inside" });
    await createSecret(remoteB, "db", { password: "s3cr3t-outside" });
    await createSecret(remoteB, "public", { motd: "hello" });
    await createSecret(remoteC, "db", { password: "s3cr3t-c" });
    await store("inside", remoteA);
    await store("outside", remoteB);
    await store("nowhere", remoteC);
    await waitStoreReady(client, app, "inside");
    await waitStoreReady(client, app, "outside");
  });

  it("reads inside the namespace work", async () => {
    await createEs(client, app, "inside", {
      refreshInterval: "2s",
      secretStoreRef: { name: "inside", kind: "SecretStore" },
      target: { name: "inside" },
      data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }],
    });
    await waitSecret(client, app, "inside", (s) => decode(s)["password"] === "s3cr3t-inside");
  });

  it("reads outside fail with the namespace and the missing RBAC in the status, never a value", async () => {
    await createEs(client, app, "outside-public", {
      refreshInterval: "1h",
      secretStoreRef: { name: "outside", kind: "SecretStore" },
      target: { name: "outside-public" },
      data: [{ secretKey: "motd", remoteRef: { key: "public", property: "motd" } }],
    });
    await waitSecret(client, app, "outside-public", (s) => decode(s)["motd"] === "hello");
    await createEs(client, app, "outside", {
      refreshInterval: "1h",
      secretStoreRef: { name: "outside", kind: "SecretStore" },
      target: { name: "outside" },
      data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }],
    });
    let message = "";
    // (a transient state, e.g. a store revalidating, may come first)
    await eventually(`ExternalSecret ${app}/outside to report the 403`, async () => {
      const ready = readyOf(await getObject<Es>(client, ESO.externalSecrets, "outside", app));
      message = ready?.message ?? "";
      return ready?.status === "False" && message.includes("forbidden (403)");
    });
    assert.match(message, /\[AuthFailed\] forbidden \(403\)/);
    assert.match(message, new RegExp(`may not get secrets in namespace "${remoteB}"`));
    assert.match(message, /grant verb "get" on resource "secrets"/);
    assert.doesNotMatch(message, /s3cr3t/);
    assert.equal(await readSecret(app, "outside"), undefined);
  });

  it("a store whose namespace grants nothing is not Ready, and says why", async () => {
    await eventually(`SecretStore ${app}/nowhere to explain`, async () => {
      const s = await getObject<Es>(client, ESO.secretStores, "nowhere", app);
      const ready = readyOf(s);
      return (
        ready?.status === "False" &&
        (ready.message ?? "").includes("client is not allowed to get secrets") &&
        (ready.message ?? "").includes(`namespace "${remoteC}"`)
      );
    });
  });

  it("revoking the RoleBinding stops the sync but keeps the synced Secret", async () => {
    await rbac().deleteNamespacedRoleBinding({ namespace: remoteA, name: bindingA });
    const es = await waitReady(client, app, "inside", { status: "False" });
    assert.doesNotMatch(readyOf(es)?.message ?? "", /s3cr3t/);
    const kept = await readSecret(app, "inside");
    assert.deepEqual(kept?.data, { password: "s3cr3t-inside" });
  });
});
