// The ClusterExternalSecret controller against the real apiserver, with
// `ferry controller` running in-process (ExternalSecret, store and
// ClusterExternalSecret controllers) and a ClusterSecretStore of the fake
// provider that every child ExternalSecret reads from.
//
// The apiserver is shared with other suites, so every selector uses a label
// key unique to this run: a ClusterExternalSecret here never selects (nor
// puts its finalizer on) a namespace it did not create. Teardown deletes the
// ClusterExternalSecrets and namespaces while the controller still runs, so
// it can release its finalizers, and strips any that remain.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { controllerSetups, type ControllerSetupEntry } from "../../../src/cli/controller/index.ts";
import {
  CORE,
  type EventRecorder,
  type KubeClient,
  type KubeObject,
} from "../../../src/runtime/index.ts";
import { eventually, uniqueName } from "../framework/env.ts";
import { decode, getEs, sleep, waitSecret, type Es } from "./es-helpers.ts";
import {
  ESO,
  eventsFor,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";

const client = testClient();
const RUN = randomBytes(4).toString("hex");
/** The label key every selector of this suite uses. */
const KEY = `ces-e2e-${RUN}`;
const STORE = `ces-e2e-${RUN}`;
const VALUES = { "db-password": "hunter2-ces-e2e", "api-token": "tok-ces-e2e-42" };
const RECORDER = "cluster-external-secret";
const CES_FINALIZER = "externalsecrets.external-secrets.io/clusterexternalsecret-cleanup";
const nsFinalizer = (ces: string): string => `externalsecrets.external-secrets.io/ces-${ces}`;

interface CesStatus {
  externalSecretName?: string;
  provisionedNamespaces?: string[];
  failedNamespaces?: { namespace: string; reason?: string }[];
  conditions?: { type: string; status: string; message?: string }[];
}

interface Ces extends KubeObject {
  spec?: Record<string, unknown>;
  status?: CesStatus;
}

const createdCes: string[] = [];
const createdNamespaces: string[] = [];

function esSpec(keys: (keyof typeof VALUES)[] = ["db-password"]): Record<string, unknown> {
  return {
    refreshInterval: "1h",
    secretStoreRef: { kind: "ClusterSecretStore", name: STORE },
    target: { name: "synced" },
    data: keys.map((k) => ({ secretKey: k, remoteRef: { key: k } })),
  };
}

async function createNs(prefix: string, value?: string): Promise<string> {
  const name = uniqueName(`ces-${prefix}`);
  await client.create(CORE.namespaces, {
    metadata: { name, ...(value === undefined ? {} : { labels: { [KEY]: value } }) },
  });
  createdNamespaces.push(name);
  return name;
}

/** Sets (or with null removes) this suite's label on a namespace. */
async function label(ns: string, value: string | null): Promise<void> {
  await client.mergePatch(CORE.namespaces, ns, { metadata: { labels: { [KEY]: value } } });
}

async function createCes(spec: Record<string, unknown>): Promise<string> {
  const name = uniqueName("ces");
  await client.create(ESO.clusterExternalSecrets, {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterExternalSecret",
    metadata: { name },
    spec: { refreshTime: "1h", externalSecretSpec: esSpec(), ...spec },
  } as KubeObject);
  createdCes.push(name);
  return name;
}

const getCes = (name: string): Promise<Ces | undefined> =>
  getObject<Ces>(client, ESO.clusterExternalSecrets, name);

async function waitCes(name: string, what: string, check: (s: CesStatus) => boolean): Promise<Ces> {
  let last: Ces | undefined;
  await eventually(`ClusterExternalSecret ${name}: ${what}`, async () => {
    last = await getCes(name);
    return last !== undefined && check(last.status ?? {});
  });
  return last!;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  JSON.stringify(a ?? []) === JSON.stringify([...b].sort());

const waitProvisioned = (name: string, namespaces: string[]): Promise<Ces> =>
  waitCes(name, `provisioned ${namespaces.join(",")}`, (s) =>
    sameList(s.provisionedNamespaces, namespaces),
  );

const readyOf = (ces: Ces | undefined) => ces?.status?.conditions?.find((c) => c.type === "Ready");

async function waitChild(
  ns: string,
  name: string,
  check: (es: Es) => boolean = () => true,
): Promise<Es> {
  let last: Es | undefined;
  await eventually(`ExternalSecret ${ns}/${name}`, async () => {
    last = await getEs(client, ns, name);
    return last !== undefined && check(last);
  });
  return last!;
}

async function waitChildGone(ns: string, name: string): Promise<void> {
  await eventually(
    `ExternalSecret ${ns}/${name} to be deleted`,
    async () => (await getEs(client, ns, name)) === undefined,
  );
}

async function finalizersOf(ns: string): Promise<string[]> {
  const obj = await getObject<KubeObject>(client, CORE.namespaces, ns);
  return obj?.metadata?.finalizers ?? [];
}

const controlledBy = (es: Es, ces: Ces): boolean =>
  (es.metadata?.ownerReferences ?? []).some(
    (r) =>
      r.controller === true &&
      r.kind === "ClusterExternalSecret" &&
      r.name === ces.metadata?.name &&
      r.uid === ces.metadata.uid,
  );

function assertNoValue(where: string, text: string): void {
  for (const value of Object.values(VALUES)) {
    assert.ok(!text.includes(value), `${where} leaks a secret value`);
  }
}

async function reconcileCount(ctl: TestController): Promise<number> {
  const text = await ctl.metrics();
  let total = 0;
  for (const m of text.matchAll(
    /^controller_runtime_reconcile_total\{controller="clusterexternalsecret",[^}]*\} (\d+)/gm,
  ))
    total += Number(m[1]);
  return total;
}

/** Every write ("method resource namespace/name") this process's ClusterExternalSecret controller sent. */
const cesWrites: string[] = [];
/** Those of them the apiserver accepted. */
const cesWritesDone: string[] = [];
const WRITES = new Set(["create", "replace", "apply", "mergePatch", "patchStatus", "delete"]);

/** "method resource namespace/name" of a client call. */
function describeWrite(method: string, args: unknown[]): string {
  const resource = (args[0] as { resource?: string }).resource ?? "";
  const obj = args[1] as KubeObject | string;
  const name = typeof obj === "string" ? obj : (obj.metadata?.name ?? "");
  const opts = args.at(-1) as { namespace?: string } | undefined;
  const namespace =
    (typeof opts === "object" ? opts.namespace : undefined) ??
    (typeof obj === "string" ? "" : (obj.metadata?.namespace ?? ""));
  return `${method} ${resource} ${namespace}/${name}`;
}

/** The client with its writes recorded in `cesWrites`. */
function recordingClient(client: KubeClient): KubeClient {
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const call = (args: unknown[]): unknown =>
        (value as (...a: unknown[]) => unknown).apply(target, args);
      if (typeof prop !== "string" || !WRITES.has(prop)) return (...args: unknown[]) => call(args);
      return async (...args: unknown[]): Promise<unknown> => {
        const write = describeWrite(prop, args);
        cesWrites.push(write);
        const result = await call(args);
        cesWritesDone.push(write);
        return result;
      };
    },
  });
}

/** The Events this process's ClusterExternalSecret controller recorded. */
const cesEvents: { name: string; type: string; reason: string; message: string }[] = [];

function recordingRecorder(recorder: EventRecorder): EventRecorder {
  return {
    event: (obj, type, reason, message) => {
      cesEvents.push({ name: obj.name, type, reason, message });
      recorder.event(obj, type, reason, message);
    },
  };
}

/**
 * The real controller list, with the ClusterExternalSecret controller's
 * client and Events recorded. Other suites that run at the same time start
 * controllers of their own, which reconcile this suite's objects too: world
 * state is asserted whoever wrote it; what one process did is asserted
 * through these recordings.
 */
const setups: ControllerSetupEntry[] = controllerSetups.map((entry) =>
  entry.name === "clusterexternalsecret"
    ? {
        ...entry,
        setup: (mgr, deps) => {
          entry.setup(mgr, {
            ...deps,
            client: recordingClient(deps.client),
            recorderFor: (component) => recordingRecorder(deps.recorderFor(component)),
          });
        },
      }
    : entry,
);

/** Removes this suite's finalizers from a namespace (teardown safety net). */
async function stripFinalizers(ns: string): Promise<void> {
  const mine = new Set(createdCes.map(nsFinalizer));
  const current = await finalizersOf(ns);
  const kept = current.filter((f) => !mine.has(f));
  if (kept.length !== current.length)
    await client.mergePatch(CORE.namespaces, ns, { metadata: { finalizers: kept } });
}

async function teardown(): Promise<void> {
  await Promise.allSettled(
    createdCes.map((name) => client.delete(ESO.clusterExternalSecrets, name)),
  );
  await eventually(
    "the suite's ClusterExternalSecrets to be deleted",
    async () => (await Promise.all(createdCes.map(getCes))).every((c) => c === undefined),
    30_000,
  ).catch(async () => {
    for (const name of createdCes) {
      await client
        .mergePatch(ESO.clusterExternalSecrets, name, { metadata: { finalizers: [] } })
        .catch(() => undefined);
    }
  });
  await Promise.allSettled(createdNamespaces.map((ns) => client.delete(CORE.namespaces, ns)));
}

describe("ClusterExternalSecret controller (e2e)", () => {
  let ctl: TestController;

  before(async () => {
    await installCrds();
    await client.create(ESO.clusterSecretStores, {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: STORE },
      spec: {
        provider: {
          fake: { data: Object.entries(VALUES).map(([key, value]) => ({ key, value })) },
        },
      },
    } as KubeObject);
    ctl = await startTestController({ concurrent: 2 }, { setups });
  });

  after(async () => {
    try {
      await teardown();
      // Give the running controller a moment to release namespace finalizers.
      await sleep(2000);
    } finally {
      await ctl.stop();
      await Promise.allSettled(createdNamespaces.map(stripFinalizers));
      await client.delete(ESO.clusterSecretStores, STORE).catch(() => undefined);
    }
  });

  it("fans out to the selected namespaces; children are owned, labelled and sync their Secrets", async () => {
    const a = await createNs("fan-a", "fanout");
    const b = await createNs("fan-b", "fanout");
    const other = await createNs("fan-c", "elsewhere");
    const name = await createCes({
      externalSecretName: "db",
      namespaceSelectors: [{ matchLabels: { [KEY]: "fanout" } }],
      externalSecretMetadata: { labels: { app: "db" }, annotations: { owner: "platform" } },
    });

    const ces = await waitProvisioned(name, [a, b]);
    assert.equal(ces.status?.externalSecretName, "db");
    assert.deepEqual(readyOf(ces), { type: "Ready", status: "True" });
    assert.equal(ces.status.failedNamespaces, undefined);
    assert.ok(ces.metadata?.finalizers?.includes(CES_FINALIZER));

    for (const ns of [a, b]) {
      const child = await waitChild(ns, "db");
      assert.ok(controlledBy(child, ces), "the ClusterExternalSecret controls its child");
      assert.deepEqual(child.metadata?.labels, { app: "db" });
      assert.deepEqual(child.metadata.annotations, { owner: "platform" });
      assert.deepEqual(child.spec?.["secretStoreRef"], { kind: "ClusterSecretStore", name: STORE });
      assert.ok((await finalizersOf(ns)).includes(nsFinalizer(name)));
      const secret = await waitSecret(client, ns, "synced");
      assert.deepEqual(decode(secret), { "db-password": VALUES["db-password"] });
    }
    assert.equal(await getEs(client, other, "db"), undefined);
    assert.ok(!(await finalizersOf(other)).includes(nsFinalizer(name)));

    // This process reconciles it too (whoever wrote first), so it reports it.
    const condition = `clusterexternalsecret_status_condition{name="${name}",namespace="",condition="Ready",status="True"} 1`;
    await eventually("this process's metrics for it", async () => {
      const metrics = await ctl.metrics();
      return (
        metrics.includes(condition) &&
        metrics.includes(`clusterexternalsecret_reconcile_duration{name="${name}",namespace=""}`)
      );
    });
    // Every child this process created is announced in its Created Events,
    // and those reach the apiserver.
    const mine = () => cesEvents.filter((e) => e.name === name && e.reason === "Created");
    for (const ns of [a, b]) {
      if (!cesWritesDone.includes(`create externalsecrets ${ns}/db`)) continue;
      await eventually(`a Created Event naming ${ns}`, () =>
        Promise.resolve(mine().some((e) => e.type === "Normal" && e.message.includes(ns))),
      );
    }
    let events: Awaited<ReturnType<typeof eventsFor>> = [];
    if (mine().length > 0) {
      await eventually("the Created Event in the apiserver", async () => {
        events = await eventsFor(client, "default", "ClusterExternalSecret", name);
        return events.some((e) => e.reason === "Created" && e.source?.component === RECORDER);
      });
    }
    assertNoValue("status", JSON.stringify(ces.status));
    assertNoValue("events", JSON.stringify([events, cesEvents]));
    assertNoValue("logs", ctl.logs.join(""));
  });

  it("follows namespaces: a new one at once, relabelled out and back in, deleted", async () => {
    const a = await createNs("life-a", "life");
    // refreshTime is 1h: everything below happens through the Namespace watch.
    const name = await createCes({ namespaceSelectors: [{ matchLabels: { [KEY]: "life" } }] });
    await waitProvisioned(name, [a]);

    const b = await createNs("life-b", "life");
    await waitChild(b, name);
    await waitProvisioned(name, [a, b]);
    assert.ok((await finalizersOf(b)).includes(nsFinalizer(name)));

    await label(b, null);
    await waitChildGone(b, name);
    await waitProvisioned(name, [a]);
    await eventually(
      "the namespace finalizer to be released",
      async () => !(await finalizersOf(b)).includes(nsFinalizer(name)),
    );

    await label(b, "life");
    await waitChild(b, name);
    await waitProvisioned(name, [a, b]);

    await client.delete(CORE.namespaces, b);
    await eventually(
      `namespace ${b} to be gone (the finalizer released)`,
      async () => (await getObject(client, CORE.namespaces, b)) === undefined,
      90_000,
    );
    await waitProvisioned(name, [a]);
    assert.ok(await getEs(client, a, name), "the other namespace keeps its child");
  });

  it("selects by names, the deprecated selector and several selectors, ORed", async () => {
    const byName = await createNs("or-name");
    const byDeprecated = await createNs("or-dep", "dep");
    const byLabels = await createNs("or-x", "x");
    const byExpression = await createNs("or-y", "y");
    const outside = await createNs("or-out", "out");
    const name = await createCes({
      namespaces: [byName],
      namespaceSelector: { matchLabels: { [KEY]: "dep" } },
      namespaceSelectors: [
        { matchLabels: { [KEY]: "x" } },
        { matchExpressions: [{ key: KEY, operator: "In", values: ["y", "z"] }] },
      ],
    });
    await waitProvisioned(name, [byName, byDeprecated, byLabels, byExpression]);
    for (const ns of [byName, byDeprecated, byLabels, byExpression]) await waitChild(ns, name);
    assert.equal(await getEs(client, outside, name), undefined);
  });

  it("never takes over an ExternalSecret it does not own, and provisions once it is gone", async () => {
    const a = await createNs("foreign-a", "foreign");
    const b = await createNs("foreign-b", "foreign");
    const childName = uniqueName("shared");
    const foreignSpec: Record<string, unknown> = {
      ...esSpec(["api-token"]),
      refreshInterval: "5m",
    };
    await client.create(
      ESO.externalSecrets,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: childName, namespace: b, labels: { mine: "yes" } },
        spec: foreignSpec,
      } as KubeObject,
      { namespace: b },
    );
    const name = await createCes({
      externalSecretName: childName,
      namespaceSelectors: [{ matchLabels: { [KEY]: "foreign" } }],
    });

    const ces = await waitCes(name, "namespace b failed", (s) =>
      (s.failedNamespaces ?? []).some((f) => f.namespace === b),
    );
    assert.deepEqual(ces.status?.failedNamespaces, [
      { namespace: b, reason: "external secret already exists in namespace" },
    ]);
    assert.deepEqual(ces.status.provisionedNamespaces, [a]);
    assert.deepEqual(readyOf(ces), {
      type: "Ready",
      status: "False",
      message: "one or more namespaces failed",
    });
    // Whichever process saw the failure first announced it; if it was this one,
    // its Warning reached the apiserver.
    if (cesEvents.some((e) => e.name === name && e.type === "Warning" && e.message.includes(b))) {
      await eventually("the Warning Event naming the namespace", async () =>
        (await eventsFor(client, "default", "ClusterExternalSecret", name)).some(
          (e) =>
            e.type === "Warning" &&
            e.reason === "UpdateFailed" &&
            (e.message ?? "").includes(`${b}: external secret already exists in namespace`),
        ),
      );
    }

    await sleep(3000); // room for a wrongful write to show
    const foreign = await getEs(client, b, childName);
    assert.equal(foreign?.metadata?.generation, 1, "the foreign ExternalSecret is never written");
    assert.deepEqual(foreign.spec?.["data"], foreignSpec["data"]);
    assert.deepEqual(foreign.metadata.labels, { mine: "yes" });
    assert.equal(foreign.metadata.ownerReferences, undefined);
    assert.ok(!(await finalizersOf(b)).includes(nsFinalizer(name)));

    await client.delete(ESO.externalSecrets, childName, { namespace: b });
    const child = await waitChild(b, childName, (es) => controlledBy(es, ces));
    assert.deepEqual(child.spec?.["data"], esSpec()["data"]);
    const healed = await waitProvisioned(name, [a, b]);
    assert.equal(healed.status?.failedNamespaces, undefined);
    assert.equal(readyOf(healed)?.status, "True");
  });

  it("recreates a child deleted by hand and restores one edited by hand", async () => {
    const a = await createNs("heal", "heal");
    const name = await createCes({
      namespaceSelectors: [{ matchLabels: { [KEY]: "heal" } }],
      externalSecretMetadata: { labels: { app: "heal" } },
    });
    const first = await waitChild(a, name);
    await waitSecret(client, a, "synced");

    await client.delete(ESO.externalSecrets, name, { namespace: a });
    const second = await waitChild(a, name, (es) => es.metadata?.uid !== first.metadata?.uid);
    assert.deepEqual(second.metadata?.labels, { app: "heal" });

    await client.mergePatch(
      ESO.externalSecrets,
      name,
      { metadata: { labels: { app: "hacked" } }, spec: { refreshInterval: "5m" } },
      { namespace: a },
    );
    await waitChild(
      a,
      name,
      (es) => es.metadata?.labels?.["app"] === "heal" && es.spec?.["refreshInterval"] === "1h",
    );
    await waitProvisioned(name, [a]);
  });

  it("applies spec changes to its children: spec, metadata, force-sync and the name", async () => {
    const a = await createNs("edit-a", "edit");
    const b = await createNs("edit-b", "edit");
    const name = await createCes({ namespaceSelectors: [{ matchLabels: { [KEY]: "edit" } }] });
    for (const ns of [a, b]) await waitSecret(client, ns, "synced");

    await client.mergePatch(ESO.clusterExternalSecrets, name, {
      metadata: { annotations: { "external-secrets.io/force-sync": "1" } },
      spec: {
        externalSecretSpec: esSpec(["api-token"]),
        externalSecretMetadata: { labels: { version: "2" } },
      },
    });
    for (const ns of [a, b]) {
      const child = await waitChild(ns, name, (es) => es.metadata?.labels?.["version"] === "2");
      assert.equal(child.metadata?.annotations?.["external-secrets.io/force-sync"], "1");
      const secret = await waitSecret(client, ns, "synced", (s) => "api-token" in (s.data ?? {}));
      assert.deepEqual(decode(secret), { "api-token": VALUES["api-token"] });
    }

    await client.mergePatch(ESO.clusterExternalSecrets, name, {
      spec: { externalSecretName: "renamed" },
    });
    await waitCes(name, "externalSecretName renamed", (s) => s.externalSecretName === "renamed");
    for (const ns of [a, b]) {
      await waitChild(ns, "renamed");
      await waitChildGone(ns, name);
    }
    await waitProvisioned(name, [a, b]);
  });

  it("does not rewrite unchanged children or status", async () => {
    const a = await createNs("quiet-a", "quiet");
    const b = await createNs("quiet-b", "quiet");
    const name = await createCes({ namespaceSelectors: [{ matchLabels: { [KEY]: "quiet" } }] });
    await waitProvisioned(name, [a, b]);
    const ces = await getCes(name);
    const child = await getEs(client, a, name);
    await sleep(1000); // let the reconciles caused by our own writes finish

    assert.ok(cesWrites.length > 0, "the recorder sees this process's writes");
    const reconciles = await reconcileCount(ctl);
    const writes = cesWrites.length;
    await client.mergePatch(CORE.namespaces, a, { metadata: { labels: { touched: "1" } } });
    await eventually(
      "a reconcile after the namespace relabel",
      async () => (await reconcileCount(ctl)) > reconciles,
    );
    await sleep(500);
    const ours = cesWrites.slice(writes).filter((w) => [a, b, name].some((n) => w.includes(n)));
    assert.deepEqual(ours, [], "a pass with nothing to change writes nothing");
    const after = await getEs(client, a, name);
    assert.equal(after?.metadata?.generation, child?.metadata?.generation);
    assert.deepEqual(after?.metadata?.labels, child?.metadata?.labels);
    assert.equal(
      (await getCes(name))?.metadata?.resourceVersion,
      ces?.metadata?.resourceVersion,
      "the status was not rewritten",
    );
  });

  it("deleting it deletes its children and releases the namespaces", async () => {
    const a = await createNs("del-a", "del");
    const b = await createNs("del-b", "del");
    const name = await createCes({ namespaceSelectors: [{ matchLabels: { [KEY]: "del" } }] });
    await waitProvisioned(name, [a, b]);

    await eventually("this process's metrics for it", async () =>
      (await ctl.metrics()).includes(`clusterexternalsecret_reconcile_duration{name="${name}"`),
    );
    await client.delete(ESO.clusterExternalSecrets, name);
    await eventually(
      "the ClusterExternalSecret to be gone",
      async () => (await getCes(name)) === undefined,
    );
    for (const ns of [a, b]) {
      await waitChildGone(ns, name);
      assert.ok(!(await finalizersOf(ns)).includes(nsFinalizer(name)));
    }
    await eventually("its metrics to be gone", async () =>
      (await ctl.metrics())
        .split("\n")
        .every((line) => !line.startsWith("clusterexternalsecret_") || !line.includes(`"${name}"`)),
    );
  });

  it("is not started with --enable-cluster-external-secret-reconciler=false nor with --namespace", async () => {
    const seeded =
      'controller_runtime_max_concurrent_reconciles{controller="clusterexternalsecret"}';
    assert.ok((await ctl.metrics()).includes(seeded));
    const scoped = await createNs("scoped");
    for (const options of [
      { enableClusterExternalSecretReconciler: false },
      { namespace: scoped },
    ]) {
      const other = await startTestController(options);
      try {
        assert.ok(!(await other.metrics()).includes(seeded), JSON.stringify(options));
      } finally {
        await other.stop();
      }
    }
  });
});
