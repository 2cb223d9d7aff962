// Informers against the real kube-apiserver: list+watch, resume after the
// server ends a watch, relist after 410 Gone, and the metadata-only,
// label-selected Secret informer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Informer } from "../../../src/runtime/cache/index.ts";
import { CORE, KubeClient, type KubeObject } from "../../../src/runtime/client/index.ts";
import { createNamespace, eventually, kube } from "../framework/env.ts";
import { FaultTransport, realClient, recorder, seen } from "./helpers.ts";

const k = kube();

describe("runtime informer (e2e)", () => {
  let ns: { name: string; remove: () => Promise<void> };
  const stop = new AbortController();

  before(async () => {
    ns = await createNamespace(k.core, "rt-informer");
  });
  after(async () => {
    stop.abort();
    await ns.remove();
  });

  it("lists then watches ConfigMaps: add, update, delete; managedFields stripped", async () => {
    const client = realClient();
    await client.create(CORE.configMaps, {
      metadata: { name: "before", namespace: ns.name },
      data: { a: "1" },
    });
    const informer = new Informer<KubeObject>({
      client,
      resource: CORE.configMaps,
      namespace: ns.name,
    });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const local = new AbortController();
    const signal = AbortSignal.any([stop.signal, local.signal]);
    const running = informer.run(signal);
    assert.equal(await informer.waitForSync(signal), true);
    assert.ok(seen(rec.events, "add", "before"), "the initial list is delivered as adds");

    await client.create(CORE.configMaps, {
      metadata: { name: "live", namespace: ns.name },
      data: { a: "1" },
    });
    await eventually("add of live", () => Promise.resolve(seen(rec.events, "add", "live")));
    await client.mergePatch(CORE.configMaps, "live", { data: { a: "2" } }, { namespace: ns.name });
    await eventually("update of live", () => Promise.resolve(seen(rec.events, "update", "live")));
    await client.delete(CORE.configMaps, "live", { namespace: ns.name });
    await eventually("delete of live", () => Promise.resolve(seen(rec.events, "delete", "live")));

    const stored = informer.store.get(ns.name, "before");
    assert.ok(stored, "the store holds the object");
    assert.equal(stored.metadata?.managedFields, undefined, "managedFields are stripped");
    for (const e of rec.events) assert.equal(e.object.metadata?.managedFields, undefined);
    assert.equal(informer.store.get(ns.name, "live"), undefined);
    assert.equal(informer.stats.lists, 1);
    local.abort();
    await running;
  });

  it("resumes from the last resourceVersion when the server ends the watch (no relist)", async () => {
    const client = realClient();
    const informer = new Informer<KubeObject>({
      client,
      resource: CORE.configMaps,
      namespace: ns.name,
      watchTimeoutSeconds: 1,
    });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const local = new AbortController();
    const running = informer.run(AbortSignal.any([stop.signal, local.signal]));
    assert.equal(await informer.waitForSync(local.signal), true);
    await eventually("at least three watches (the server ended two)", () =>
      Promise.resolve(informer.stats.watches >= 3),
    );
    await client.create(CORE.configMaps, {
      metadata: { name: "after-resume", namespace: ns.name },
    });
    await eventually("add after resume", () =>
      Promise.resolve(seen(rec.events, "add", "after-resume")),
    );
    assert.equal(informer.stats.lists, 1, "resumed without listing again");
    assert.equal(informer.stats.relistsAfterGone, 0);
    local.abort();
    await running;
  });

  it("relists after 410 Gone and emits the missed changes as add/update/delete", async () => {
    const faults = new FaultTransport();
    const client = new KubeClient(faults);
    await client.create(CORE.configMaps, {
      metadata: { name: "gone-keep", namespace: ns.name },
      data: { v: "1" },
    });
    await client.create(CORE.configMaps, { metadata: { name: "gone-del", namespace: ns.name } });
    const informer = new Informer<KubeObject>({
      client,
      resource: CORE.configMaps,
      namespace: ns.name,
      backoff: { initialMs: 200, maxMs: 500 },
    });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const local = new AbortController();
    const running = informer.run(AbortSignal.any([stop.signal, local.signal]));
    assert.equal(await informer.waitForSync(local.signal), true);
    await eventually("the first watch", () => Promise.resolve(informer.stats.watches >= 1));

    faults.pause();
    const admin = realClient();
    await admin.create(CORE.configMaps, { metadata: { name: "gone-new", namespace: ns.name } });
    await admin.mergePatch(
      CORE.configMaps,
      "gone-keep",
      { data: { v: "2" } },
      { namespace: ns.name },
    );
    await admin.delete(CORE.configMaps, "gone-del", { namespace: ns.name });
    // The next watch asks for resourceVersion 1, long gone: the apiserver answers 410.
    faults.forceWatchResourceVersion = "1";
    rec.events.length = 0;
    faults.resume();

    await eventually("a relist after 410", () =>
      Promise.resolve(informer.stats.relistsAfterGone >= 1),
    );
    await eventually("the missed changes", () =>
      Promise.resolve(
        seen(rec.events, "add", "gone-new") &&
          seen(rec.events, "update", "gone-keep") &&
          seen(rec.events, "delete", "gone-del"),
      ),
    );
    assert.ok(informer.stats.lists >= 2);
    assert.equal(informer.store.get(ns.name, "gone-keep")?.metadata?.name, "gone-keep");
    assert.equal(informer.store.get(ns.name, "gone-del"), undefined);
    local.abort();
    await running;
    faults.close();
  });

  it("restarts a watch that goes silent (watchdog) and keeps delivering events", async () => {
    const faults = new FaultTransport();
    faults.stallWatches = true;
    const client = new KubeClient(faults);
    const informer = new Informer<KubeObject>({
      client,
      resource: CORE.configMaps,
      namespace: ns.name,
      watchTimeoutSeconds: 1,
      watchdogGraceMs: 500,
    });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const local = new AbortController();
    const running = informer.run(AbortSignal.any([stop.signal, local.signal]));
    assert.equal(await informer.waitForSync(local.signal), true);
    await eventually("the watchdog to abort a silent watch", () =>
      Promise.resolve(informer.stats.watchdogAborts >= 1),
    );
    faults.stallWatches = false;
    await realClient().create(CORE.configMaps, {
      metadata: { name: "after-stall", namespace: ns.name },
    });
    await eventually("add after the stall", () =>
      Promise.resolve(seen(rec.events, "add", "after-stall")),
    );
    local.abort();
    await running;
    faults.close();
  });

  it("watches only labelled Secrets, metadata only, never holding data", async () => {
    const client = realClient();
    const label = "reconcile.external-secrets.io/managed";
    await client.create(CORE.secrets, {
      metadata: { name: "managed-1", namespace: ns.name, labels: { [label]: "true" } },
      stringData: { password: "hunter2" },
    } as KubeObject);
    await client.create(CORE.secrets, {
      metadata: { name: "unmanaged", namespace: ns.name },
      stringData: { password: "hunter2" },
    } as KubeObject);
    const informer = new Informer<KubeObject>({
      client,
      resource: CORE.secrets,
      namespace: ns.name,
      labelSelector: `${label}=true`,
      metadataOnly: true,
    });
    const rec = recorder();
    informer.addEventHandler(rec.handler);
    const local = new AbortController();
    const running = informer.run(AbortSignal.any([stop.signal, local.signal]));
    assert.equal(await informer.waitForSync(local.signal), true);
    await client.create(CORE.secrets, {
      metadata: { name: "managed-2", namespace: ns.name, labels: { [label]: "true" } },
      stringData: { token: "s3cr3t" },
    } as KubeObject);
    await client.create(CORE.secrets, { metadata: { name: "unmanaged-2", namespace: ns.name } });
    await eventually("add of managed-2", () =>
      Promise.resolve(seen(rec.events, "add", "managed-2")),
    );

    assert.deepEqual(
      informer.store
        .list(ns.name)
        .map((s) => s.metadata?.name)
        .sort(),
      ["managed-1", "managed-2"],
    );
    for (const s of informer.store.list()) {
      assert.equal(s.kind, "PartialObjectMetadata");
      assert.deepEqual(Object.keys(s).sort(), ["apiVersion", "kind", "metadata"]);
      assert.equal(s.metadata?.managedFields, undefined);
    }
    assert.ok(!rec.events.some((e) => e.name.startsWith("unmanaged")));
    assert.ok(!JSON.stringify(rec.events).includes("hunter2"));
    local.abort();
    await running;
  });
});
