// HTTPS endpoints: a throw-away CA (node:crypto keys, node-forge
// certificates) signs the certificate of a local HTTPS server; the store
// trusts it through caBundle or caProvider (Secret or ConfigMap).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { ProviderError } from "../errors.ts";
import type { Ctx } from "../provider.ts";
import { newWebhookProvider } from "./index.ts";
import { json, makeTestPki, TestWebhookServer, type TestPki } from "./testing/server.ts";

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};
const NS = "tls-ns";

let pki: TestPki;
let otherPki: TestPki;
const server = new TestWebhookServer();
const provider = newWebhookProvider();

const secrets = new Map<string, SecretObject>();
const configMaps = new Map<string, Map<string, string>>();
const kube: KubeAccess = {
  getSecret: (namespace, name) => Promise.resolve(secrets.get(`${namespace}/${name}`)),
  getConfigMap: (namespace, name) => {
    const data = configMaps.get(`${namespace}/${name}`);
    return Promise.resolve(data === undefined ? undefined : { namespace, name, data });
  },
  getServiceAccount: () => Promise.resolve(undefined),
  createServiceAccountToken: () => Promise.reject(new Error("not used")),
};

before(async () => {
  pki = makeTestPki();
  otherPki = makeTestPki("another-ca");
  await server.start(pki);
  server.handler = (_req, res) => {
    json(res, 200, { value: "over-tls" });
  };
  secrets.set(`${NS}/ca`, {
    namespace: NS,
    name: "ca",
    labels: {},
    annotations: {},
    data: new Map([["ca.crt", new Uint8Array(Buffer.from(pki.caPem))]]),
  });
  configMaps.set(`${NS}/ca`, new Map([["ca.crt", pki.caPem]]));
});

after(async () => {
  await server.close();
  await provider.close();
});

function store(extra: Record<string, unknown>): GenericStore {
  return {
    kind: "SecretStore",
    metadata: { name: "tls", namespace: NS },
    spec: {
      provider: {
        webhook: { url: `${server.origin}/v`, result: { jsonPath: "$.value" }, ...extra },
      },
    },
  };
}

async function read(extra: Record<string, unknown>): Promise<string> {
  const c = await provider.newClient(ctx, store(extra), kube, NS);
  return Buffer.from(await c.getSecret(ctx, { key: "k" })).toString("utf8");
}

describe("provider.webhook over HTTPS", () => {
  it("trusts caBundle", async () => {
    assert.equal(await read({ caBundle: Buffer.from(pki.caPem).toString("base64") }), "over-tls");
  });

  it("trusts caProvider Secret and ConfigMap", async () => {
    for (const type of ["Secret", "ConfigMap"]) {
      assert.equal(await read({ caProvider: { type, name: "ca", key: "ca.crt" } }), "over-tls");
    }
  });

  it("without the CA, or with another one, TLS verification fails with a remedy", async () => {
    for (const extra of [{}, { caBundle: Buffer.from(otherPki.caPem).toString("base64") }]) {
      await assert.rejects(read(extra), (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.code, "Unavailable");
        assert.match(err.message, /TLS verification failed \(.+\); set caBundle or caProvider/);
        return true;
      });
    }
  });

  it("a CA that holds no certificate, or a missing caProvider, is a clear error", async () => {
    await assert.rejects(
      read({ caBundle: Buffer.from("not a pem").toString("base64") }),
      /failed to append cabundle/,
    );
    await assert.rejects(
      read({ caProvider: { type: "Secret", name: "nope", key: "ca.crt" } }),
      /caProvider: Secret "tls-ns\/nope" does not exist/,
    );
    await assert.rejects(
      read({ caProvider: { type: "ConfigMap", name: "ca", key: "other" } }),
      /caProvider: ConfigMap "tls-ns\/ca" has no key "other"/,
    );
  });
});
