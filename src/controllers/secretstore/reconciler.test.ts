import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SecretStoreSpec } from "../../api/index.ts";
import { FakeSecretsProvider } from "../../providers/fake/index.ts";
import type {
  Capabilities,
  GenericStore,
  MaintenanceStatus,
  Provider,
  SecretsClient,
  ValidationResult,
} from "../../providers/provider.ts";
import {
  createRegistry,
  discardLogger,
  Store,
  type ReconcileContext,
  type Result,
} from "../../runtime/index.ts";
import { testDeps, type TestDeps } from "../common/deps-testing.ts";
import { CLUSTER_SECRET_STORE, SECRET_STORE, type StoreKindConfig } from "./kinds.ts";
import { StoreMetrics } from "./metrics.ts";
import { StoreReconciler, type StoreObject } from "./reconciler.ts";
import { refreshIntervalMs } from "./status.ts";

const ctx: ReconcileContext = {
  signal: new AbortController().signal,
  log: discardLogger(),
  reconcileId: "test",
};

interface ProviderScript {
  readonly validate?: () => Promise<ValidationResult>;
  readonly newClient?: () => Promise<void>;
  readonly validateStore?: () => void;
  readonly maintenance?: MaintenanceStatus;
  readonly capabilities?: Capabilities;
}

/** A provider named "fake" whose behaviour each test scripts. */
function scripted(script: ProviderScript = {}): Provider & {
  closed: number;
  namespaces: string[];
} {
  const p = {
    name: "fake" as const,
    capabilities: script.capabilities ?? "ReadOnly",
    maintenance: script.maintenance ?? "Maintained",
    closed: 0,
    namespaces: [] as string[],
    validateStore(_store: GenericStore) {
      script.validateStore?.();
      return { warnings: [] };
    },
    async newClient(_c: unknown, _s: GenericStore, _k: unknown, namespace: string) {
      p.namespaces.push(namespace);
      await script.newClient?.();
      const client: Partial<SecretsClient> = {
        validate: script.validate ?? (() => Promise.resolve("Ready")),
        close: () => {
          p.closed++;
          return Promise.resolve();
        },
      };
      return client as SecretsClient;
    },
  };
  return p;
}

interface Harness {
  readonly t: TestDeps;
  readonly cache: Store<StoreObject>;
  readonly reconciler: StoreReconciler;
  readonly kind: StoreKindConfig;
  readonly path: string;
  readonly metrics: ReturnType<typeof createRegistry>;
  /** Reconciles once, then refreshes the cache from the fake apiserver (as the informer would). */
  reconcile(): Promise<Result>;
  stored(): StoreObject;
  events(): { type: string; reason: string; message: string }[];
}

function harness(
  spec: SecretStoreSpec,
  options: {
    provider?: Provider;
    kind?: StoreKindConfig;
    annotations?: Record<string, string>;
    controllerClass?: string;
  } = {},
): Harness {
  const kind = options.kind ?? SECRET_STORE;
  const t = testDeps({
    providers: options.provider === undefined ? [] : [options.provider],
    overrides:
      options.controllerClass === undefined ? {} : { controllerClass: options.controllerClass },
  });
  const namespaced = kind.resource.namespaced;
  const path = namespaced
    ? "/apis/external-secrets.io/v1/namespaces/ns/secretstores/store"
    : "/apis/external-secrets.io/v1/clustersecretstores/store";
  t.server.put(path, {
    apiVersion: "external-secrets.io/v1",
    kind: kind.kind,
    metadata: {
      name: "store",
      ...(namespaced ? { namespace: "ns" } : {}),
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    },
    spec,
  });
  const cache = new Store<StoreObject>();
  const refresh = (): void => {
    cache.set(structuredClone(t.server.get(path)) as StoreObject);
  };
  refresh();
  const metrics = createRegistry();
  const reconciler = new StoreReconciler({
    kind,
    deps: t.deps,
    cache,
    metrics: new StoreMetrics(metrics, kind),
  });
  const req = { namespace: namespaced ? "ns" : "", name: "store" };
  return {
    t,
    cache,
    reconciler,
    kind,
    path,
    metrics,
    reconcile: async () => {
      try {
        return await reconciler.reconcile(ctx, req);
      } finally {
        refresh();
      }
    },
    stored: () => t.server.get(path) as StoreObject,
    events: () =>
      (t.recorders.get(kind.recorderName)?.events ?? []).map((e) => ({
        type: e.type,
        reason: e.reason,
        message: e.message,
      })),
  };
}

const fakeSpec = (extra: Record<string, unknown> = {}): SecretStoreSpec => ({
  provider: { fake: { data: [{ key: "k", value: "v" }], ...extra } },
});

function ready(h: Harness): { status: string; reason?: string; message?: string; ltt?: string } {
  const c = h.stored().status?.conditions?.find((x) => x.type === "Ready");
  assert.ok(c, "a Ready condition");
  return {
    status: c.status,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(c.message === undefined ? {} : { message: c.message }),
    ...(c.lastTransitionTime === undefined ? {} : { ltt: c.lastTransitionTime }),
  };
}

describe("StoreReconciler", () => {
  it("validates a fake store: Ready=True Valid, capabilities, events, requeue", async () => {
    const h = harness(fakeSpec(), { provider: new FakeSecretsProvider() });
    const result = await h.reconcile();
    assert.deepEqual(ready(h), {
      status: "True",
      reason: "Valid",
      message: "store validated",
      ltt: "2026-01-01T00:00:00Z",
    });
    assert.equal(h.stored().status?.capabilities, "ReadWrite");
    assert.deepEqual(h.events(), [
      {
        type: "Warning",
        reason: "StoreUnmaintained",
        message: "store isn't currently maintained. Please plan and prepare accordingly.",
      },
      { type: "Normal", reason: "Valid", message: "store validated" },
    ]);
    assert.equal(result.requeueAfter, 5 * 60_000, "default interval, no jitter at random 0.5");
    const writes = h.t.server.writes();
    assert.equal(writes.length, 1);
    const write = writes[0]!;
    assert.equal(write.method, "PATCH");
    assert.equal(write.path, `${h.path}/status`);
    const text = await h.metrics.metrics();
    assert.ok(
      text.includes(
        'secretstore_status_condition{name="store",namespace="ns",condition="Ready",status="True"} 1',
      ),
      text,
    );
    assert.ok(text.includes('secretstore_reconcile_duration{name="store",namespace="ns"}'));
  });

  it("writes nothing and emits no Valid event when nothing changed", async () => {
    const h = harness(fakeSpec(), { provider: scripted() });
    await h.reconcile();
    const rv = h.stored().metadata?.resourceVersion;
    h.t.time += 60_000;
    await h.reconcile();
    await h.reconcile();
    assert.equal(h.t.server.writes().length, 1);
    assert.equal(h.stored().metadata?.resourceVersion, rv);
    assert.equal(h.events().filter((e) => e.reason === "Valid").length, 1);
  });

  it("skips stores of another controller class", async () => {
    const h = harness({ ...fakeSpec(), controller: "other" }, { provider: scripted() });
    assert.deepEqual(await h.reconcile(), {});
    assert.equal(h.t.server.requests.length, 0);
    assert.equal(h.stored().status, undefined);
    assert.deepEqual(h.events(), []);
  });

  it("processes stores of its own class (--controller-class)", async () => {
    const h = harness(
      { ...fakeSpec(), controller: "blue" },
      { provider: scripted(), controllerClass: "blue" },
    );
    await h.reconcile();
    assert.equal(ready(h).reason, "Valid");
  });

  it("a provider Ferry does not implement is a status, not a crash", async () => {
    const h = harness(
      { provider: { doppler: { project: "p" } } },
      {
        provider: scripted(),
      },
    );
    const result = await h.reconcile();
    const c = ready(h);
    assert.equal(c.status, "False");
    assert.equal(c.reason, "InvalidProviderConfig");
    assert.match(
      c.message ?? "",
      /^unable to create client: provider "doppler" is not supported by this version of Ferry/,
    );
    assert.equal(result.requeueAfter, 5 * 60_000, "no fast retry: the spec must change");
    assert.equal(h.events()[0]?.type, "Warning");
    assert.equal(h.events()[0]?.reason, "InvalidProviderConfig");
  });

  it("static validateStore errors: Ready=False with the message", async () => {
    const h = harness(
      { provider: { fake: { data: [{ key: "", value: "v" }] } } },
      {
        provider: new FakeSecretsProvider(),
      },
    );
    await h.reconcile();
    assert.deepEqual(
      { ...ready(h), ltt: undefined },
      {
        status: "False",
        reason: "InvalidProviderConfig",
        message: "key must be set in data 0",
        ltt: undefined,
      },
    );
  });

  it("newClient failure: Ready=False 'unable to create client: …', Warning, retried", async () => {
    const provider = scripted({ newClient: () => Promise.reject(new Error("no credentials")) });
    const h = harness(fakeSpec(), { provider });
    await assert.rejects(h.reconcile(), /unable to create client: no credentials/);
    assert.equal(ready(h).message, "unable to create client: no credentials");
    assert.deepEqual(h.events(), [
      {
        type: "Warning",
        reason: "InvalidProviderConfig",
        message: "unable to create client: no credentials",
      },
    ]);
  });

  it("validate() throws or says Error: Ready=False 'unable to validate store'", async () => {
    const throws = scripted({ validate: () => Promise.reject(new Error("403 from vault")) });
    const h1 = harness(fakeSpec(), { provider: throws });
    await assert.rejects(h1.reconcile());
    assert.equal(ready(h1).status, "False");
    assert.equal(ready(h1).message, "unable to validate store: 403 from vault");
    assert.equal(throws.closed, 1, "the client is closed after validation");

    const says = scripted({ validate: () => Promise.resolve("Error") });
    const h2 = harness(fakeSpec(), { provider: says });
    await assert.rejects(h2.reconcile());
    assert.equal(ready(h2).message, "unable to validate store");
  });

  it("the fake provider's validationResult: 2 fails validation", async () => {
    const h = harness(fakeSpec({ validationResult: 2 }), { provider: new FakeSecretsProvider() });
    await assert.rejects(h.reconcile());
    assert.equal(ready(h).status, "False");
    assert.match(ready(h).message ?? "", /^unable to validate store: /);
  });

  it("validate() Unknown: Ready=True ValidationUnknown, Warning, no capabilities", async () => {
    const h = harness(fakeSpec(), {
      provider: scripted({ validate: () => Promise.resolve("Unknown") }),
    });
    const result = await h.reconcile();
    assert.deepEqual(
      { ...ready(h), ltt: undefined },
      {
        status: "True",
        reason: "ValidationUnknown",
        message: "could not determine validation status",
        ltt: undefined,
      },
    );
    assert.equal(h.stored().status?.capabilities, undefined);
    assert.deepEqual(
      h.events().map((e) => `${e.type}/${e.reason}`),
      ["Warning/ValidationUnknown"],
    );
    assert.equal(result.requeueAfter, 5 * 60_000);
  });

  it("maintenance warnings: Deprecated, and none with the ignore annotation", async () => {
    const h1 = harness(fakeSpec(), { provider: scripted({ maintenance: "Deprecated" }) });
    await h1.reconcile();
    assert.deepEqual(
      h1.events().map((e) => e.reason),
      ["StoreDeprecated", "Valid"],
    );
    const h2 = harness(fakeSpec(), {
      provider: scripted({ maintenance: "NotMaintained" }),
      annotations: { "external-secrets.io/ignore-maintenance-checks": "true" },
    });
    await h2.reconcile();
    assert.deepEqual(
      h2.events().map((e) => e.reason),
      ["Valid"],
    );
  });

  it("lastTransitionTime changes only when the status flips", async () => {
    let answer: ValidationResult = "Ready";
    const h = harness(fakeSpec(), {
      provider: scripted({ validate: () => Promise.resolve(answer) }),
    });
    await h.reconcile();
    const first = ready(h).ltt;
    h.t.time += 60_000;
    answer = "Unknown"; // still True, other reason
    await h.reconcile();
    assert.equal(ready(h).reason, "ValidationUnknown");
    assert.equal(ready(h).ltt, first);
    h.t.time += 60_000;
    answer = "Error";
    await assert.rejects(h.reconcile());
    assert.equal(ready(h).status, "False");
    assert.equal(ready(h).ltt, "2026-01-01T00:02:00Z");
    h.t.time += 60_000;
    answer = "Ready";
    await h.reconcile();
    assert.equal(ready(h).ltt, "2026-01-01T00:03:00Z");
    // Back to Valid: the Valid event again.
    assert.equal(h.events().filter((e) => e.reason === "Valid").length, 2);
  });

  it("keeps other condition types and capabilities on failure", async () => {
    let fail = false;
    const h = harness(fakeSpec(), {
      provider: scripted({
        capabilities: "ReadWrite",
        validate: () => (fail ? Promise.reject(new Error("down")) : Promise.resolve("Ready")),
      }),
    });
    await h.reconcile();
    fail = true;
    await assert.rejects(h.reconcile());
    assert.equal(h.stored().status?.capabilities, "ReadWrite");
  });

  it("requeues after spec.refreshInterval with ±10 % jitter", async () => {
    const h = harness({ ...fakeSpec(), refreshInterval: "1m" }, { provider: scripted() });
    assert.equal((await h.reconcile()).requeueAfter, 60_000);
    const low = testDeps().deps;
    const lowH = harness({ ...fakeSpec(), refreshInterval: 100 }, { provider: scripted() });
    (lowH.t.deps as { random: () => number }).random = () => 0;
    assert.equal((await lowH.reconcile()).requeueAfter, 90_000);
    (lowH.t.deps as { random: () => number }).random = () => 0.999999;
    assert.equal((await lowH.reconcile()).requeueAfter, 110_000);
    assert.equal(low.storeRequeueIntervalMs, 300_000);
  });

  it("ClusterSecretStore: client for namespace '', status at the cluster path", async () => {
    const provider = scripted();
    const h = harness(fakeSpec(), { provider, kind: CLUSTER_SECRET_STORE });
    await h.reconcile();
    assert.deepEqual(provider.namespaces, [""]);
    assert.equal(ready(h).reason, "Valid");
    assert.equal(h.t.server.writes()[0]?.path, `${h.path}/status`);
    const text = await h.metrics.metrics();
    assert.ok(
      text.includes(
        'clustersecretstore_status_condition{name="store",condition="Ready",status="True"} 1',
      ),
    );
    const ssProvider = scripted();
    await harness(fakeSpec(), { provider: ssProvider }).reconcile();
    assert.deepEqual(ssProvider.namespaces, ["ns"]);
  });

  it("a store gone from the cache is a no-op", async () => {
    const h = harness(fakeSpec(), { provider: scripted() });
    h.cache.delete("ns", "store");
    assert.deepEqual(await h.reconciler.reconcile(ctx, { namespace: "ns", name: "store" }), {});
    assert.equal(h.t.server.requests.length, 0);
  });

  it("a store deleted before the status write is not an error", async () => {
    const h = harness(fakeSpec(), { provider: scripted() });
    h.t.server.objects.delete(h.path);
    const result = await h.reconciler.reconcile(ctx, { namespace: "ns", name: "store" });
    assert.equal(result.requeueAfter, 300_000);
  });
});

describe("refreshIntervalMs", () => {
  const d = 300_000;
  const cases: [unknown, number][] = [
    [undefined, d],
    [0, d],
    ["", d],
    ["0", d],
    ["0s", d],
    [30, 30_000],
    ["45", 45_000],
    ["1m", 60_000],
    ["1h0m0s", 3_600_000],
    ["1.5s", 1500],
    ["-5s", d],
    [-3, d],
    ["soon", d],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${want}`, () => {
      assert.equal(refreshIntervalMs(input, d), want);
    });
  }
});
