// Generic targets (spec.target.manifest, eso-reference.md §11.2) end to end:
// `ferry controller --unsafe-allow-generic-targets` against the real
// apiserver with the fake provider writes a ConfigMap from a template and a
// custom resource (a small CRD installed here) at `spec.*` paths with
// indices, repairs edits and deletions of them through its drift informers,
// and removes them on ExternalSecret deletion as ESO does (deletionPolicy
// Delete through the finalizer, creationPolicy Owner through the garbage
// collector). Without the flag the ExternalSecret is refused with a clear
// condition and a Warning Event, and nothing is written.
//
// The stores carry their own controller class, served only by the
// controllers started here, so other suites' controllers leave these
// ExternalSecrets alone.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject, type ResourceRef } from "../../../src/runtime/index.ts";
import { eventually, kube, testEnv, uniqueName } from "../framework/env.ts";
import {
  ESO,
  eventsFor,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";
import {
  createEs,
  getEs,
  Namespaces,
  readyOf,
  sleep,
  waitReady,
  type FakeEntry,
} from "./es-helpers.ts";

const client = testClient();
const CLASS = "ferry-generic-e2e";
const STORE = "fake";
const USER = "svc-user-7f3a";
const PORT = "5432";
const FIXTURE: FakeEntry[] = [
  { key: "db-user", value: USER },
  { key: "db-port", value: PORT },
];

const GROUP = "generic-e2e.ferry.dev";
const CRDS: ResourceRef = {
  group: "apiextensions.k8s.io",
  version: "v1",
  resource: "customresourcedefinitions",
  namespaced: false,
};
const WIDGETS: ResourceRef = { group: GROUP, version: "v1", resource: "widgets", namespaced: true };

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

interface Widget extends KubeObject {
  spec?: Record<string, unknown>;
}

/** A namespaced test CRD: Widget with a free-form spec. */
const WIDGET_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        },
      },
    ],
  },
};

async function installWidgetCrd(): Promise<void> {
  try {
    await client.create(CRDS, WIDGET_CRD);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  // Established, and served by the apiserver (a list answers).
  await eventually("the Widget CRD to be served", async () => {
    await client.list(WIDGETS, { allNamespaces: true, limit: 1 });
    return true;
  });
}

async function createStore(ns: string, controller = CLASS): Promise<void> {
  await client.create(
    ESO.secretStores,
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: STORE, namespace: ns },
      spec: { controller, provider: { fake: { data: FIXTURE } } },
    } as KubeObject,
    { namespace: ns },
  );
}

function esSpec(target: Record<string, unknown>): Record<string, unknown> {
  return {
    refreshInterval: "1h",
    secretStoreRef: { name: STORE, kind: "SecretStore" },
    data: [
      { secretKey: "user", remoteRef: { key: "db-user" } },
      { secretKey: "port", remoteRef: { key: "db-port" } },
    ],
    target,
  };
}

const getConfigMap = (ns: string, name: string): Promise<ConfigMap | undefined> =>
  getObject<ConfigMap>(client, CORE.configMaps, name, ns);
const getWidget = (ns: string, name: string): Promise<Widget | undefined> =>
  getObject<Widget>(client, WIDGETS, name, ns);

async function waitFor<T>(
  what: string,
  read: () => Promise<T | undefined>,
  check: (v: T) => boolean,
): Promise<T> {
  let last: T | undefined;
  await eventually(what, async () => {
    last = await read();
    return last !== undefined && check(last);
  });
  return last as T;
}

async function waitGone(what: string, read: () => Promise<unknown>): Promise<void> {
  await eventually(`${what} to be deleted`, async () => (await read()) === undefined);
}

/** Values never appear in the ExternalSecret's status or Events. */
async function assertNoValues(ns: string, name: string): Promise<void> {
  const status = JSON.stringify((await getEs(client, ns, name))?.status ?? {});
  const events = JSON.stringify(await eventsFor(client, ns, "ExternalSecret", name));
  for (const value of [USER]) {
    assert.ok(!status.includes(value), "a value in status");
    assert.ok(!events.includes(value), "a value in an Event");
  }
}

const CONFIG_YAML = `user: ${USER}\nport: ${PORT}\n`;
const configMapTemplate = {
  metadata: { labels: { app: "web" }, annotations: { "example.com/owner": "team-{{ .port }}" } },
  data: { "config.yaml": "user: {{ .user }}\nport: {{ .port }}\n", port: "{{ .port }}" },
};

describe("ExternalSecret generic targets (e2e)", () => {
  let ctl: TestController;
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
    await installWidgetCrd();
    ctl = await startTestController({ unsafeAllowGenericTargets: true, controllerClass: CLASS });
  });
  after(async () => {
    await ctl.stop();
    await namespaces.removeAll();
  });

  it("writes a ConfigMap from the template, repairs edits and deletion, and deletes it with deletionPolicy Delete", async () => {
    const ns = (await namespaces.create("gen-cm")).name;
    await createStore(ns);
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({
        name: "app-config",
        deletionPolicy: "Delete",
        manifest: { apiVersion: "v1", kind: "ConfigMap" },
        template: configMapTemplate,
      }),
    );
    const cm = await waitFor(
      "ConfigMap app-config",
      () => getConfigMap(ns, "app-config"),
      (c) => c.data?.["config.yaml"] === CONFIG_YAML,
    );
    assert.deepEqual(cm.data, { "config.yaml": CONFIG_YAML, port: PORT });
    const meta = cm.metadata ?? {};
    const labels = meta.labels ?? {};
    const annotations = meta.annotations ?? {};
    assert.equal(labels["app"], "web");
    assert.equal(labels["reconcile.external-secrets.io/managed"], "true");
    assert.equal(annotations["example.com/owner"], `team-${PORT}`);
    assert.ok(annotations["reconcile.external-secrets.io/data-hash"]);
    const es = await waitReady(client, ns, name, { status: "True", reason: "ResourceSynced" });
    assert.equal(meta.ownerReferences?.[0]?.uid, es.metadata?.uid);
    assert.equal(meta.ownerReferences?.[0]?.controller, true);
    const events = await eventsFor(client, ns, "ExternalSecret", name);
    assert.ok(
      events.some((e) => e.reason === "Created" && e.message === "Created ConfigMap app-config"),
    );

    // Drift: an edit of the data is put back by the drift informer (refreshInterval is 1h).
    await client.mergePatch(
      CORE.configMaps,
      "app-config",
      { data: { "config.yaml": "tampered", extra: "x" } },
      { namespace: ns },
    );
    await waitFor(
      "the edited ConfigMap to be repaired",
      () => getConfigMap(ns, "app-config"),
      (c) => JSON.stringify(c.data) === JSON.stringify({ "config.yaml": CONFIG_YAML, port: PORT }),
    );
    // Drift: a deleted ConfigMap is created again.
    const uid = (await getConfigMap(ns, "app-config"))?.metadata?.uid;
    await client.delete(CORE.configMaps, "app-config", { namespace: ns });
    const recreated = await waitFor(
      "the deleted ConfigMap to be recreated",
      () => getConfigMap(ns, "app-config"),
      (c) => c.metadata?.uid !== uid,
    );
    assert.equal(recreated.data?.["config.yaml"], CONFIG_YAML);

    // No write when nothing changed: the resourceVersion stays put across a forced reconcile.
    const rv = recreated.metadata?.resourceVersion;
    await client.mergePatch(
      ESO.externalSecrets,
      name,
      { metadata: { annotations: { "force-sync": "1" } } },
      { namespace: ns },
    );
    await eventually("the annotation change to be synced", async () => {
      const current = await getEs(client, ns, name);
      return (
        current?.status?.syncedResourceVersion?.startsWith(
          `${String(current.metadata?.generation)}-`,
        ) === true && readyOf(current)?.status === "True"
      );
    });
    await sleep(1000);
    assert.equal((await getConfigMap(ns, "app-config"))?.metadata?.resourceVersion, rv);
    await assertNoValues(ns, name);

    await client.delete(ESO.externalSecrets, name, { namespace: ns });
    await waitGone("ConfigMap app-config", () => getConfigMap(ns, "app-config"));
    await waitGone(`ExternalSecret ${name}`, () => getEs(client, ns, name));
  });

  it("creationPolicy Owner with deletionPolicy Retain: the garbage collector removes the ConfigMap with its ExternalSecret", async () => {
    const ns = (await namespaces.create("gen-gc")).name;
    await createStore(ns);
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({ name: "owned", manifest: { apiVersion: "v1", kind: "ConfigMap" } }),
    );
    const cm = await waitFor(
      "ConfigMap owned",
      () => getConfigMap(ns, "owned"),
      () => true,
    );
    // No template: the fetched data as it is, and the ExternalSecret's own labels.
    assert.deepEqual(cm.data, { user: USER, port: PORT });
    await client.delete(ESO.externalSecrets, name, { namespace: ns });
    await waitGone("ConfigMap owned", () => getConfigMap(ns, "owned"));
  });

  it("writes a custom resource at spec paths with indices and repairs drift", async () => {
    const ns = (await namespaces.create("gen-cr")).name;
    await createStore(ns);
    await client.create(
      CORE.configMaps,
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "endpoint-tpl", namespace: ns },
        data: { endpoint: "postgres://{{ .user }}@db:{{ .port }}" },
      } as KubeObject,
      { namespace: ns },
    );
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({
        name: "my-widget",
        deletionPolicy: "Delete",
        manifest: { apiVersion: `${GROUP}/v1`, kind: "Widget" },
        template: {
          templateFrom: [
            { target: "spec.config.items[0]", literal: "name: user\nvalue: {{ .user }}" },
            { target: "spec.config.items[1].value", literal: "{{ .port }}" },
            { target: "spec.config.items[1].name", literal: "port" },
            {
              target: "spec.endpoint",
              configMap: { name: "endpoint-tpl", items: [{ key: "endpoint" }] },
            },
            { target: "Spec", configMap: { name: "endpoint-tpl", items: [{ key: "endpoint" }] } },
          ],
        },
      }),
    );
    const expected = {
      config: {
        items: [
          { name: "user", value: USER },
          { name: "port", value: Number(PORT) },
        ],
      },
      endpoint: `postgres://${USER}@db:${PORT}`,
    };
    const widget = await waitFor(
      "Widget my-widget",
      () => getWidget(ns, "my-widget"),
      () => true,
    );
    assert.deepEqual(widget.spec, expected);
    await waitReady(client, ns, name, { status: "True", reason: "ResourceSynced" });

    await client.mergePatch(
      WIDGETS,
      "my-widget",
      { spec: { endpoint: "tampered", extra: true } },
      { namespace: ns },
    );
    await waitFor(
      "the edited Widget to be repaired",
      () => getWidget(ns, "my-widget"),
      (w) => JSON.stringify(w.spec) === JSON.stringify(expected),
    );
    assert.ok(ctl.deps.unsafeAllowGenericTargets);
    await assertNoValues(ns, name);

    await client.delete(ESO.externalSecrets, name, { namespace: ns });
    await waitGone("Widget my-widget", () => getWidget(ns, "my-widget"));
  });

  it("a template that fails leaves the existing target as it is", async () => {
    const ns = (await namespaces.create("gen-bad")).name;
    await createStore(ns);
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({
        name: "kept",
        manifest: { apiVersion: "v1", kind: "ConfigMap" },
        template: configMapTemplate,
      }),
    );
    const before = await waitFor(
      "ConfigMap kept",
      () => getConfigMap(ns, "kept"),
      () => true,
    );
    await client.mergePatch(
      ESO.externalSecrets,
      name,
      { spec: { target: { template: { data: { "config.yaml": "{{ .missing }}" } } } } },
      { namespace: ns },
    );
    const failed = await waitReady(client, ns, name, {
      status: "False",
      reason: "ResourceSyncedError",
    });
    assert.match(readyOf(failed)?.message ?? "", /could not apply template/);
    const after = await getConfigMap(ns, "kept");
    assert.deepEqual(after?.data, before.data);
    assert.equal(after?.metadata?.resourceVersion, before.metadata?.resourceVersion);
  });
});

describe("ExternalSecret generic targets without --unsafe-allow-generic-targets (e2e)", () => {
  let ctl: TestController;
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
    ctl = await startTestController({ unsafeAllowGenericTargets: false, controllerClass: CLASS });
  });
  after(async () => {
    await ctl.stop();
    await namespaces.removeAll();
  });

  it("refuses the ExternalSecret with a clear condition and a Warning Event, and writes nothing", async () => {
    const ns = (await namespaces.create("gen-off")).name;
    await createStore(ns);
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({
        name: "never",
        manifest: { apiVersion: "v1", kind: "ConfigMap" },
        template: configMapTemplate,
      }),
    );
    const es = await waitReady(client, ns, name, {
      status: "False",
      reason: "ResourceSyncedError",
    });
    assert.match(
      readyOf(es)?.message ?? "",
      /^invalid generic target: spec\.target\.manifest \(ConfigMap \(v1\)\) needs the controller flag --unsafe-allow-generic-targets; nothing was written$/,
    );
    await eventually("the Warning Event", async () =>
      (await eventsFor(client, ns, "ExternalSecret", name)).some(
        (e) =>
          e.type === "Warning" &&
          e.reason === "UpdateFailed" &&
          (e.message ?? "").includes("--unsafe-allow-generic-targets"),
      ),
    );
    await sleep(1500);
    assert.equal(await getConfigMap(ns, "never"), undefined);
    assert.equal(await getConfigMap(ns, name), undefined);
  });
});

const RBAC = (resource: string): ResourceRef => ({
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource,
  namespaced: false,
});

describe("ExternalSecret generic targets without RBAC on the kind (e2e)", () => {
  const RESTRICTED = "ferry-generic-e2e-rbac";
  const role = uniqueName("ferry-generic-e2e");
  const dir = mkdtempSync(join(tmpdir(), "ferry-generic-rbac-"));
  let ctl: TestController;
  const namespaces = new Namespaces();

  /** A kubeconfig of a ServiceAccount that may do everything a controller needs, but nothing on Widgets. */
  async function restrictedKubeconfig(ns: string): Promise<string> {
    const k = kube();
    await k.core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: "ferry" } },
    });
    await client.create(RBAC("clusterroles"), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: role },
      rules: [
        {
          apiGroups: [
            "",
            "external-secrets.io",
            "generators.external-secrets.io",
            "coordination.k8s.io",
            "events.k8s.io",
          ],
          resources: ["*"],
          verbs: ["*"],
        },
      ],
    } as KubeObject);
    await client.create(RBAC("clusterrolebindings"), {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: role },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "ServiceAccount", name: "ferry", namespace: ns }],
    } as KubeObject);
    const issued = await k.core.createNamespacedServiceAccountToken({
      namespace: ns,
      name: "ferry",
      body: { spec: { expirationSeconds: 3600 } },
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
    return path;
  }

  before(async () => {
    await installCrds();
    await installWidgetCrd();
    const home = (await namespaces.create("gen-rbac-sa")).name;
    const kubeconfig = await restrictedKubeconfig(home);
    ctl = await startTestController({
      kubeconfig,
      unsafeAllowGenericTargets: true,
      controllerClass: RESTRICTED,
    });
  });
  after(async () => {
    await ctl.stop();
    await Promise.allSettled([
      client.delete(RBAC("clusterrolebindings"), role),
      client.delete(RBAC("clusterroles"), role),
    ]);
    await namespaces.removeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says which permission is missing, and writes nothing", async () => {
    const ns = (await namespaces.create("gen-rbac")).name;
    await createStore(ns, RESTRICTED);
    const name = uniqueName("es");
    await createEs(
      client,
      ns,
      name,
      esSpec({ name: "w", manifest: { apiVersion: `${GROUP}/v1`, kind: "Widget" } }),
    );
    const es = await waitReady(client, ns, name, {
      status: "False",
      reason: "ResourceSyncedError",
    });
    assert.match(
      readyOf(es)?.message ?? "",
      /^the controller may not list widgets\.generic-e2e\.ferry\.dev in all namespaces \(HTTP 403\): grant its ServiceAccount get, list, watch, create, update and delete on widgets\.generic-e2e\.ferry\.dev/,
    );
    assert.equal(await getWidget(ns, "w"), undefined);
  });
});
