// provider.webhook against a webhook API double on 127.0.0.1 (node:http):
// templated URL/headers/body, secrets[] with the webhook label, jsonPath
// results, status mapping, slow, failing, non-JSON and huge responses,
// redirects, coalescing, push/delete/exists, validation and NTLM.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import {
  NoSecretError,
  NotSupportedError,
  ProviderError,
  StoreValidationError,
} from "../errors.ts";
import type { Ctx, SecretsClient } from "../provider.ts";
import { newWebhookProvider, type WebhookSecretsProvider } from "./index.ts";
import { json, TestWebhookServer, type SeenRequest } from "./testing/server.ts";

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};

const NS = "team-a";
const LABEL = { "external-secrets.io/type": "webhook" };

function secretObject(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = LABEL,
): SecretObject {
  return {
    namespace,
    name,
    labels,
    annotations: {},
    data: new Map(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))])),
  };
}

/** In-memory KubeAccess; records which Secrets were read. */
class FakeKube implements KubeAccess {
  readonly secrets = new Map<string, SecretObject>();
  readonly configMaps = new Map<string, Map<string, string>>();
  readonly reads: string[] = [];

  put(s: SecretObject): void {
    this.secrets.set(`${s.namespace}/${s.name}`, s);
  }

  getSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
    this.reads.push(`${namespace}/${name}`);
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }

  getConfigMap(namespace: string, name: string) {
    const data = this.configMaps.get(`${namespace}/${name}`);
    return Promise.resolve(data === undefined ? undefined : { namespace, name, data });
  }

  getServiceAccount(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  createServiceAccountToken(): Promise<never> {
    return Promise.reject(new Error("not used"));
  }
}

const kube = new FakeKube();
kube.put(
  secretObject(NS, "creds", { username: "ferry", password: "hunter2-pass", token: "tok-123456" }),
);
kube.put(secretObject(NS, "unlabelled", { token: "tok-unlabelled" }, {}));
kube.put(
  secretObject(NS, "wrong-label", { token: "tok-wrong" }, { "external-secrets.io/type": "other" }),
);
kube.put(secretObject("shared", "creds", { token: "tok-shared" }));

const server = new TestWebhookServer();
let provider: WebhookSecretsProvider = newWebhookProvider();
let base = "";

before(async () => {
  await server.start();
  base = server.origin;
});

after(async () => {
  await server.close();
});

beforeEach(async () => {
  await provider.close();
  provider = newWebhookProvider({ maxResponseBytes: 64 * 1024 });
  server.requests.length = 0;
  server.handler = (req, res) => {
    json(res, 200, { echo: req.url });
  };
});

function store(
  webhook: Record<string, unknown>,
  kind: GenericStore["kind"] = "SecretStore",
): GenericStore {
  return {
    kind,
    metadata: kind === "SecretStore" ? { name: "wh", namespace: NS } : { name: "wh-cluster" },
    spec: { provider: { webhook } } as unknown as GenericStore["spec"],
  };
}

function client(
  webhook: Record<string, unknown>,
  kind: GenericStore["kind"] = "SecretStore",
  namespace = NS,
): Promise<SecretsClient> {
  return provider.newClient(ctx, store(webhook, kind), kube, namespace);
}

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
const last = (): SeenRequest => server.requests.at(-1)!;

describe("reads", () => {
  it("renders url (query-escaped), headers and body (raw) from remoteRef and labelled secrets", async () => {
    server.handler = (_req, res) => {
      res.writeHead(200).end("the-value");
    };
    const c = await client({
      url: `${base}/secrets/{{ .remoteRef.key }}?v={{ .remoteRef.version }}&p={{ .remoteRef.property }}&ns={{ .remoteRef.namespace }}`,
      method: "POST",
      headers: {
        Authorization: 'Basic {{ print .creds.username ":" .creds.password | b64enc }}',
        "X-Key": "{{ .remoteRef.key }}",
      },
      body: '{"key":"{{ .remoteRef.key }}","token":"{{ .creds.token }}"}',
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    const value = await c.getSecret(ctx, { key: "a b/c&d", version: "v 1", property: "p+q" });
    assert.equal(text(value), "the-value");
    const req = last();
    assert.equal(req.method, "POST");
    assert.equal(req.url, "/secrets/a+b%2Fc%26d?v=v+1&p=p%2Bq&ns=team-a");
    assert.equal(
      req.headers.authorization,
      `Basic ${Buffer.from("ferry:hunter2-pass").toString("base64")}`,
    );
    assert.equal(req.headers["x-key"], "a b/c&d");
    assert.equal(req.body, '{"key":"a b/c&d","token":"tok-123456"}');
  });

  it("returns the raw body without jsonPath, and the jsonPath value with it", async () => {
    server.handler = (_req, res) => {
      json(res, 200, {
        data: {
          password: "p@ss",
          port: 5432,
          ratio: 2.5,
          ok: true,
          none: null,
          obj: { b: 1, a: "<" },
        },
        items: [
          { name: "x", value: "vx" },
          { name: "y", value: "vy" },
        ],
      });
    };
    const raw = await client({ url: `${base}/raw` });
    assert.match(text(await raw.getSecret(ctx, { key: "k" })), /^\{"data":/);
    const cases: [string, string][] = [
      ["$.data.password", "p@ss"],
      ["$.data.port", "5432"],
      ["$.data.ratio", "2"],
      ["$.data.ok", "true"],
      ["$.data.none", ""],
      ["$.data.obj", '{"a":"\\u003c","b":1}'],
      ["$.items[*].value", "vx"],
      ['$.items[?(@.name == "y")].value', "vy"],
      ["$.data.{{ .remoteRef.property }}", "p@ss"],
    ];
    for (const [jsonPath, want] of cases) {
      const c = await client({ url: `${base}/json`, result: { jsonPath } });
      assert.equal(
        text(await c.getSecret(ctx, { key: "k", property: "password" })),
        want,
        jsonPath,
      );
    }
  });

  it("extracts a map (dataFrom.extract), also from a string that holds JSON", async () => {
    server.handler = (_req, res) => {
      json(res, 200, {
        data: { user: "u", port: 1.5, nested: { x: 1 } },
        blob: '{"k":"v"}',
        list: [1],
      });
    };
    const whole = await client({ url: `${base}/map`, result: { jsonPath: "$.data" } });
    const map = await whole.getSecretMap(ctx, { key: "k" });
    assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, text(v)])), {
      user: "u",
      port: "1.5",
      nested: '{"x":1}',
    });
    const blob = await client({ url: `${base}/map`, result: { jsonPath: "$.blob" } });
    assert.equal(text((await blob.getSecretMap(ctx, { key: "k" })).get("k")!), "v");
    const list = await client({ url: `${base}/map`, result: { jsonPath: "$.list" } });
    await assert.rejects(list.getSecretMap(ctx, { key: "k" }), /wrong type: \[\]interface \{\}/);
    const root = await client({ url: `${base}/map` });
    assert.deepEqual([...(await root.getSecretMap(ctx, { key: "k" })).keys()].sort(), [
      "blob",
      "data",
      "list",
    ]);
  });

  it("a jsonPath that does not match names the path, not the data", async () => {
    server.handler = (_req, res) => {
      json(res, 200, { data: { password: "hunter2-value" } });
    };
    const c = await client({ url: `${base}/x`, result: { jsonPath: "$.data.missing" } });
    await assert.rejects(
      c.getSecret(ctx, { key: "k" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "PropertyNotFound" &&
        err.message === "failed to get response path $.data.missing: unknown key missing",
    );
  });

  it("user info in the URL becomes basic auth and leaves the URL", async () => {
    server.handler = (req, res) => {
      res.writeHead(200).end(req.headers.authorization ?? "none");
    };
    const url = `http://{{ .creds.username }}:{{ .creds.password }}@${base.slice("http://".length)}/ui`;
    const c = await client({ url, secrets: [{ name: "creds", secretRef: { name: "creds" } }] });
    assert.equal(
      text(await c.getSecret(ctx, { key: "k" })),
      `Basic ${Buffer.from("ferry:hunter2-pass").toString("base64")}`,
    );
    assert.equal(last().url, "/ui");
  });

  it("getAllSecrets is not supported", async () => {
    const c = await client({ url: `${base}/x` });
    await assert.rejects(c.getAllSecrets(ctx, { name: { regexp: ".*" } }), NotSupportedError);
  });
});

describe("responses", () => {
  it("404 is NoSecretError; 304 is 'not modified'", async () => {
    server.handler = (req, res) => {
      res.writeHead(req.url === "/gone" ? 404 : 304).end();
    };
    await assert.rejects(
      (await client({ url: `${base}/gone` })).getSecret(ctx, { key: "k" }),
      NoSecretError,
    );
    await assert.rejects(
      (await client({ url: `${base}/same` })).getSecret(ctx, { key: "k" }),
      /not modified/,
    );
  });

  it("maps failed statuses to codes and never echoes the body", async () => {
    const cases: [number, string][] = [
      [500, "ProviderError"],
      [401, "AuthFailed"],
      [403, "AuthFailed"],
      [429, "RateLimited"],
      [503, "Unavailable"],
    ];
    for (const [status, code] of cases) {
      server.handler = (_req, res) => {
        res.writeHead(status, "Custom hunter2 reason").end('{"error":"hunter2 leaked"}');
      };
      const c = await client({
        url: `${base}/fail?token={{ .creds.token }}`,
        secrets: [{ name: "creds", secretRef: { name: "creds" } }],
      });
      await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.code, code);
        assert.match(
          err.message,
          new RegExp(`^endpoint http://127\\.0\\.0\\.1:\\d+ gave error ${status} `),
        );
        assert.doesNotMatch(err.message, /hunter2|tok-123456|fail\?/);
        return true;
      });
    }
  });

  it("a malformed response with a jsonPath is 'response is not valid JSON', without the body", async () => {
    server.handler = (_req, res) => {
      res.writeHead(200).end('{"password": "hunter2-partial');
    };
    const c = await client({ url: `${base}/bad`, result: { jsonPath: "$.password" } });
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.match(err.message, /^response is not valid JSON/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
    await assert.rejects(
      c.getSecretMap(ctx, { key: "k" }),
      /^ProviderError: response is not valid JSON/,
    );
  });

  it("times out slow responses (timeout as a Go duration)", async () => {
    server.handler = async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      if (!res.destroyed) json(res, 200, { late: true });
    };
    const c = await client({ url: `${base}/slow`, timeout: "200ms" });
    const started = Date.now();
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, "Unavailable");
      assert.match(err.message, /timed out after 200ms/);
      return true;
    });
    assert.ok(Date.now() - started < 1400, "the timeout cut the request short");
  });

  it("times out a body that trickles in", async () => {
    server.handler = async (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"a":');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      if (!res.destroyed) res.end("1}");
    };
    const c = await client({ url: `${base}/trickle`, timeout: "300ms" });
    await assert.rejects(c.getSecret(ctx, { key: "k" }), /timed out after 300ms/);
  });

  it("refuses responses larger than the bound, declared or streamed", async () => {
    const big = "x".repeat(100 * 1024);
    server.handler = (req, res) => {
      if (req.url === "/declared") res.writeHead(200, { "content-length": big.length }).end(big);
      else {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(big.slice(0, 10 * 1024));
        res.end();
      }
    };
    for (const path of ["/declared", "/chunked"]) {
      const c = await client({ url: `${base}${path}` });
      await assert.rejects(
        c.getSecret(ctx, { key: "k" }),
        /is larger than 65536 bytes, the most Ferry reads/,
        path,
      );
    }
  });

  it("an unreachable endpoint is Unavailable and names only scheme, host and port", async () => {
    const closed = new TestWebhookServer();
    await closed.start();
    const origin = closed.origin;
    await closed.close();
    const c = await client({
      url: `${origin}/path?token={{ .creds.token }}`,
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, "Unavailable");
      assert.equal(err.message, `failed to call endpoint ${origin}: ECONNREFUSED`);
      return true;
    });
  });

  it("follows redirects; Authorization is kept on the same host", async () => {
    server.handler = (req, res) => {
      if (req.url === "/old") res.writeHead(302, { location: "/new" }).end();
      else if (req.url === "/loop") res.writeHead(307, { location: "/loop" }).end();
      else json(res, 200, { auth: req.headers.authorization ?? "", method: req.method });
    };
    const c = await client({
      url: `${base}/old`,
      method: "POST",
      headers: { Authorization: "Bearer x" },
      result: { jsonPath: "$" },
    });
    assert.equal(text(await c.getSecret(ctx, { key: "k" })), '{"auth":"Bearer x","method":"GET"}');
    const loop = await client({ url: `${base}/loop` });
    await assert.rejects(loop.getSecret(ctx, { key: "k" }), /stopped after 10 redirects/);
  });
});

describe("secrets[]", () => {
  const withSecret = (secretRef: Record<string, unknown>): Record<string, unknown> => ({
    url: `${base}/s`,
    headers: { Authorization: "Bearer {{ .creds.token }}" },
    secrets: [{ name: "creds", secretRef }],
  });

  it("refuses a Secret without the label external-secrets.io/type: webhook", async () => {
    const c = await client(withSecret({ name: "unlabelled" }));
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.match(
        err.message,
        /Secret "team-a\/unlabelled" does not carry the label 'external-secrets\.io\/type: webhook'/,
      );
      assert.doesNotMatch(err.message, /tok-unlabelled/);
      return true;
    });
    const wrong = await client(withSecret({ name: "wrong-label" }));
    await assert.rejects(wrong.getSecret(ctx, { key: "k" }), /with a value other than 'webhook'/);
    assert.equal(server.requests.length, 0, "nothing was sent");
  });

  it("a missing Secret is a clear error", async () => {
    const c = await client(withSecret({ name: "nope" }));
    await assert.rejects(
      c.getSecret(ctx, { key: "k" }),
      /failed to get webhook secret "team-a\/nope": it does not exist/,
    );
  });

  it("SecretStore: its own namespace only", async () => {
    await assert.rejects(
      client(withSecret({ name: "creds", namespace: "shared" })),
      StoreValidationError,
    );
    const own = await client(withSecret({ name: "creds", namespace: NS }));
    await own.getSecret(ctx, { key: "k" });
    assert.equal(last().headers.authorization, "Bearer tok-123456");
  });

  it("ClusterSecretStore: the namespace is required and used", async () => {
    await assert.rejects(
      client(withSecret({ name: "creds" }), "ClusterSecretStore"),
      /no namespace on ClusterScoped webhook secret creds/,
    );
    const c = await client(
      withSecret({ name: "creds", namespace: "shared" }),
      "ClusterSecretStore",
      "other-ns",
    );
    await c.getSecret(ctx, { key: "k" });
    assert.equal(last().headers.authorization, "Bearer tok-shared");
  });

  it("template errors are clear and never carry secret values", async () => {
    const c = await client({
      url: `${base}/s`,
      headers: { "X-Fail": "{{ fail .creds.password }}" },
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.match(err.message, /^failed to parse header X-Fail: template: webhooktemplate/);
      assert.doesNotMatch(err.message, /hunter2-pass/);
      return true;
    });
    const missing = await client({
      url: `${base}/{{ .creds.nokey }}`,
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    await assert.rejects(
      missing.getSecret(ctx, { key: "k" }),
      /failed to parse url: .*map has no entry for key "nokey"/,
    );
  });

  it("header values with line breaks are refused without being echoed", async () => {
    kube.put(secretObject(NS, "crlf", { token: "evil\r\nX-Injected: hunter2" }));
    const c = await client({
      url: `${base}/s`,
      headers: { "X-Token": "{{ .c.token }}" },
      secrets: [{ name: "c", secretRef: { name: "crlf" } }],
    });
    await assert.rejects(c.getSecret(ctx, { key: "k" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.match(err.message, /invalid header field value for "X-Token"/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});

describe("coalescing", () => {
  it("identical concurrent reads share one request; different ones do not", async () => {
    server.handler = async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      json(res, 200, { v: req.url });
    };
    const c = await client({ url: `${base}/c/{{ .remoteRef.key }}`, result: { jsonPath: "$.v" } });
    const other = await client({
      url: `${base}/c/{{ .remoteRef.key }}`,
      result: { jsonPath: "$.v" },
    });
    const reads = await Promise.all([
      ...Array.from({ length: 5 }, () => c.getSecret(ctx, { key: "same" })),
      other.getSecret(ctx, { key: "same" }),
      c.getSecret(ctx, { key: "different" }),
    ]);
    assert.deepEqual(reads.map(text), [...Array<string>(6).fill("/c/same"), "/c/different"]);
    assert.equal(server.requests.length, 2);
    assert.equal(provider.stats.coalescedReads, 5);
    // nothing is kept once the request finished
    await c.getSecret(ctx, { key: "same" });
    assert.equal(server.requests.length, 3);
  });

  it("a caller that gives up does not cancel the others", async () => {
    server.handler = async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      res.writeHead(200).end("v");
    };
    const c = await client({ url: `${base}/abort` });
    const abort = new AbortController();
    const first = c.getSecret({ ...ctx, signal: abort.signal }, { key: "k" });
    const second = c.getSecret(ctx, { key: "k" });
    abort.abort(new Error("reconcile cancelled"));
    await assert.rejects(first, /reconcile cancelled/);
    assert.equal(text(await second), "v");
  });
});

describe("push, delete, exists", () => {
  const source = {
    name: "src",
    namespace: NS,
    labels: {},
    annotations: {},
    data: new Map([
      ["password", new Uint8Array(Buffer.from("pushed-hunter2"))],
      ["user", new Uint8Array(Buffer.from("u<1>"))],
    ]),
  };

  it("pushes the value as the body by default (POST, escaped URL)", async () => {
    server.handler = (_req, res) => {
      res.writeHead(201).end();
    };
    const c = await client({
      url: `${base}/push/{{ .remoteRef.remoteKey }}?s={{ .remoteRef.secretKey }}`,
    });
    await c.pushSecret(ctx, source, { secretKey: "password", remoteKey: "db/pw", property: "" });
    assert.equal(last().method, "POST");
    assert.equal(last().url, "/push/db%2Fpw?s=password");
    assert.equal(last().body, "pushed-hunter2");
  });

  it("renders a body template over remoteRef and the secrets, and pushes whole Secrets as JSON", async () => {
    server.handler = (_req, res) => {
      res.writeHead(200).end();
    };
    const c = await client({
      url: `${base}/push`,
      method: "PUT",
      headers: { Authorization: "Bearer {{ .creds.token }}" },
      body: '{"name":"{{ .remoteRef.remoteKey }}","value":{{ index .remoteRef .remoteRef.remoteKey | toJson }}}',
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    await c.pushSecret(ctx, source, { secretKey: "password", remoteKey: "pw", property: "" });
    assert.equal(last().method, "PUT");
    assert.equal(last().headers.authorization, "Bearer tok-123456");
    assert.equal(last().body, '{"name":"pw","value":"pushed-hunter2"}');
    const whole = await client({ url: `${base}/push` });
    await whole.pushSecret(ctx, source, { secretKey: "", remoteKey: "all", property: "" });
    assert.equal(last().body, '{"password":"pushed-hunter2","user":"u<1>"}');
  });

  it("push errors: no remote key, missing secret key, failed status without the value", async () => {
    const c = await client({ url: `${base}/push?v={{ index .remoteRef .remoteRef.remoteKey }}` });
    await assert.rejects(
      c.pushSecret(ctx, source, { secretKey: "password", remoteKey: "", property: "" }),
      /remote key must be defined/,
    );
    await assert.rejects(
      c.pushSecret(ctx, source, { secretKey: "nope", remoteKey: "r", property: "" }),
      /failed to find secret key in secret with key: nope/,
    );
    server.handler = (_req, res) => {
      res.writeHead(500).end("pushed-hunter2");
    };
    await assert.rejects(
      c.pushSecret(ctx, source, { secretKey: "password", remoteKey: "r", property: "" }),
      (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.match(
          err.message,
          /^failed to push webhook data: endpoint http:\/\/127\.0\.0\.1:\d+ gave error 500 Internal Server Error$/,
        );
        return true;
      },
    );
    const broken = await client({
      url: `${base}/push`,
      body: "{{ fail (index .remoteRef .remoteRef.remoteKey) }}",
    });
    await assert.rejects(
      broken.pushSecret(ctx, source, { secretKey: "password", remoteKey: "r", property: "" }),
      (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.match(err.message, /^failed to parse body/);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  });

  it("deletes with DELETE; 404 is success; other failures are errors", async () => {
    const statuses: Record<string, number> = { "/d/there": 204, "/d/gone": 404, "/d/broken": 500 };
    server.handler = (req, res) => {
      res.writeHead(statuses[req.url] ?? 400).end();
    };
    const c = await client({
      url: `${base}/d/{{ .remoteRef.remoteKey }}`,
      headers: { Authorization: "Bearer {{ .creds.token }}" },
      secrets: [{ name: "creds", secretRef: { name: "creds" } }],
    });
    await c.deleteSecret(ctx, { remoteKey: "there", property: "" });
    assert.equal(last().method, "DELETE");
    assert.equal(last().headers.authorization, "Bearer tok-123456");
    await c.deleteSecret(ctx, { remoteKey: "gone", property: "" });
    await assert.rejects(
      c.deleteSecret(ctx, { remoteKey: "broken", property: "" }),
      /delete endpoint http:\/\/127\.0\.0\.1:\d+ gave error 500 Internal Server Error/,
    );
  });

  it("secretExists reads the remote key: 200 yes, 404 no, 500 an error", async () => {
    const statuses: Record<string, number> = { "/e/yes": 200, "/e/no": 404, "/e/err": 500 };
    server.handler = (req, res) => {
      res.writeHead(statuses[req.url] ?? 400).end("x");
    };
    const c = await client({ url: `${base}/e/{{ .remoteRef.key }}` });
    assert.equal(await c.secretExists(ctx, { remoteKey: "yes", property: "" }), true);
    assert.equal(await c.secretExists(ctx, { remoteKey: "no", property: "" }), false);
    await assert.rejects(c.secretExists(ctx, { remoteKey: "err", property: "" }), /gave error 500/);
  });
});

describe("store validation", () => {
  it("validate() connects to the URL's host and port", async () => {
    const c = await client({ url: `${base}/{{ .remoteRef.key }}` });
    assert.equal(await c.validate(ctx), "Ready");
    const templatedHost = await client({ url: "http://{{ .remoteRef.key }}.example/x" });
    assert.equal(await templatedHost.validate(ctx), "Unknown");
    const closed = new TestWebhookServer();
    await closed.start();
    const origin = closed.origin;
    await closed.close();
    const down = await client({ url: `${origin}/x` });
    await assert.rejects(
      down.validate(ctx),
      /error accessing external store: dial 127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
  });

  it("refuses what can never work, statically", () => {
    const bad: [Record<string, unknown>, RegExp, GenericStore["kind"]?][] = [
      [{ url: "http://x/{{ .remoteRef.key " }, /^url: template: webhooktemplate/],
      [{ url: "http://x/", body: "{{ nosuchfunc }}" }, /^body: template/],
      [{ url: "http://x/", headers: { A: "{{ end }}" } }, /^headers\["A"\]/],
      [{ url: "http://x/", headers: { "Bad Name": "v" } }, /header name "Bad Name" is not valid/],
      [{ url: "http://x/", method: "GE T" }, /is not an HTTP method/],
      [{ url: "http://x/", timeout: "10 parsecs" }, /^timeout: invalid duration/],
      [{ url: "http://x/", result: { jsonPath: "$.a-b" } }, /^result\.jsonPath "\$\.a-b"/],
      [
        { url: "http://x/", secrets: [{ name: "a", secretRef: { name: "s" } }] },
        /no namespace on ClusterScoped/,
        "ClusterSecretStore",
      ],
      [
        {
          url: "http://x/",
          secrets: [{ name: "a", secretRef: { name: "s", namespace: "other" } }],
        },
        /namespace should either be empty or match/,
      ],
      [
        { url: "http://x/", caProvider: { type: "Secret", name: "ca", key: "ca.crt" } },
        /missing namespace on caProvider secret/,
        "ClusterSecretStore",
      ],
      [
        {
          url: "http://x/",
          caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt", namespace: "other" },
        },
        /caProvider: namespace should/,
      ],
    ];
    for (const [spec, message, kind] of bad) {
      assert.throws(
        () => provider.validateStore(store(spec, kind)),
        (err: unknown) => err instanceof StoreValidationError && message.test(err.message),
        JSON.stringify(spec),
      );
    }
    assert.deepEqual(
      provider.validateStore(
        store({
          url: "http://x/{{ .remoteRef.key }}",
          result: { jsonPath: "$.data.{{ .remoteRef.property }}" },
          timeout: "5s",
        }),
      ),
      { warnings: [] },
    );
  });

  it("NTLM: a warning at validation and a clear error for the client", async () => {
    const spec = {
      url: `${base}/ntlm`,
      auth: {
        ntlm: {
          usernameSecret: { name: "creds", key: "username" },
          passwordSecret: { name: "creds", key: "password" },
        },
      },
    };
    const { warnings } = provider.validateStore(store(spec));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /NTLM authentication \(auth\.ntlm\) is not supported by Ferry/);
    await assert.rejects(
      client(spec),
      (err: unknown) =>
        err instanceof NotSupportedError && err.message.includes("not supported by Ferry"),
    );
  });
});
