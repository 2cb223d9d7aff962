// provider.webhook end to end: `ferry controller` in-process (registry with
// the webhook and fake providers) against the real apiserver, and a webhook
// API double on 127.0.0.1 (HTTP, plus HTTPS with a throw-away CA). Stores
// take headers from a labelled Secret, an unlabelled one is refused,
// jsonPath selects values, URLs are built from templates, a 500 keeps the
// existing Secret (Warning Event + condition) until the endpoint recovers,
// and the SecretStore / ClusterSecretStore namespace rules hold.
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { FakeSecretsProvider } from "../../../../src/providers/fake/index.ts";
import { ProviderRegistry } from "../../../../src/providers/registry.ts";
import { newWebhookProvider } from "../../../../src/providers/webhook/index.ts";
import {
  json,
  makeTestPki,
  TestWebhookServer,
  type SeenRequest,
} from "../../../../src/providers/webhook/testing/server.ts";
import { CORE, type KubeObject } from "../../../../src/runtime/index.ts";
import { eventually, uniqueName } from "../../framework/env.ts";
import {
  ESO,
  eventsFor,
  installCrds,
  startTestController,
  type TestController,
} from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  getSecret,
  Namespaces,
  readyOf,
  sameData,
  sleep,
  waitReady,
  waitSecret,
  waitStoreReady,
  getEs,
} from "../../controllers/es-helpers.ts";

const TOKEN = "e2e-token-7f3a9c";
/** Other suites run controllers on the same apiserver: this class keeps our stores to ours. */
const CLASS = uniqueName("webhook-e2e");
const LEAK = "hunter2-in-error-body";

/** What the remote API holds: key → JSON document. */
const remote = new Map<string, unknown>();
/** Keys whose reads answer 500 (with a body that must never reach Kubernetes). */
const failing = new Set<string>();

const http = new TestWebhookServer();
const https = new TestWebhookServer();
const namespaces = new Namespaces();
let ctl: TestController;
let ns = "";
let otherNs = "";
const clusterStores: string[] = [];

/** GET /api/<prefix>/<key>: Bearer auth, then the document, 404 or a failure. */
function api(req: SeenRequest, res: ServerResponse): void {
  const url = new URL(req.url, "http://x");
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    json(res, 401, { error: "unauthorized" });
    return;
  }
  const key = decodeURIComponent(url.pathname.split("/").slice(3).join("/").replaceAll("+", " "));
  if (failing.has(key)) {
    json(res, 500, { error: LEAK });
    return;
  }
  const doc = remote.get(key);
  if (doc === undefined) json(res, 404, { error: "not found" });
  else json(res, 200, doc);
}

const requestsTo = (server: TestWebhookServer, prefix: string): SeenRequest[] =>
  server.requests.filter((r) => r.url.startsWith(prefix));

async function createSecret(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): Promise<void> {
  await ctl.client.create(
    CORE.secrets,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace, labels },
      stringData: data,
    } as KubeObject,
    { namespace },
  );
}

function webhookStore(
  kind: "SecretStore" | "ClusterSecretStore",
  name: string,
  namespace: string | undefined,
  webhook: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { controller: CLASS, provider: { webhook } },
  } as KubeObject;
}

async function createStore(name: string, webhook: Record<string, unknown>): Promise<void> {
  await ctl.client.create(ESO.secretStores, webhookStore("SecretStore", name, ns, webhook), {
    namespace: ns,
  });
}

/** A store reading /api/<prefix>/<key> with the Bearer token of Secret `tokenSecret`. */
function apiStore(prefix: string, tokenSecret: string, extra: Record<string, unknown> = {}) {
  return {
    url: `${http.origin}/api/${prefix}/{{ .remoteRef.key }}`,
    headers: { Authorization: "Bearer {{ .auth.token }}" },
    secrets: [{ name: "auth", secretRef: { name: tokenSecret } }],
    timeout: "5s",
    ...extra,
  };
}

before(async () => {
  await installCrds();
  await http.start();
  const pki = makeTestPki();
  await https.start(pki);
  http.handler = api;
  https.handler = api;
  ns = (await namespaces.create("webhook-e2e")).name;
  otherNs = (await namespaces.create("webhook-e2e-other")).name;
  const registry = new ProviderRegistry([newWebhookProvider(), new FakeSecretsProvider()]);
  ctl = await startTestController(
    { storeRequeueIntervalMs: 2000, controllerClass: CLASS },
    { registry },
  );

  await createSecret(ns, "api-token", { token: TOKEN }, { "external-secrets.io/type": "webhook" });
  await createSecret(ns, "plain-token", { token: TOKEN });
  await createSecret(ns, "webhook-ca", { "ca.crt": pki.caPem });

  await createStore(
    "by-property",
    apiStore("prop", "api-token", { result: { jsonPath: "$.data.{{ .remoteRef.property }}" } }),
  );
  await createStore("whole", apiStore("whole", "api-token", { result: { jsonPath: "$.data" } }));
  await createStore("unlabelled", apiStore("unlabelled", "plain-token"));
  await createStore("tls", {
    ...apiStore("tls", "api-token", { result: { jsonPath: "$.value" } }),
    url: `${https.origin}/api/tls/{{ .remoteRef.key }}`,
    caProvider: { type: "Secret", name: "webhook-ca", key: "ca.crt" },
  });
  for (const name of ["by-property", "whole", "unlabelled", "tls"])
    await waitStoreReady(ctl.client, ns, name);
});

after(async () => {
  await ctl.stop();
  for (const name of clusterStores) {
    await ctl.client.delete(ESO.clusterSecretStores, name).catch(() => undefined);
  }
  await namespaces.removeAll();
  await http.close();
  await https.close();
});

const es = (store: string, spec: Record<string, unknown>, kind = "SecretStore") => ({
  refreshInterval: "1h",
  secretStoreRef: { name: store, kind },
  ...spec,
});

describe("provider.webhook through the ExternalSecret controller", () => {
  it("headers from a labelled Secret, jsonPath results and template-built URLs", async () => {
    remote.set("db/main", { data: { password: "p@ss-1", port: 5432, ratio: 0.5, tls: true } });
    remote.set("app config", { data: { user: "app", nested: { level: 2 } } });
    await createEs(
      ctl.client,
      ns,
      "by-path",
      es("by-property", {
        target: { name: "by-path" },
        data: [
          { secretKey: "password", remoteRef: { key: "db/main", property: "password" } },
          { secretKey: "port", remoteRef: { key: "db/main", property: "port" } },
          { secretKey: "tls", remoteRef: { key: "db/main", property: "tls" } },
          { secretKey: "ratio", remoteRef: { key: "db/main", property: "ratio" } },
        ],
      }),
    );
    await createEs(
      ctl.client,
      ns,
      "extracted",
      es("whole", {
        target: { name: "extracted" },
        dataFrom: [{ extract: { key: "app config" } }],
        data: [{ secretKey: "whole-json", remoteRef: { key: "db/main" } }],
      }),
    );
    const byPath = await waitSecret(ctl.client, ns, "by-path");
    assert.deepEqual(decode(byPath), { password: "p@ss-1", port: "5432", tls: "true", ratio: "0" });
    const extracted = await waitSecret(ctl.client, ns, "extracted");
    assert.deepEqual(decode(extracted), {
      user: "app",
      nested: '{"level":2}',
      "whole-json": '{"password":"p@ss-1","port":5432,"ratio":0.5,"tls":true}',
    });
    // the key was query-escaped into the URL; the token came from the labelled Secret
    const seen = requestsTo(http, "/api/");
    assert.ok(seen.some((r) => r.url === "/api/prop/db%2Fmain"));
    assert.ok(seen.some((r) => r.url === "/api/whole/app+config"));
    assert.ok(
      seen.every(
        (r) => r.headers.authorization === `Bearer ${TOKEN}` || r.url.startsWith("/api/unlabelled"),
      ),
    );
  });

  it("a Secret without the label external-secrets.io/type: webhook is refused", async () => {
    remote.set("k1", { v: "never-read" });
    await createEs(
      ctl.client,
      ns,
      "unlabelled",
      es("unlabelled", {
        target: { name: "unlabelled" },
        data: [{ secretKey: "v", remoteRef: { key: "k1" } }],
      }),
    );
    const failed = await waitReady(ctl.client, ns, "unlabelled", {
      status: "False",
      reason: "SecretSyncedError",
    });
    const message = readyOf(failed)?.message ?? "";
    assert.match(message, /does not carry the label 'external-secrets\.io\/type: webhook'/);
    assert.doesNotMatch(message, new RegExp(TOKEN));
    await eventually("a Warning event about the label", async () => {
      const events = await eventsFor(ctl.client, ns, "ExternalSecret", "unlabelled");
      return events.some(
        (e) => e.type === "Warning" && (e.message ?? "").includes("external-secrets.io/type"),
      );
    });
    assert.equal(await getSecret(ctl.client, ns, "unlabelled"), undefined);
    assert.equal(
      requestsTo(http, "/api/unlabelled").length,
      0,
      "nothing was sent with the unlabelled token",
    );
  });

  it("a 500 keeps the existing Secret (Warning Event, condition) and the next success updates it", async () => {
    remote.set("rotating", { data: { value: "v1" } });
    await createEs(ctl.client, ns, "rotating", {
      ...es("by-property", {
        target: { name: "rotating" },
        data: [{ secretKey: "value", remoteRef: { key: "rotating", property: "value" } }],
      }),
      refreshInterval: "1s",
    });
    await waitSecret(ctl.client, ns, "rotating", (s) => sameData(s, { value: "v1" }));
    failing.add("rotating");
    const failed = await waitReady(ctl.client, ns, "rotating", {
      status: "False",
      reason: "SecretSyncedError",
    });
    const message = readyOf(failed)?.message ?? "";
    assert.match(message, /gave error 500 Internal Server Error/);
    assert.doesNotMatch(message, new RegExp(`${LEAK}|${TOKEN}`));
    await eventually("a Warning UpdateFailed event", async () => {
      const events = await eventsFor(ctl.client, ns, "ExternalSecret", "rotating");
      return events.some(
        (e) =>
          e.type === "Warning" && e.reason === "UpdateFailed" && (e.message ?? "").includes("500"),
      );
    });
    // several failed refreshes later the Secret is still there, unchanged
    await sleep(2500);
    const kept = await getSecret(ctl.client, ns, "rotating");
    assert.ok(
      kept !== undefined && sameData(kept, { value: "v1" }),
      "the Secret was kept as it was",
    );
    const events = await eventsFor(ctl.client, ns, "ExternalSecret", "rotating");
    assert.ok(events.every((e) => !(e.message ?? "").includes(LEAK)));

    remote.set("rotating", { data: { value: "v2" } });
    failing.delete("rotating");
    await waitSecret(ctl.client, ns, "rotating", (s) => sameData(s, { value: "v2" }));
    await waitReady(ctl.client, ns, "rotating", { status: "True" });
  });

  it("a missing remote key (404) is 'Secret does not exist' and keeps the Secret under Retain", async () => {
    remote.set("vanishing", { data: { value: "here" } });
    await createEs(ctl.client, ns, "vanishing", {
      ...es("by-property", {
        target: { name: "vanishing" },
        data: [{ secretKey: "value", remoteRef: { key: "vanishing", property: "value" } }],
      }),
      refreshInterval: "1s",
    });
    await waitSecret(ctl.client, ns, "vanishing", (s) => sameData(s, { value: "here" }));
    remote.delete("vanishing");
    const failed = await waitReady(ctl.client, ns, "vanishing", { status: "False" });
    assert.match(readyOf(failed)?.message ?? "", /Secret does not exist/);
    const kept = await getSecret(ctl.client, ns, "vanishing");
    assert.ok(kept !== undefined && sameData(kept, { value: "here" }));
  });

  it("HTTPS with the CA from caProvider", async () => {
    remote.set("over-tls", { value: "secure-value" });
    await createEs(
      ctl.client,
      ns,
      "tls",
      es("tls", {
        target: { name: "tls" },
        data: [{ secretKey: "v", remoteRef: { key: "over-tls" } }],
      }),
    );
    const secret = await waitSecret(ctl.client, ns, "tls");
    assert.deepEqual(decode(secret), { v: "secure-value" });
    assert.ok(requestsTo(https, "/api/tls/over-tls").length > 0);
  });

  it("namespace rules: a SecretStore may not name another namespace; a ClusterSecretStore must name one", async () => {
    await createStore(
      "foreign",
      apiStore("foreign", "api-token", {
        secrets: [{ name: "auth", secretRef: { name: "api-token", namespace: otherNs } }],
      }),
    );
    await waitStoreReady(ctl.client, ns, "foreign", "False");
    const store = await ctl.client.get<
      KubeObject & { status?: { conditions?: { message?: string }[] } }
    >(ESO.secretStores, "foreign", { namespace: ns });
    assert.match(
      store.status?.conditions?.[0]?.message ?? "",
      /namespace should either be empty or match/,
    );

    type CssView = KubeObject & {
      status?: { conditions?: { type: string; status: string; message?: string }[] };
    };
    const cssReady = async (name: string, status: string): Promise<CssView> => {
      let seen: CssView | undefined;
      await eventually(`ClusterSecretStore ${name} Ready=${status}`, async () => {
        seen = await ctl.client.get<CssView>(ESO.clusterSecretStores, name);
        return (
          seen.status?.conditions?.some((c) => c.type === "Ready" && c.status === status) === true
        );
      });
      return seen!;
    };
    const createCss = async (name: string, secretRef: Record<string, unknown>): Promise<void> => {
      clusterStores.push(name);
      await ctl.client.create(
        ESO.clusterSecretStores,
        webhookStore("ClusterSecretStore", name, undefined, {
          ...apiStore("css", "api-token", {
            result: { jsonPath: "$.data.{{ .remoteRef.property }}" },
          }),
          secrets: [{ name: "auth", secretRef }],
        }),
      );
    };

    const noNamespace = uniqueName("webhook-css-nons");
    await createCss(noNamespace, { name: "api-token" });
    const refused = await cssReady(noNamespace, "False");
    assert.match(
      refused.status?.conditions?.[0]?.message ?? "",
      /no namespace on ClusterScoped webhook secret api-token/,
    );

    const cssName = uniqueName("webhook-css");
    await createCss(cssName, { name: "api-token", namespace: ns });
    await cssReady(cssName, "True");
    remote.set("shared", { data: { value: "from-css" } });
    await createEs(
      ctl.client,
      otherNs,
      "from-css",
      es(
        cssName,
        {
          target: { name: "from-css" },
          data: [{ secretKey: "value", remoteRef: { key: "shared", property: "value" } }],
        },
        "ClusterSecretStore",
      ),
    );
    const secret = await waitSecret(ctl.client, otherNs, "from-css");
    assert.deepEqual(decode(secret), { value: "from-css" });
    const view = await getEs(ctl.client, otherNs, "from-css");
    assert.equal(readyOf(view)?.status, "True");
  });
});
