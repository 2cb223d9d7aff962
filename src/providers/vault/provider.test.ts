// The provider against a local fake Vault (node:http on 127.0.0.1): login
// requests of each method, headers, the 403 retry, sealed/unreachable
// mapping, coalescing, and static store validation.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import type { KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { NoSecretError, ProviderError, StoreValidationError } from "../errors.ts";
import type { Ctx } from "../provider.ts";
import { newOpenBaoProvider, newVaultProvider } from "./index.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

const seen: Seen[] = [];
let server: Server;
let address = "";
let sealed = false;
let rejectToken = "";
let loginCount = 0;

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};

function reply(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

before(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body: unknown = raw === "" ? undefined : JSON.parse(raw);
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const url = req.url ?? "";
      if (sealed) {
        reply(res, 503, { errors: ["Vault is sealed"] });
        return;
      }
      if (url.includes("/login")) {
        loginCount++;
        if (JSON.stringify(body).includes("wrong")) {
          reply(res, 400, { errors: ["invalid credentials"] });
          return;
        }
        reply(res, 200, {
          auth: { client_token: `tok-${loginCount}`, lease_duration: 3600, renewable: true },
        });
        return;
      }
      if (url.startsWith("/v1/auth/token/revoke-self")) {
        reply(res, 204);
        return;
      }
      if (req.headers["x-vault-token"] === rejectToken) {
        reply(res, 403, { errors: ["permission denied"] });
        return;
      }
      if (url.startsWith("/v1/secret/data/app")) {
        reply(
          res,
          200,
          { data: { data: { user: "u", password: "hunter2" }, metadata: {} } },
          { "X-Vault-Index": "idx-1" },
        );
        return;
      }
      reply(res, 404, { errors: [] });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

beforeEach(() => {
  seen.length = 0;
  sealed = false;
  rejectToken = "";
});

const secrets = new Map<string, Record<string, string>>([
  ["ns/creds", { secret_id: "sid", password: "pw", token: "jwt-token", role: "rid" }],
  ["ns/wrong", { secret_id: "wrong-secret" }],
  ["ns/tok", { token: "static-token\n" }],
]);

const kube: KubeAccess = {
  getSecret(namespace, name): Promise<SecretObject | undefined> {
    const data = secrets.get(`${namespace}/${name}`);
    if (data === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      namespace,
      name,
      resourceVersion: "7",
      labels: {},
      annotations: {},
      data: new Map(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))])),
    });
  },
  getConfigMap: () => Promise.resolve(undefined),
  getServiceAccount: () => Promise.resolve(undefined),
  createServiceAccountToken: (namespace, name, options) =>
    Promise.resolve({
      token: `sa-token:${namespace}/${name}:${(options.audiences ?? []).join(",")}`,
      expiresAt: Date.now() + 600_000,
    }),
};

function store(
  vault: Record<string, unknown>,
  kind: GenericStore["kind"] = "SecretStore",
  provider = "vault",
): GenericStore {
  return {
    kind,
    metadata: {
      name: "s",
      ...(kind === "SecretStore" ? { namespace: "ns" } : {}),
      resourceVersion: "1",
    },
    spec: {
      provider: { [provider]: { server: address, path: "secret", ...vault } },
    },
  };
}

const logins = (): Seen[] => seen.filter((s) => s.url.includes("/login"));

describe("login requests", () => {
  const cases: [string, Record<string, unknown>, string, unknown][] = [
    [
      "appRole",
      {
        appRole: {
          path: "approle",
          roleId: " rid ",
          secretRef: { name: "creds", key: "secret_id" },
        },
      },
      "/v1/auth/approle/login",
      { role_id: "rid", secret_id: "sid" },
    ],
    [
      "appRole roleRef",
      {
        appRole: {
          path: "ar",
          roleRef: { name: "creds", key: "role" },
          secretRef: { name: "creds", key: "secret_id" },
        },
      },
      "/v1/auth/ar/login",
      { role_id: "rid", secret_id: "sid" },
    ],
    [
      "userPass",
      {
        userPass: {
          path: "userpass",
          username: "bob",
          secretRef: { name: "creds", key: "password" },
        },
      },
      "/v1/auth/userpass/login/bob",
      { password: "pw" },
    ],
    [
      "ldap",
      { ldap: { path: "ldap", username: "alice", secretRef: { name: "creds", key: "password" } } },
      "/v1/auth/ldap/login/alice",
      { password: "pw" },
    ],
    [
      "kubernetes secretRef",
      { kubernetes: { mountPath: "k8s", role: "r", secretRef: { name: "creds" } } },
      "/v1/auth/k8s/login",
      { role: "r", jwt: "jwt-token" },
    ],
    [
      "kubernetes serviceAccountRef",
      { kubernetes: { mountPath: "kubernetes", role: "r", serviceAccountRef: { name: "sa" } } },
      "/v1/auth/kubernetes/login",
      { role: "r", jwt: "sa-token:ns/sa:" },
    ],
    [
      "jwt secretRef",
      { jwt: { path: "jwt", role: " r ", secretRef: { name: "creds", key: "token" } } },
      "/v1/auth/jwt/login",
      { role: "r", jwt: "jwt-token" },
    ],
    [
      "jwt serviceAccount",
      {
        jwt: {
          path: "oidc",
          kubernetesServiceAccountToken: { serviceAccountRef: { name: "sa", audiences: ["a"] } },
        },
      },
      "/v1/auth/oidc/login",
      { role: "", jwt: "sa-token:ns/sa:a,vault" },
    ],
  ];
  for (const [name, auth, url, body] of cases) {
    it(name, async () => {
      const provider = newVaultProvider();
      try {
        await provider.newClient(
          ctx,
          store({ auth, namespace: "team", headers: { "X-Custom": "1" } }),
          kube,
          "ns",
        );
        const [login] = logins();
        assert.equal(login?.url, url);
        assert.deepEqual(login.body, body);
        assert.equal(login.headers["x-vault-namespace"], "team");
        assert.equal(login.headers["x-vault-request"], "true");
        assert.equal(login.headers["x-custom"], "1");
      } finally {
        await provider.close();
      }
    });
  }

  it("auth.namespace applies to the login only", async () => {
    const provider = newVaultProvider();
    try {
      const c = await provider.newClient(
        ctx,
        store({
          namespace: "kvns",
          auth: {
            namespace: "authns",
            userPass: {
              path: "userpass",
              username: "u",
              secretRef: { name: "creds", key: "password" },
            },
          },
        }),
        kube,
        "ns",
      );
      await c.getSecret(ctx, { key: "app" });
      assert.equal(logins()[0]?.headers["x-vault-namespace"], "authns");
      const read = seen.find((s) => s.url.startsWith("/v1/secret/data/app"));
      assert.ok(read !== undefined);
      assert.equal(read.headers["x-vault-namespace"], "kvns");
      assert.equal(read.headers["x-vault-token"], "tok-" + String(loginCount));
    } finally {
      await provider.close();
    }
  });
});

describe("reads", () => {
  it("static token: trimmed, never revoked; readYourWrites echoes X-Vault-Index", async () => {
    const provider = newVaultProvider({ coalesceWindowMs: 0 });
    const c = await provider.newClient(
      ctx,
      store({
        readYourWrites: true,
        forwardInconsistent: true,
        auth: { tokenSecretRef: { name: "tok", key: "token" } },
      }),
      kube,
      "ns",
    );
    assert.equal(
      Buffer.from(await c.getSecret(ctx, { key: "app", property: "user" })).toString(),
      "u",
    );
    await c.getSecret(ctx, { key: "app" });
    const [first, second] = seen.filter((s) => s.url.startsWith("/v1/secret/data/app"));
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first.headers["x-vault-token"], "static-token");
    assert.equal(first.headers["x-vault-index"], undefined);
    assert.equal(second.headers["x-vault-index"], "idx-1");
    assert.equal(second.headers["x-vault-inconsistent"], "forward-active-node");
    await provider.close();
    assert.equal(provider.stats.revocations, 0);
    assert.equal(seen.filter((s) => s.url.includes("revoke")).length, 0);
  });

  it("missing key is NoSecretError; the message names no value", async () => {
    const provider = newVaultProvider();
    const c = await provider.newClient(
      ctx,
      store({ auth: { tokenSecretRef: { name: "tok", key: "token" } } }),
      kube,
      "ns",
    );
    await assert.rejects(c.getSecret(ctx, { key: "nope" }), NoSecretError);
    await assert.rejects(
      c.getSecret(ctx, { key: "app", property: "x" }),
      (e: unknown) => e instanceof ProviderError && !e.message.includes("hunter2"),
    );
    await provider.close();
  });

  it("a 403 with a cached login: log in once more and retry once", async () => {
    const provider = newVaultProvider({ coalesceWindowMs: 0 });
    try {
      const c = await provider.newClient(
        ctx,
        store({
          auth: {
            appRole: {
              path: "approle",
              roleId: "r",
              secretRef: { name: "creds", key: "secret_id" },
            },
          },
        }),
        kube,
        "ns",
      );
      rejectToken = `tok-${loginCount}`;
      assert.equal(
        Buffer.from(await c.getSecret(ctx, { key: "app", property: "user" })).toString(),
        "u",
      );
      assert.equal(provider.stats.logins, 2);
      rejectToken = `tok-${loginCount}`;
      // the fresh token is refused too: AuthFailed naming the method, after one retry only
      const before = provider.stats.logins;
      rejectToken = "*";
      const s = store({ auth: { tokenSecretRef: { name: "tok", key: "token" } } });
      rejectToken = "static-token";
      const st = await provider.newClient(ctx, s, kube, "ns");
      await assert.rejects(
        st.getSecret(ctx, { key: "app" }),
        (e: unknown) =>
          e instanceof ProviderError &&
          e.code === "AuthFailed" &&
          e.message.includes("tokenSecretRef") &&
          !e.message.includes("static-token"),
      );
      assert.equal(provider.stats.logins, before);
    } finally {
      await provider.close();
    }
  });

  it("sealed is Unavailable; unreachable is Unavailable (after Vault's default 2 retries)", async () => {
    const waits: number[] = [];
    const provider = newVaultProvider({
      retrySleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    try {
      const c = await provider.newClient(
        ctx,
        store({ auth: { tokenSecretRef: { name: "tok", key: "token" } } }),
        kube,
        "ns",
      );
      sealed = true;
      const before = seen.length;
      await assert.rejects(
        c.getSecret(ctx, { key: "app" }),
        (e: unknown) =>
          e instanceof ProviderError && e.code === "Unavailable" && e.message.includes("sealed"),
      );
      // no retrySettings: three attempts, waits of 1-1.5 s times the retry number
      assert.equal(seen.length - before, 3);
      assert.equal(waits.length, 2);
      assert.ok((waits[0] ?? 0) >= 1000 && (waits[0] ?? 0) <= 1500, String(waits[0]));
      assert.ok((waits[1] ?? 0) >= 2000 && (waits[1] ?? 0) <= 3000, String(waits[1]));
      await assert.rejects(
        provider.newClient(
          ctx,
          store({
            auth: {
              appRole: {
                path: "approle",
                roleId: "r",
                secretRef: { name: "creds", key: "secret_id" },
              },
            },
          }),
          kube,
          "ns",
        ),
        (e: unknown) => e instanceof ProviderError && e.code === "Unavailable",
      );
      const dead = { ...store({ auth: { tokenSecretRef: { name: "tok", key: "token" } } }) };
      const deadStore = {
        ...dead,
        spec: {
          provider: {
            vault: {
              server: "http://127.0.0.1:9",
              auth: { tokenSecretRef: { name: "tok", key: "token" } },
            },
          },
        },
      } as unknown as GenericStore;
      const d = await provider.newClient(ctx, deadStore, kube, "ns");
      await assert.rejects(
        d.getSecret(ctx, { key: "secret/app" }),
        /vault server http:\/\/127\.0\.0\.1:9 is unreachable/,
      );
    } finally {
      await provider.close();
    }
  });

  it("wrong credentials: AuthFailed without the secret", async () => {
    const provider = newVaultProvider();
    await assert.rejects(
      provider.newClient(
        ctx,
        store({
          auth: {
            appRole: {
              path: "approle",
              roleId: "r",
              secretRef: { name: "wrong", key: "secret_id" },
            },
          },
        }),
        kube,
        "ns",
      ),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === "AuthFailed" &&
        e.message.includes("auth/approle/login") &&
        !e.message.includes("wrong-secret"),
    );
    await provider.close();
  });

  it("identical concurrent reads are one request; extraction happens after", async () => {
    const provider = newVaultProvider();
    try {
      const s = store({ auth: { tokenSecretRef: { name: "tok", key: "token" } } });
      const clients = await Promise.all(
        [1, 2, 3, 4].map(() => provider.newClient(ctx, s, kube, "ns")),
      );
      const values = await Promise.all(
        clients.map((c, i) =>
          c.getSecret(ctx, { key: "app", property: i % 2 === 0 ? "user" : "password" }),
        ),
      );
      assert.deepEqual(
        values.map((v) => Buffer.from(v).toString()),
        ["u", "hunter2", "u", "hunter2"],
      );
      assert.equal(seen.filter((x) => x.url.startsWith("/v1/secret/data/app")).length, 1);
      assert.equal(provider.stats.coalescedReads, 3);
    } finally {
      await provider.close();
    }
  });
});

describe("stores", () => {
  it("a referent ClusterSecretStore without namespace validates Unknown, with no login", async () => {
    const provider = newVaultProvider();
    const c = await provider.newClient(
      ctx,
      store(
        {
          auth: {
            appRole: {
              path: "approle",
              roleId: "r",
              secretRef: { name: "creds", key: "secret_id" },
            },
          },
        },
        "ClusterSecretStore",
      ),
      kube,
      "",
    );
    assert.equal(await c.validate(ctx), "Unknown");
    assert.equal(logins().length, 0);
    await provider.close();
  });

  const invalid: [string, Record<string, unknown>, GenericStore["kind"], RegExp][] = [
    [
      "checkAndSet with v1",
      { version: "v1", checkAndSet: { required: true } },
      "SecretStore",
      /checkAndSet is not supported/,
    ],
    [
      "appRole without roleId",
      { auth: { appRole: { path: "approle", secretRef: { name: "x" } } } },
      "SecretStore",
      /neither `roleId` nor `roleRef`/,
    ],
    [
      "secretRef in another namespace",
      { auth: { tokenSecretRef: { name: "x", namespace: "other" } } },
      "SecretStore",
      /namespace should either be empty/,
    ],
    ["half clientTLS", { tls: { certSecretRef: { name: "x" } } }, "SecretStore", /both ClientTLS/],
    [
      "jwt without source",
      { auth: { jwt: { path: "jwt" } } },
      "SecretStore",
      /neither `secretRef` nor `kubernetesServiceAccountToken`/,
    ],
    [
      "caProvider without namespace on a CSS",
      { caProvider: { type: "Secret", name: "ca", key: "ca.crt" } },
      "ClusterSecretStore",
      /missing namespace on caProvider/,
    ],
  ];
  for (const [name, spec, kind, message] of invalid) {
    it(`validateStore refuses ${name}`, () => {
      assert.throws(
        () => newVaultProvider().validateStore(store(spec, kind)),
        (e: unknown) => e instanceof StoreValidationError && message.test(e.message),
      );
    });
  }

  it("validateStore accepts ClusterSecretStore references and warns on several auth methods", () => {
    const result = newVaultProvider().validateStore(
      store(
        {
          auth: {
            tokenSecretRef: { name: "a", namespace: "x" },
            userPass: { path: "userpass", username: "u", secretRef: { name: "b" } },
          },
        },
        "ClusterSecretStore",
      ),
    );
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] ?? "", /only tokenSecretRef is used/);
  });

  it("openBao: keys relative to the mount, read only", async () => {
    const provider = newOpenBaoProvider();
    try {
      assert.equal(provider.name, "openBao");
      assert.equal(provider.capabilities, "ReadOnly");
      const c = await provider.newClient(
        ctx,
        store(
          { path: "secret", auth: { tokenSecretRef: { name: "tok", key: "token" } } },
          "SecretStore",
          "openBao",
        ),
        kube,
        "ns",
      );
      assert.equal(
        Buffer.from(await c.getSecret(ctx, { key: "app", property: "user" })).toString(),
        "u",
      );
      await assert.rejects(
        c.pushSecret(
          ctx,
          { name: "s", namespace: "ns", labels: {}, annotations: {}, data: new Map() },
          { secretKey: "", remoteKey: "x", property: "" },
        ),
        /read only/,
      );
    } finally {
      await provider.close();
    }
  });
});
