// The generic-target reconcile against an in-memory apiserver: the flag,
// refused kinds, kind discovery, RBAC refusals turned into clear
// conditions, writes only on change, a provider failure that leaves the
// target alone, drift events mapped to ExternalSecrets, and deletion.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { afterEach, describe, it } from "node:test";
import { ExternalSecretReason, LABEL_MANAGED } from "../../api/index.ts";
import {
  KubeApiError,
  KubeClient,
  type HttpRequest,
  type HttpResponse,
  type KubeObject,
  type Result,
  type Transport,
} from "../../runtime/index.ts";
import { FakeApiServer } from "../common/fake-apiserver.ts";
import { viewOf, type ExternalSecretObject } from "./es-view.ts";
import type { SecretMap } from "./fetch.ts";
import { GenericTargets, type SyncHost } from "./generic-sync.ts";
import { describeTargetError } from "./generic-writer.ts";
import type { WriteOutcome } from "./writer.ts";

const CM_PATH = "/api/v1/namespaces/ns/configmaps/app";

const DISCOVERY: Record<string, unknown> = {
  "/api/v1/": {
    resources: [
      { name: "configmaps", namespaced: true, kind: "ConfigMap" },
      { name: "namespaces", namespaced: false, kind: "Namespace" },
    ],
  },
};

/** The fake apiserver, plus discovery, collection lists and watches that stay open until aborted. */
class TestTransport implements Transport {
  readonly api = new FakeApiServer();
  readonly forbidden = new Set<string>();

  request(req: HttpRequest): Promise<HttpResponse> {
    const verb = req.query?.get("watch") === "true" ? "watch" : req.method;
    if (this.forbidden.has(`${verb} ${req.path}`)) return this.#answer(403, forbiddenStatus());
    const discovery = DISCOVERY[req.path];
    if (discovery !== undefined) return this.#answer(200, discovery);
    if (verb === "watch") return Promise.resolve(openWatch(req.signal));
    if (req.method === "GET" && req.path.endsWith("/configmaps")) {
      const items = [...this.api.objects.entries()]
        .filter(([path]) => path.includes("/configmaps/"))
        .map(([, obj]) => obj);
      return this.#answer(200, { metadata: { resourceVersion: "1" }, items });
    }
    return this.api.request(req);
  }

  close(): void {
    // nothing to release
  }

  #answer(status: number, body: unknown): Promise<HttpResponse> {
    return Promise.resolve({
      status,
      headers: {},
      body: Readable.from([Buffer.from(JSON.stringify(body))]),
    });
  }
}

function forbiddenStatus(): unknown {
  return { kind: "Status", code: 403, reason: "Forbidden", message: "forbidden" };
}

function openWatch(signal: AbortSignal | undefined): HttpResponse {
  const body = new Readable({ read: () => undefined });
  signal?.addEventListener("abort", () => body.destroy(), { once: true });
  return { status: 200, headers: {}, body };
}

interface Recorded {
  failures: { message: string; terminal: boolean }[];
  events: string[];
  outcomes: WriteOutcome[];
  fetches: number;
}

function host(data: () => SecretMap, rec: Recorded): SyncHost {
  return {
    lastRefresh: undefined,
    now: () => Date.now(),
    fetch: () => {
      rec.fetches++;
      return Promise.resolve(data());
    },
    failed: (message, _cause, terminal) => {
      rec.failures.push({ message, terminal });
      return Promise.resolve(new Error(message));
    },
    succeeded: (_at, outcome): Promise<Result> => {
      rec.outcomes.push(outcome);
      return Promise.resolve({});
    },
    requeue: () => ({ requeueAfter: 1000 }),
    refreshed: () => undefined,
    emit: (type, reason, message) => rec.events.push(`${type} ${reason} ${message}`),
    syncSecret: () => Promise.reject(new Error("not a generic target")),
  };
}

function es(
  manifest: { apiVersion: string; kind: string },
  extra: object = {},
): ExternalSecretObject {
  return {
    metadata: { name: "my-es", namespace: "ns", uid: "uid-1", generation: 1 },
    spec: {
      target: { name: "app", manifest, deletionPolicy: "Delete", ...extra },
      data: [{ secretKey: "user", remoteRef: { key: "k" } }],
    },
  };
}

const CM = { apiVersion: "v1", kind: "ConfigMap" };
const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

const open: GenericTargets[] = [];
function setup(allow = true): { t: TestTransport; generic: GenericTargets; rec: Recorded } {
  const t = new TestTransport();
  const generic = new GenericTargets({
    client: new KubeClient(t),
    kube: {
      getSecret: () => Promise.resolve(undefined),
      getConfigMap: () => Promise.resolve(undefined),
      getServiceAccount: () => Promise.resolve(undefined),
      createServiceAccountToken: () => Promise.reject(new Error("no")),
    },
    delimiters: { leftDelim: "{{", rightDelim: "}}" },
    allow,
    namespace: "",
  });
  open.push(generic);
  return { t, generic, rec: { failures: [], events: [], outcomes: [], fetches: 0 } };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

describe("generic targets: refusals", () => {
  it("without --unsafe-allow-generic-targets: terminal condition, nothing read or written", async () => {
    const { t, generic, rec } = setup(false);
    await assert.rejects(
      generic.sync(
        viewOf(es(CM)),
        host(() => new Map(), rec),
      ),
    );
    assert.equal(rec.failures.length, 1);
    assert.match(
      rec.failures[0]?.message ?? "",
      /needs the controller flag --unsafe-allow-generic-targets; nothing was written/,
    );
    assert.equal(rec.failures[0]?.terminal, true);
    assert.equal(rec.fetches, 0);
    assert.equal(t.api.requests.length, 0);
  });

  it("refuses External Secrets kinds and cluster-scoped kinds", async () => {
    const { generic, rec } = setup();
    await assert.rejects(
      generic.sync(
        viewOf(es({ apiVersion: "external-secrets.io/v1", kind: "SecretStore" })),
        host(() => new Map(), rec),
      ),
    );
    await assert.rejects(
      generic.sync(
        viewOf(es({ apiVersion: "v1", kind: "Namespace" })),
        host(() => new Map(), rec),
      ),
    );
    assert.match(
      rec.failures[0]?.message ?? "",
      /may not write ExternalSecrets, stores or generators/,
    );
    assert.match(rec.failures[1]?.message ?? "", /Namespace \(v1\) is cluster-scoped/);
    assert.deepEqual(
      rec.failures.map((f) => f.terminal),
      [true, true],
    );
  });

  it("a kind the apiserver does not serve is retried, with a hint", async () => {
    const { generic, rec } = setup();
    await assert.rejects(
      generic.sync(
        viewOf(es({ apiVersion: "example.ferry.dev/v1", kind: "Widget" })),
        host(() => new Map(), rec),
      ),
    );
    assert.match(
      rec.failures[0]?.message ?? "",
      /serves no kind Widget in example\.ferry\.dev\/v1.*is the CRD installed/,
    );
    assert.equal(rec.failures[0]?.terminal, false);
  });

  it("an RBAC refusal of the drift watch names the missing permission", async () => {
    const { t, generic, rec } = setup();
    t.forbidden.add("GET /api/v1/configmaps");
    await assert.rejects(
      generic.sync(
        viewOf(es(CM)),
        host(() => new Map(), rec),
      ),
    );
    assert.match(
      rec.failures[0]?.message ?? "",
      /^the controller may not list configmaps in all namespaces \(HTTP 403\): grant its ServiceAccount get, list, watch, create, update and delete on configmaps/,
    );
    assert.deepEqual(generic.watchedKinds(), []);
    t.forbidden.clear();
    t.forbidden.add("watch /api/v1/configmaps");
    await assert.rejects(
      generic.sync(
        viewOf(es(CM)),
        host(() => new Map(), rec),
      ),
    );
    assert.match(rec.failures[1]?.message ?? "", /may not watch configmaps/);
  });

  it("an RBAC refusal of the read names the permission too", async () => {
    const { t, generic, rec } = setup();
    t.forbidden.add(`GET ${CM_PATH}`);
    await assert.rejects(
      generic.sync(
        viewOf(es(CM)),
        host(() => new Map(), rec),
      ),
    );
    assert.match(
      rec.failures[0]?.message ?? "",
      /may not get configmaps in namespace "ns" \(HTTP 403\)/,
    );
  });
});

describe("generic targets: sync", () => {
  it("creates, then writes nothing when nothing changed, and repairs an edit", async () => {
    const { t, generic, rec } = setup();
    const data = (): SecretMap => new Map([["user", enc("admin")]]);
    await generic.sync(viewOf(es(CM)), host(data, rec));
    const created = t.api.get(CM_PATH) as KubeObject & { data?: Record<string, string> };
    assert.deepEqual(created.data, { user: "admin" });
    assert.equal(created.metadata?.labels?.[LABEL_MANAGED], "true");
    assert.deepEqual(rec.events, ["Normal Created Created ConfigMap app"]);
    assert.equal(rec.outcomes[0]?.ready.reason, ExternalSecretReason.ResourceSynced);
    assert.deepEqual(generic.watchedKinds(), ["v1|ConfigMap"]);

    // A new sync (refresh due: no status yet) with the same data writes nothing.
    const writes = t.api.writes().length;
    await generic.sync(viewOf(es(CM)), host(data, rec));
    assert.equal(
      t.api.writes().length,
      writes,
      "a forced refresh with the same data writes nothing",
    );

    // Someone edits the ConfigMap: the next sync puts the data back.
    t.api.put(CM_PATH, { ...created, data: { user: "edited" } });
    await generic.sync(viewOf(es(CM)), host(data, rec));
    assert.deepEqual((t.api.get(CM_PATH) as { data?: unknown }).data, { user: "admin" });
    assert.equal(rec.events.at(-1), "Normal Updated Updated ConfigMap app");
  });

  it("a provider failure or a failed template leaves the target as it is", async () => {
    const { t, generic, rec } = setup();
    await generic.sync(
      viewOf(es(CM)),
      host(() => new Map([["user", enc("admin")]]), rec),
    );
    const before = JSON.stringify(t.api.get(CM_PATH));
    const failing = host(() => new Map(), rec);
    failing.fetch = () => Promise.reject(new Error("provider down"));
    await assert.rejects(generic.sync(viewOf(es(CM, { creationPolicy: "Owner" })), failing));
    const badTemplate = es(CM, { template: { data: { k: "{{ .missing }}" } } });
    await assert.rejects(
      generic.sync(
        viewOf(badTemplate),
        host(() => new Map([["user", enc("admin")]]), rec),
      ),
    );
    assert.match(rec.failures.at(-1)?.message ?? "", /could not apply template/);
    assert.equal(JSON.stringify(t.api.get(CM_PATH)), before);
  });

  it("deletionPolicy Delete: no data deletes the owned target; so does finalize", async () => {
    const { t, generic, rec } = setup();
    await generic.sync(
      viewOf(es(CM)),
      host(() => new Map([["user", enc("admin")]]), rec),
    );
    await generic.sync(
      viewOf(es(CM)),
      host(() => new Map(), rec),
    );
    assert.equal(t.api.get(CM_PATH), undefined);
    assert.equal(rec.outcomes.at(-1)?.ready.reason, ExternalSecretReason.ResourceDeleted);
    await generic.sync(
      viewOf(es(CM)),
      host(() => new Map([["user", enc("admin")]]), rec),
    );
    await generic.finalize(viewOf(es(CM)), (type, reason, message) =>
      rec.events.push(`${type} ${reason} ${message}`),
    );
    assert.equal(t.api.get(CM_PATH), undefined);
    assert.equal(rec.events.at(-1), "Normal Deleted Deleted ConfigMap app");
    assert.deepEqual(generic.watchedKinds(), [], "the last user released the drift informer");
  });

  it("never deletes a target it does not control", async () => {
    const { t, generic, rec } = setup();
    t.api.put(CM_PATH, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app", namespace: "ns" },
      data: { a: "b" },
    });
    await generic.finalize(viewOf(es(CM)), (type, reason, message) =>
      rec.events.push(`${type} ${reason} ${message}`),
    );
    assert.ok(t.api.get(CM_PATH) !== undefined);
  });
});

describe("describeTargetError", () => {
  const target = {
    es: viewOf(es({ apiVersion: "example.ferry.dev/v1", kind: "Widget" })),
    kind: {
      apiVersion: "example.ferry.dev/v1",
      group: "example.ferry.dev",
      version: "v1",
      kind: "Widget",
    },
    res: { group: "example.ferry.dev", version: "v1", resource: "widgets", namespaced: true },
  };

  it("a validation error names fields, never the apiserver's text (it may quote values)", () => {
    const err = new KubeApiError({
      code: 422,
      method: "PUT",
      path: "/apis/example.ferry.dev/v1/namespaces/ns/widgets/app",
      status: {
        kind: "Status",
        code: 422,
        reason: "Invalid",
        message:
          'Widget.example.ferry.dev "app" is invalid: spec.port: Invalid value: "hunter2": must be an integer',
        details: {
          causes: [
            {
              field: "spec.port",
              reason: "FieldValueTypeInvalid",
              message: 'Invalid value: "hunter2"',
            },
          ],
        },
      },
    });
    const described = describeTargetError("update", target, "app", err);
    assert.match(
      described.message,
      /the apiserver rejected Widget "app" \(invalid spec\.port \(FieldValueTypeInvalid\)\)/,
    );
    assert.ok(!described.message.includes("hunter2"));
  });

  it("a 403 says which permission is missing", () => {
    const err = new KubeApiError({ code: 403, method: "POST", path: "/x" });
    assert.match(
      describeTargetError("create", target, "app", err).message,
      /may not create widgets\.example\.ferry\.dev in namespace "ns"/,
    );
  });
});
