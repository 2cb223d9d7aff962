// The provider against a fake apiserver on loopback HTTP: what goes over
// the wire (paths, selectors, Authorization), how answers become errors,
// token renewal after a 401, shared reads and conflict retries. The real
// apiserver is exercised by test/e2e/providers/kubernetes.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import type { KubernetesProvider } from "../../api/index.ts";
import type { KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import type { GenericStore, StoreKind } from "../../esutils/store.ts";
import { NoSecretError, ProviderError } from "../errors.ts";
import type { Ctx } from "../provider.ts";
import { newKubernetesProvider } from "./index.ts";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

let server: Server;
let url = "";
let handler: Handler = (_req, res) => {
  res.writeHead(500).end();
};
let seen: Seen[] = [];

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      void handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  seen = [];
});

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const text = (b: Uint8Array): string => Buffer.from(b).toString();

function secretBody(name: string, data: Record<string, string>, extra: object = {}): object {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "remote", resourceVersion: "1" },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  };
}

/** A KubeAccess with one token Secret and a TokenRequest that counts up. */
function kubeAccess(): KubeAccess & { issued: number } {
  const tokenSecret: SecretObject = {
    namespace: "app",
    name: "remote-token",
    data: new Map([["token", new Uint8Array(Buffer.from("static-token\n"))]]),
    labels: {},
    annotations: {},
    resourceVersion: "3",
  };
  const access = {
    issued: 0,
    getSecret: (namespace: string, name: string) =>
      Promise.resolve(namespace === "app" && name === "remote-token" ? tokenSecret : undefined),
    getConfigMap: () => Promise.resolve(undefined),
    getServiceAccount: () => Promise.resolve(undefined),
    createServiceAccountToken: (namespace: string, name: string) => {
      access.issued++;
      return Promise.resolve({
        token: `${namespace}.${name}.${String(access.issued)}`,
        expiresAt: Date.now() + 3_600_000,
      });
    },
  };
  return access;
}

let counter = 0;
function store(kubernetes: KubernetesProvider, kind: StoreKind = "SecretStore"): GenericStore {
  counter++;
  return {
    kind,
    metadata: {
      name: `k8s-${String(counter)}`,
      ...(kind === "SecretStore" ? { namespace: "app" } : {}),
      uid: `uid-${String(counter)}`,
      resourceVersion: "1",
    },
    spec: { provider: { kubernetes } },
  };
}

const tokenStore = (): GenericStore =>
  store({
    server: { url },
    remoteNamespace: "remote",
    auth: { token: { bearerToken: { name: "remote-token", key: "token" } } },
  });

describe("provider.kubernetes over HTTP", () => {
  it("reads with the bearer token of the Secret (trimmed) and maps 404 to NoSecretError", async () => {
    handler = (req, res) => {
      if (req.url.endsWith("/secrets/db")) json(res, 200, secretBody("db", { user: "u" }));
      else json(res, 404, { kind: "Status", reason: "NotFound" });
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    assert.equal(text(await client.getSecret(ctx, { key: "db", property: "user" })), "u");
    assert.equal(seen[0]?.url, "/api/v1/namespaces/remote/secrets/db");
    assert.equal(seen[0].authorization, "Bearer static-token");
    await assert.rejects(client.getSecret(ctx, { key: "gone" }), NoSecretError);
    await assert.rejects(client.getSecretMap(ctx, { key: "gone" }), NoSecretError);
    // an empty or path-like key is refused before it becomes a LIST or another path
    await assert.rejects(client.getSecret(ctx, { key: "" }), /not a valid Secret name/);
    await assert.rejects(client.getSecret(ctx, { key: "../x" }), /not a valid Secret name/);
    assert.equal(seen.length, 3);
  });

  it("explains 403 with the namespace and the missing RBAC, and 401, without bodies", async () => {
    handler = (req, res) => {
      if (req.url.includes("/secrets/forbidden")) {
        json(res, 403, {
          kind: "Status",
          reason: "Forbidden",
          message:
            'secrets "forbidden" is forbidden: User "system:serviceaccount:app:reader" cannot get resource "secrets" in API group "" in the namespace "remote"',
        });
      } else {
        json(res, 401, { kind: "Status", reason: "Unauthorized", message: "Unauthorized" });
      }
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    await assert.rejects(
      client.getSecret(ctx, { key: "forbidden" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        err.message.includes('may not get secrets in namespace "remote"') &&
        err.message.includes('grant verb "get" on resource "secrets"') &&
        err.message.includes('User "system:serviceaccount:app:reader"'),
    );
    await assert.rejects(
      client.getAllSecrets(ctx, { tags: { a: "b" } }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "AuthFailed" &&
        err.message.includes("unauthorized (401)") &&
        !err.message.includes("static-token"),
    );
  });

  it("passes 422 fields and reasons, not the apiserver's cause messages", async () => {
    handler = (req, res) => {
      if (req.method === "GET") json(res, 404, {});
      else
        json(res, 422, {
          kind: "Status",
          reason: "Invalid",
          message:
            'Secret "x" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'s\'',
          details: {
            causes: [
              {
                field: "data[.dockerconfigjson]",
                reason: "FieldValueInvalid",
                message: "invalid character 's'",
              },
            ],
          },
        });
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    const source = {
      name: "s",
      namespace: "app",
      data: new Map([["k", new Uint8Array([115])]]),
      labels: {},
      annotations: {},
    };
    await assert.rejects(
      client.pushSecret(ctx, source, { secretKey: "", remoteKey: "x", property: "" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "InvalidValue" &&
        err.message.includes("data[.dockerconfigjson]: FieldValueInvalid") &&
        !err.message.includes("invalid character"),
    );
  });

  it("shares identical reads in flight: 50 concurrent reads, one GET", async () => {
    handler = async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      json(res, 200, secretBody("db", { user: "u", pass: "p" }));
    };
    const provider = newKubernetesProvider();
    const s = tokenStore();
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => provider.newClient(ctx, s, kubeAccess(), "app")),
    );
    const reads = Array.from({ length: 50 }, (_, i) =>
      clients[i % 5]!.getSecret(ctx, { key: "db", property: i % 2 === 0 ? "user" : "pass" }),
    );
    const values = (await Promise.all(reads)).map(text);
    assert.equal(values.filter((v) => v === "u").length, 25);
    assert.equal(seen.length, 1);
    assert.equal(provider.stats.reads.shared, 49);
    // settled reads are not remembered
    await clients[0]!.getSecret(ctx, { key: "db" });
    assert.equal(seen.length, 2);
  });

  it("finds by labels (sorted, validated selector) and by name regexp, page by page", async () => {
    handler = (req, res) => {
      const q = new URL(req.url, "http://x").searchParams;
      if (q.get("continue") === "page2") {
        json(res, 200, { items: [secretBody("db-two", { b: "2" })], metadata: {} });
      } else {
        json(res, 200, {
          items: [secretBody("db-one", { a: "1" }), secretBody("other", { c: "3" })],
          metadata: { continue: "page2" },
        });
      }
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    const byTags = await client.getAllSecrets(ctx, { tags: { team: "a", app: "db" } });
    assert.equal(
      new URL(seen[0]?.url ?? "", "http://x").searchParams.get("labelSelector"),
      "app=db,team=a",
    );
    assert.equal(byTags.size, 3);
    const byName = await client.getAllSecrets(ctx, { name: { regexp: "^db-" } });
    assert.deepEqual([...byName.keys()].sort(), ["db-one", "db-two"]);
    assert.equal(text(byName.get("db-two")!), '{"b":"2"}');
    await assert.rejects(
      client.getAllSecrets(ctx, { tags: { "a,b": "c" } }),
      /not a valid label key/,
    );
    await assert.rejects(
      client.getAllSecrets(ctx, { tags: { a: "x,y=z" } }),
      /not a valid label value/,
    );
    await assert.rejects(
      client.getAllSecrets(ctx, { path: "x" }),
      /find needs name.regexp or tags/,
    );
  });

  it("auth.serviceAccount: one TokenRequest for many clients, a new token after a 401", async () => {
    let refuse = "app.reader.1";
    handler = (req, res) => {
      if (req.authorization === `Bearer ${refuse}`) json(res, 401, { kind: "Status" });
      else json(res, 200, secretBody("db", { user: "u" }));
    };
    const provider = newKubernetesProvider();
    const kube = kubeAccess();
    const s = store({
      server: { url },
      remoteNamespace: "remote",
      auth: { serviceAccount: { name: "reader" } },
    });
    const a = await provider.newClient(ctx, s, kube, "app");
    const b = await provider.newClient(ctx, s, kube, "app");
    assert.equal(kube.issued, 1);
    assert.equal(text(await a.getSecret(ctx, { key: "db", property: "user" })), "u");
    assert.equal(kube.issued, 2);
    assert.deepEqual(
      seen.map((r) => r.authorization),
      ["Bearer app.reader.1", "Bearer app.reader.2"],
    );
    refuse = "";
    assert.equal(text(await b.getSecret(ctx, { key: "db", property: "user" })), "u");
    assert.equal(kube.issued, 2);
  });

  it("retries a push after a write conflict, reading the Secret again", async () => {
    let puts = 0;
    handler = (req, res) => {
      if (req.method === "GET") json(res, 200, secretBody("x", { old: "1" }));
      else if (req.method === "PUT" && ++puts === 1)
        json(res, 409, { kind: "Status", reason: "Conflict" });
      else json(res, 200, secretBody("x", {}));
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    const source = {
      name: "s",
      namespace: "app",
      data: new Map([["k", new Uint8Array([118])]]),
      labels: {},
      annotations: {},
    };
    await client.pushSecret(ctx, source, { secretKey: "k", remoteKey: "x", property: "new" });
    assert.deepEqual(
      seen.map((r) => r.method),
      ["GET", "PUT", "GET", "PUT"],
    );
    const body = JSON.parse(seen[3]?.body ?? "{}") as {
      data: Record<string, string>;
      metadata: { resourceVersion: string };
    };
    assert.deepEqual(body.data, { old: b64("1"), new: b64("v") });
    assert.equal(body.metadata.resourceVersion, "1");
  });

  it("validate: rules review, then access review; a refused credential is an error", async () => {
    let rules: unknown = {
      resourceRules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"] }],
    };
    let allowed = false;
    let status = 201;
    handler = (req, res) => {
      if (req.url.endsWith("selfsubjectrulesreviews")) json(res, status, { status: rules });
      else json(res, 201, { status: { allowed } });
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    assert.equal(await client.validate(ctx), "Ready");
    assert.equal((JSON.parse(seen[0]?.body ?? "{}") as { spec: unknown }).spec !== undefined, true);
    rules = { resourceRules: [{ verbs: ["list"], apiGroups: [""], resources: ["secrets"] }] };
    await assert.rejects(
      client.validate(ctx),
      /client is not allowed to get secrets: .* namespace "remote"/,
    );
    allowed = true;
    assert.equal(await client.validate(ctx), "Ready");
    status = 403;
    allowed = false;
    await assert.rejects(client.validate(ctx), /not allowed/);
    status = 401;
    await assert.rejects(client.validate(ctx), /unauthorized \(401\)/);
  });

  it("a referent ClusterSecretStore without namespace gives a client that says Unknown", async () => {
    const s = store(
      { server: { url }, auth: { serviceAccount: { name: "reader" } } },
      "ClusterSecretStore",
    );
    const kube = kubeAccess();
    const client = await newKubernetesProvider().newClient(ctx, s, kube, "");
    assert.equal(await client.validate(ctx), "Unknown");
    await assert.rejects(client.getSecret(ctx, { key: "x" }), /referent authentication/);
    assert.equal(kube.issued, 0);
    assert.equal(seen.length, 0);
  });

  it("retries once when the server drops the connection (a stale keep-alive socket)", async () => {
    let drops = 1;
    handler = (_req, res) => {
      if (drops-- > 0) res.socket?.destroy();
      else json(res, 200, secretBody("db", { user: "u" }));
    };
    const client = await newKubernetesProvider().newClient(ctx, tokenStore(), kubeAccess(), "app");
    assert.equal(text(await client.getSecret(ctx, { key: "db", property: "user" })), "u");
    assert.equal(seen.length, 2);
  });

  it("an unreachable server is Unavailable and names the server", async () => {
    const s = store({
      server: { url: "http://127.0.0.1:1" },
      remoteNamespace: "remote",
      auth: { token: { bearerToken: { name: "remote-token", key: "token" } } },
    });
    const client = await newKubernetesProvider().newClient(ctx, s, kubeAccess(), "app");
    await assert.rejects(
      client.getSecret(ctx, { key: "x" }),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "Unavailable" &&
        err.message.includes("http://127.0.0.1:1 is unreachable"),
    );
    // as ESO: validation that cannot reach the server is Unknown, not an error
    assert.equal(await client.validate(ctx), "Unknown");
  });
});
