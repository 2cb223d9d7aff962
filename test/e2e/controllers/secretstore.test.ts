// The SecretStore and ClusterSecretStore controllers against the real
// apiserver, with `ferry controller` running in-process (fake provider).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../../src/runtime/index.ts";
import { createNamespace, eventually, kube, uniqueName } from "../framework/env.ts";
import {
  ESO,
  startTestController,
  eventsFor,
  getObject,
  installCrds,
  type TestController,
} from "./framework.ts";

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

interface StoreView extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[]; capabilities?: string };
}

const k = kube();

function fakeStore(
  kind: "SecretStore" | "ClusterSecretStore",
  name: string,
  namespace: string | undefined,
  spec: Record<string, unknown> = {},
): StoreView {
  return {
    apiVersion: "external-secrets.io/v1",
    kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { provider: { fake: { data: [{ key: "k", value: "v" }] } }, ...spec },
  };
}

function ready(store: StoreView | undefined): Condition | undefined {
  return store?.status?.conditions?.find((c) => c.type === "Ready");
}

describe("SecretStore / ClusterSecretStore controllers (e2e)", () => {
  let ctl: TestController;
  let ns: { name: string; remove: () => Promise<void> };
  const clusterStores: string[] = [];

  before(async () => {
    await installCrds();
    ns = await createNamespace(k.core, "ss-ctl");
    ctl = await startTestController({ storeRequeueIntervalMs: 2000 });
  });
  after(async () => {
    await ctl.stop();
    for (const name of clusterStores) {
      await ctl.client.delete(ESO.clusterSecretStores, name).catch(() => undefined);
    }
    await ns.remove();
  });

  async function createStore(store: StoreView): Promise<void> {
    const res = store.kind === "SecretStore" ? ESO.secretStores : ESO.clusterSecretStores;
    if (store.kind === "ClusterSecretStore") clusterStores.push(store.metadata?.name ?? "");
    await ctl.client.create(res, store);
  }

  async function readStore(kind: string, name: string): Promise<StoreView | undefined> {
    return kind === "SecretStore"
      ? getObject<StoreView>(ctl.client, ESO.secretStores, name, ns.name)
      : getObject<StoreView>(ctl.client, ESO.clusterSecretStores, name);
  }

  async function waitReady(kind: string, name: string, status: string): Promise<StoreView> {
    let seen: StoreView | undefined;
    await eventually(`${kind} ${name} Ready=${status}`, async () => {
      seen = await readStore(kind, name);
      return ready(seen)?.status === status;
    });
    return seen!;
  }

  it("a fake SecretStore becomes Ready=True Valid with capabilities ReadWrite", async () => {
    const name = uniqueName("ok");
    await createStore(fakeStore("SecretStore", name, ns.name));
    const store = await waitReady("SecretStore", name, "True");
    const c = ready(store)!;
    assert.equal(c.reason, "Valid");
    assert.equal(c.message, "store validated");
    assert.ok(c.lastTransitionTime);
    assert.equal(store.status?.capabilities, "ReadWrite");
    await eventually("a Normal Valid event", async () => {
      const events = await eventsFor(ctl.client, ns.name, "SecretStore", name);
      return events.some(
        (e) =>
          e.type === "Normal" &&
          e.reason === "Valid" &&
          e.message === "store validated" &&
          e.source?.component === "secret-store",
      );
    });
    const events = await eventsFor(ctl.client, ns.name, "SecretStore", name);
    assert.ok(
      events.some((e) => e.type === "Warning" && e.reason === "StoreUnmaintained"),
      "the fake provider is not maintained",
    );
  });

  it("a fake ClusterSecretStore becomes Ready, its events go to namespace default", async () => {
    const name = uniqueName("css-ok");
    await createStore(fakeStore("ClusterSecretStore", name, undefined));
    const store = await waitReady("ClusterSecretStore", name, "True");
    assert.equal(ready(store)?.reason, "Valid");
    assert.equal(store.status?.capabilities, "ReadWrite");
    await eventually("a Valid event in default", async () => {
      const events = await eventsFor(ctl.client, "default", "ClusterSecretStore", name);
      return events.some(
        (e) => e.reason === "Valid" && e.source?.component === "cluster-secret-store",
      );
    });
  });

  it("validationResult: 2 ⇒ Ready=False InvalidProviderConfig and a Warning event", async () => {
    const name = uniqueName("invalid");
    await createStore(
      fakeStore("SecretStore", name, ns.name, {
        provider: { fake: { data: [], validationResult: 2 } },
      }),
    );
    const store = await waitReady("SecretStore", name, "False");
    const c = ready(store)!;
    assert.equal(c.reason, "InvalidProviderConfig");
    assert.match(c.message ?? "", /^unable to validate store: /);
    await eventually("a Warning InvalidProviderConfig event", async () => {
      const events = await eventsFor(ctl.client, ns.name, "SecretStore", name);
      return events.some((e) => e.type === "Warning" && e.reason === "InvalidProviderConfig");
    });
    // Retries (with backoff) repeat the same Warning: one Event, its count raised.
    await eventually("the Warning aggregated (count ≥ 2)", async () => {
      const events = await eventsFor(ctl.client, ns.name, "SecretStore", name);
      const warnings = events.filter((e) => e.reason === "InvalidProviderConfig");
      return warnings.length === 1 && (warnings[0]?.count ?? 0) >= 2;
    });
  });

  it("ignores a store of another controller class", async () => {
    const other = uniqueName("other-class");
    const sentinel = uniqueName("sentinel");
    await createStore(fakeStore("SecretStore", other, ns.name, { controller: "someone-else" }));
    await createStore(fakeStore("SecretStore", sentinel, ns.name));
    await waitReady("SecretStore", sentinel, "True");
    // Give the controller a few more refresh cycles to (not) touch it.
    await new Promise((r) => setTimeout(r, 2500));
    const store = await readStore("SecretStore", other);
    assert.equal(store?.status, undefined);
    assert.deepEqual(await eventsFor(ctl.client, ns.name, "SecretStore", other), []);
  });

  it("a provider Ferry does not implement ⇒ Ready=False 'not supported'; the controller keeps running", async () => {
    const name = uniqueName("doppler");
    await createStore({
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name, namespace: ns.name },
      spec: { provider: { doppler: { auth: { secretRef: { dopplerToken: { name: "t" } } } } } },
    });
    const store = await waitReady("SecretStore", name, "False");
    const c = ready(store)!;
    assert.equal(c.reason, "InvalidProviderConfig");
    assert.match(
      c.message ?? "",
      /^unable to create client: provider "doppler" is not supported by this version of Ferry/,
    );
    const after = uniqueName("after-doppler");
    await createStore(fakeStore("SecretStore", after, ns.name));
    await waitReady("SecretStore", after, "True");
    assert.equal(ctl.mgr.healthz().ok, true);
  });

  it("a refresh with nothing changed writes nothing (resourceVersion stays)", async () => {
    const name = uniqueName("steady");
    await createStore(fakeStore("SecretStore", name, ns.name, { refreshInterval: "1s" }));
    const first = await waitReady("SecretStore", name, "True");
    // Let the status write settle into the cache, then count reconciles.
    await new Promise((r) => setTimeout(r, 1500));
    const rv = (await readStore("SecretStore", name))?.metadata?.resourceVersion;
    const before = await reconcileCount(ctl);
    await new Promise((r) => setTimeout(r, 3500));
    const later = await readStore("SecretStore", name);
    assert.equal(later?.metadata?.resourceVersion, rv, "no write on an unchanged refresh");
    assert.equal(ready(later)?.lastTransitionTime, ready(first)?.lastTransitionTime);
    assert.ok((await reconcileCount(ctl)) >= before + 2, "refreshes did happen");
  });

  it("exposes the store metrics", async () => {
    const text = await ctl.metrics();
    assert.match(
      text,
      /secretstore_status_condition\{name="[^"]+",namespace="[^"]+",condition="Ready",status="True"\} 1/,
    );
    assert.match(
      text,
      /clustersecretstore_status_condition\{name="[^"]+",condition="Ready",status="True"\} 1/,
    );
    assert.match(text, /secretstore_reconcile_duration\{/);
  });
});

async function reconcileCount(ctl: TestController): Promise<number> {
  const text = await ctl.metrics();
  let total = 0;
  for (const m of text.matchAll(
    /^controller_runtime_reconcile_total\{controller="secretstore",result="[^"]+"\} (\d+)/gm,
  )) {
    total += Number(m[1]);
  }
  return total;
}
