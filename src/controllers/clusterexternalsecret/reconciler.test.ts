// The reconciler against the in-memory apiserver, with caches refreshed from
// it after every reconcile (as the informers would be). The end-to-end suite
// (test/e2e/controllers/clusterexternalsecret.test.ts) proves the same
// behaviours against the real apiserver; these cases pin the exact writes.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
  createRegistry,
  discardLogger,
  FakeEventRecorder,
  isTerminal,
  Store,
  type KubeObject,
  type ReconcileContext,
  type Result,
} from "../../runtime/index.ts";
import { FakeApiServer } from "../common/fake-apiserver.ts";
import type {
  ClusterExternalSecretObject,
  ExternalSecretObject,
  NamespaceObject,
} from "./ces-view.ts";
import { OWNER_INDEX, ownerIndexKeys } from "./child.ts";
import { ClusterExternalSecretMetrics } from "./metrics.ts";
import { ClusterExternalSecretReconciler } from "./reconciler.ts";

const ctx: ReconcileContext = {
  signal: new AbortController().signal,
  log: discardLogger(),
  reconcileId: "test",
};

const CES_FINALIZER = "externalsecrets.external-secrets.io/clusterexternalsecret-cleanup";
const NS_FINALIZER = "externalsecrets.external-secrets.io/ces-shared";
const cesPath = (name: string): string =>
  `/apis/external-secrets.io/v1/clusterexternalsecrets/${name}`;
const nsPath = (name: string): string => `/api/v1/namespaces/${name}`;
const esPath = (ns: string, name: string): string =>
  `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`;

type Json = Record<string, unknown>;

const ES_SPEC = {
  refreshInterval: "1h0m0s",
  secretStoreRef: { kind: "ClusterSecretStore", name: "store" },
  target: { creationPolicy: "Owner", deletionPolicy: "Retain" },
  data: [{ secretKey: "password", remoteRef: { key: "db" } }],
};

class Harness {
  readonly server = new FakeApiServer();
  readonly recorder = new FakeEventRecorder();
  readonly registry = createRegistry();
  readonly cess = new Store<ClusterExternalSecretObject>();
  readonly ess = new Store<ExternalSecretObject>();
  readonly nss = new Store<NamespaceObject>();
  readonly reconciler: ClusterExternalSecretReconciler;

  constructor() {
    this.ess.addIndex(OWNER_INDEX, ownerIndexKeys);
    const recorder = this.recorder;
    this.reconciler = new ClusterExternalSecretReconciler({
      client: this.server.client(),
      clusterExternalSecrets: this.cess,
      externalSecrets: this.ess,
      namespaces: this.nss,
      events: {
        emit: (ces, type, reason, message) => {
          recorder.event(
            { kind: "ClusterExternalSecret", name: ces.metadata?.name ?? "" },
            type,
            reason,
            message,
          );
        },
      },
      metrics: new ClusterExternalSecretMetrics(this.registry),
      now: () => Date.parse("2026-01-01T00:00:00Z"),
      random: () => 0.5,
    });
  }

  namespace(name: string, labels: Record<string, string> = {}): void {
    this.server.put(nsPath(name), {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
    });
  }

  ces(spec: Json, name = "shared"): void {
    this.server.put(cesPath(name), {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterExternalSecret",
      metadata: { name },
      spec: { externalSecretSpec: ES_SPEC, ...spec },
    });
  }

  edit(path: string, change: (obj: Json) => void): void {
    const obj = structuredClone(this.server.get(path)!);
    change(obj);
    this.server.objects.set(path, obj);
  }

  /** Rebuilds the caches from the server, as the informers would. */
  sync(): void {
    for (const store of [this.cess, this.ess, this.nss] as Store<KubeObject>[]) {
      for (const obj of store.list())
        store.delete(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    }
    for (const [path, obj] of this.server.objects) {
      const copy = structuredClone(obj) as KubeObject;
      if (path.includes("/clusterexternalsecrets/")) this.cess.set(copy);
      else if (path.includes("/externalsecrets/")) this.ess.set(copy);
      else if (path.startsWith("/api/v1/namespaces/")) this.nss.set(copy);
    }
  }

  async reconcile(name = "shared"): Promise<Result> {
    this.sync();
    try {
      return await this.reconciler.reconcile(ctx, { namespace: "", name });
    } finally {
      this.sync();
    }
  }

  writes(): string[] {
    return this.server.writes().map((r) => `${r.method} ${r.path}`);
  }

  status(name = "shared"): Json {
    return (this.server.get(cesPath(name))?.["status"] ?? {}) as Json;
  }

  child(ns: string, name = "shared"): Json | undefined {
    return this.server.get(esPath(ns, name));
  }

  nsFinalizers(ns: string): string[] {
    return ((this.server.get(nsPath(ns))?.["metadata"] as Json | undefined)?.["finalizers"] ??
      []) as string[];
  }

  reset(): void {
    this.server.requests.length = 0;
    this.recorder.clear();
  }
}

let h: Harness;
beforeEach(() => {
  h = new Harness();
  h.namespace("team-a", { ces: "yes" });
  h.namespace("team-b", { ces: "yes" });
  h.namespace("other");
});

describe("ClusterExternalSecret reconciler", () => {
  it("adds its finalizer, provisions every selected namespace and reports it", async () => {
    h.ces({
      namespaceSelectors: [{ matchLabels: { ces: "yes" } }],
      externalSecretMetadata: { labels: { app: "db" } },
    });
    const result = await h.reconcile();

    assert.deepEqual(result, { requeueAfter: 3_600_000 });
    const meta = h.server.get(cesPath("shared"))?.["metadata"] as Json;
    assert.deepEqual(meta["finalizers"], [CES_FINALIZER]);
    for (const ns of ["team-a", "team-b"]) {
      const child = h.child(ns)!;
      assert.deepEqual(child["spec"], ES_SPEC);
      assert.deepEqual((child["metadata"] as Json)["labels"], { app: "db" });
      assert.deepEqual(h.nsFinalizers(ns), [NS_FINALIZER]);
    }
    assert.equal(h.child("other"), undefined);
    assert.deepEqual(h.nsFinalizers("other"), []);
    assert.deepEqual(h.status(), {
      externalSecretName: "shared",
      provisionedNamespaces: ["team-a", "team-b"],
      conditions: [{ type: "Ready", status: "True" }],
    });
    assert.deepEqual(
      h.recorder.events.map((e) => [e.type, e.reason, e.message]),
      [["Normal", "Created", "created ExternalSecret shared in namespaces team-a, team-b"]],
    );
    const metrics = await h.registry.metrics();
    assert.match(
      metrics,
      /clusterexternalsecret_status_condition\{name="shared",namespace="",condition="Ready",status="True"\} 1/,
    );
    assert.match(metrics, /clusterexternalsecret_reconcile_duration\{name="shared",namespace=""\}/);
  });

  it("writes nothing when everything already matches", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.reset();
    await h.reconcile();
    assert.deepEqual(h.writes(), []);
    assert.deepEqual(h.recorder.events, []);
  });

  it("refuses an ExternalSecret it does not control and never writes it", async () => {
    h.server.put(esPath("team-b", "shared"), {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: "shared", namespace: "team-b" },
      spec: { refreshInterval: "5m" },
    });
    const before = structuredClone(h.child("team-b"));
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();

    assert.deepEqual(h.child("team-b"), before);
    assert.deepEqual(h.nsFinalizers("team-b"), []);
    assert.deepEqual(h.status()["failedNamespaces"], [
      { namespace: "team-b", reason: "external secret already exists in namespace" },
    ]);
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a"]);
    assert.deepEqual(h.status()["conditions"], [
      { type: "Ready", status: "False", message: "one or more namespaces failed" },
    ]);
    const warnings = h.recorder.withReason("UpdateFailed");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /team-b: external secret already exists in namespace/);

    h.recorder.clear();
    await h.reconcile();
    assert.deepEqual(h.recorder.withReason("UpdateFailed"), [], "not re-announced");
  });

  it("deletes the child and releases the namespace when the namespace stops matching", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.edit(nsPath("team-b"), (ns) => {
      (ns["metadata"] as Json)["labels"] = { "kubernetes.io/metadata.name": "team-b" };
    });
    h.reset();
    await h.reconcile();

    assert.equal(h.child("team-b"), undefined);
    assert.deepEqual(h.nsFinalizers("team-b"), []);
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a"]);
    assert.deepEqual(
      h.recorder.events.map((e) => e.reason),
      ["Deleted"],
    );
    assert.ok(h.child("team-a") !== undefined);
  });

  it("leaves a child alone in a namespace the cache has not seen yet", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    // Written by another instance into a namespace this one does not know yet.
    const owned = structuredClone(h.child("team-a")!);
    (owned["metadata"] as Json)["namespace"] = "brand-new";
    h.server.put(esPath("brand-new", "shared"), owned);
    h.reset();
    await h.reconcile();
    assert.ok(h.child("brand-new") !== undefined);
    assert.deepEqual(h.writes(), []);
  });

  it("releases a terminating namespace and does not count it as provisioned", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.edit(nsPath("team-b"), (ns) => {
      (ns["metadata"] as Json)["deletionTimestamp"] = "2026-01-01T00:00:00Z";
    });
    await h.reconcile();

    assert.deepEqual(h.nsFinalizers("team-b"), []);
    assert.ok(h.child("team-b") !== undefined, "the child goes with its namespace");
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a"]);
  });

  it("follows spec changes: updates children, renames them, selects by name", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();

    h.edit(cesPath("shared"), (ces) => {
      const spec = ces["spec"] as Json;
      spec["externalSecretSpec"] = { ...ES_SPEC, refreshInterval: "5m" };
    });
    h.reset();
    await h.reconcile();
    assert.equal((h.child("team-a")!["spec"] as Json)["refreshInterval"], "5m");
    assert.deepEqual(
      h.recorder.events.map((e) => e.reason),
      ["Updated"],
    );

    h.edit(cesPath("shared"), (ces) => {
      const spec = ces["spec"] as Json;
      spec["externalSecretName"] = "renamed";
      spec["namespaceSelectors"] = [];
      spec["namespaces"] = ["team-a", "other"];
    });
    await h.reconcile();
    assert.equal(h.child("team-a"), undefined);
    assert.equal(h.child("team-b"), undefined);
    assert.ok(h.child("team-a", "renamed") !== undefined);
    assert.ok(h.child("other", "renamed") !== undefined);
    assert.deepEqual(h.nsFinalizers("team-b"), []);
    assert.deepEqual(h.status()["externalSecretName"], "renamed");
    assert.deepEqual(h.status()["provisionedNamespaces"], ["other", "team-a"]);
  });

  it("restores a child edited by hand and recreates one the cache still shows", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.edit(esPath("team-a", "shared"), (es) => {
      (es["metadata"] as Json)["labels"] = { hacked: "yes" };
    });
    await h.reconcile();
    assert.equal((h.child("team-a")!["metadata"] as Json)["labels"], undefined);

    // Deleted on the server after the cache was filled: the update finds
    // nothing and the child is created again.
    h.sync();
    h.edit(esPath("team-a", "shared"), (es) => {
      (es["spec"] as Json)["refreshInterval"] = "1m";
    });
    const cached = h.ess.get("team-a", "shared")!;
    (cached.spec as Json)["refreshInterval"] = "1m";
    h.server.objects.delete(esPath("team-a", "shared"));
    await h.reconciler.reconcile(ctx, { namespace: "", name: "shared" });
    assert.deepEqual(h.child("team-a")?.["spec"], ES_SPEC);
  });

  it("adopts a child the cache has not seen yet instead of failing", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    // Forget team-a's child in the cache only: the create answers AlreadyExists.
    h.sync();
    h.ess.delete("team-a", "shared");
    h.reset();
    await h.reconciler.reconcile(ctx, { namespace: "", name: "shared" });
    assert.deepEqual(h.writes(), [
      "POST /apis/external-secrets.io/v1/namespaces/team-a/externalsecrets",
    ]);
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a", "team-b"]);
  });

  it("after a lost race: retries without reporting, but announces what it wrote", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    h.server.hooks.push((req) =>
      req.method === "PATCH" && req.path === nsPath("team-b")
        ? {
            status: 409,
            body: { kind: "Status", code: 409, reason: "Conflict", message: "modified" },
          }
        : undefined,
    );
    await assert.rejects(h.reconcile(), /changed while it was written; retrying/);
    assert.ok(h.child("team-a") !== undefined);
    assert.deepEqual(h.status(), {}, "no status from an incomplete pass");
    assert.deepEqual(
      h.recorder.events.map((e) => [e.reason, e.message]),
      [["Created", "created ExternalSecret shared in namespaces team-a"]],
    );

    h.server.hooks.length = 0;
    h.recorder.clear();
    await h.reconcile();
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a", "team-b"]);
    assert.deepEqual(
      h.recorder.events.map((e) => [e.reason, e.message]),
      [["Created", "created ExternalSecret shared in namespaces team-b"]],
    );
  });

  it("on deletion removes children, namespace finalizers, then its own finalizer", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.edit(cesPath("shared"), (ces) => {
      (ces["metadata"] as Json)["deletionTimestamp"] = "2026-01-01T00:00:00Z";
    });
    const result = await h.reconcile();

    assert.deepEqual(result, {});
    assert.equal(h.child("team-a"), undefined);
    assert.equal(h.child("team-b"), undefined);
    assert.deepEqual(h.nsFinalizers("team-a"), []);
    assert.deepEqual(h.nsFinalizers("team-b"), []);
    const meta = h.server.get(cesPath("shared"))?.["metadata"] as Json;
    assert.deepEqual(meta["finalizers"], []);
    h.server.objects.delete(cesPath("shared"));
    await h.reconcile();
    assert.doesNotMatch(await h.registry.metrics(), /name="shared"/);
  });

  it("reports an invalid selector without touching existing children, and gives up", async () => {
    h.ces({ namespaceSelectors: [{ matchLabels: { ces: "yes" } }] });
    await h.reconcile();
    h.edit(cesPath("shared"), (ces) => {
      (ces["spec"] as Json)["namespaceSelectors"] = [
        { matchExpressions: [{ key: "ces", operator: "Equals", values: ["yes"] }] },
      ];
    });
    await assert.rejects(h.reconcile(), (err: unknown) => {
      assert.ok(isTerminal(err));
      return true;
    });
    assert.ok(h.child("team-a") !== undefined);
    assert.deepEqual(h.status()["provisionedNamespaces"], ["team-a", "team-b"]);
    const failed = h.status()["failedNamespaces"] as Json[];
    assert.equal(failed[0]?.["namespace"], "unknown");
    assert.match(String(failed[0]["reason"]), /unknown label selector operator "Equals"/);
  });

  it("requeues after refreshTime, not at all for 0, and warns about an unparseable one", async () => {
    h.ces({ namespaces: ["team-a"], refreshTime: "1m" });
    assert.deepEqual(await h.reconcile(), { requeueAfter: 60_000 });
    h.ces({ namespaces: ["team-a"], refreshTime: "0" }, "zero");
    assert.deepEqual(await h.reconcile("zero"), {});
    h.ces({ namespaces: ["team-a"], refreshTime: "later" }, "bad");
    assert.deepEqual(await h.reconcile("bad"), { requeueAfter: 3_600_000 });
    assert.match(h.recorder.withReason("UpdateFailed")[0]?.message ?? "", /spec.refreshTime/);
  });

  it("forgets a ClusterExternalSecret that is gone", async () => {
    assert.deepEqual(await h.reconcile("missing"), {});
    assert.deepEqual(h.writes(), []);
  });
});
