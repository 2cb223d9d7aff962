// TLS against a second, private OpenBao dev server with a TLS listener
// (bao server -dev -dev-tls), started here on a free loopback port:
// caBundle, caProvider (Secret and ConfigMap), client certificates (mTLS)
// and TLS certificate auth with a client CA made with openssl.
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent, fetch } from "undici";
import { ProviderError } from "../../../../src/providers/errors.ts";
import { newVaultProvider } from "../../../../src/providers/vault/index.ts";
import { createNamespace, eventually, kube, kubeConfig } from "../../framework/env.ts";
import { kubeAccess } from "../../framework/kube-access.ts";
import { BAO_BINARY as BAO, freePort } from "./bao-server.ts";
import { Bao, core, createSecret, ctx, secretStore, utf8 } from "./helpers.ts";

const access = kubeAccess(kubeConfig());
let dir = "";
let child: ChildProcess | undefined;
let agent: Agent | undefined;
let bao: Bao;
let server = "";
let caPem = "";
let ns = "";
let removeNs: () => Promise<void> = () => Promise.resolve();

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "ferry-bao-tls-"));
  // a client CA and a client certificate for cert auth and mTLS
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "client-ca.key",
    "-out",
    "client-ca.crt",
    "-subj",
    "/CN=ferry-client-ca",
    "-days",
    "1",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "client.key",
    "-out",
    "client.csr",
    "-subj",
    "/CN=ferry-eso",
  );
  writeFileSync(join(dir, "ext.cnf"), "extendedKeyUsage=clientAuth\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "client-ca.crt",
    "-CAkey",
    "client-ca.key",
    "-CAcreateserial",
    "-out",
    "client.crt",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  );
  const port = await freePort();
  server = `https://127.0.0.1:${port}`;
  child = spawn(
    BAO,
    [
      "server",
      "-dev",
      "-dev-tls",
      `-dev-tls-cert-dir=${dir}`,
      `-dev-listen-address=127.0.0.1:${port}`,
      "-dev-root-token-id=root",
    ],
    { stdio: "ignore" },
  );
  await eventually("the TLS OpenBao to start", async () => {
    try {
      caPem = readFileSync(join(dir, "vault-ca.pem"), "utf8");
    } catch {
      return false;
    }
    agent ??= new Agent({ connect: { ca: caPem } });
    const r = await fetch(`${server}/v1/sys/health`, { dispatcher: agent });
    return r.ok;
  });
  bao = new Bao(server, "root", agent);
  await bao.call("PUT", "sys/policies/acl/eso", {
    policy: 'path "secret/*" { capabilities = ["read", "list"] }',
  });
  await bao.call("POST", "secret/data/json", { data: { foo1: "foo1-val", bar1: "bar1-val" } });
  await bao.call("POST", "sys/auth/cert", { type: "cert" });
  await bao.call("POST", "auth/cert/certs/eso", {
    certificate: readFileSync(join(dir, "client-ca.crt"), "utf8"),
    token_policies: ["eso"],
    ttl: "1h",
  });
  const token = (
    (await bao.call("POST", "auth/token/create", { policies: ["eso"], ttl: "1h" })) as {
      auth: { client_token: string };
    }
  ).auth.client_token;

  const created = await createNamespace(kube().core, "vault-tls");
  ns = created.name;
  removeNs = created.remove;
  await createSecret(ns, "token", { token });
  await createSecret(ns, "ca", { "ca.crt": caPem });
  await core().createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: "ca" }, data: { "ca.crt": caPem } },
  });
  await createSecret(ns, "client", {
    "tls.crt": readFileSync(join(dir, "client.crt"), "utf8"),
    "tls.key": readFileSync(join(dir, "client.key"), "utf8"),
  });
});

after(async () => {
  child?.kill("SIGTERM");
  await agent?.close();
  await removeNs();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const tokenAuth = { tokenSecretRef: { name: "token", key: "token" } };

describe("provider.vault over TLS (second OpenBao)", () => {
  const variants: [string, Record<string, unknown>][] = [
    ["caBundle + token", { caBundle: "", auth: tokenAuth }],
    [
      "caProvider Secret + token",
      { caProvider: { type: "Secret", name: "ca", key: "ca.crt" }, auth: tokenAuth },
    ],
    [
      "caProvider ConfigMap + token",
      { caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt" }, auth: tokenAuth },
    ],
    [
      "caBundle + token + mTLS",
      {
        caBundle: "",
        auth: tokenAuth,
        tls: { certSecretRef: { name: "client" }, keySecretRef: { name: "client" } },
      },
    ],
    [
      "caBundle + cert auth",
      {
        caBundle: "",
        auth: {
          cert: {
            path: "cert",
            vaultRole: "eso",
            clientCert: { name: "client", key: "tls.crt" },
            secretRef: { name: "client", key: "tls.key" },
          },
        },
      },
    ],
  ];
  for (const [name, spec] of variants) {
    it(name, async () => {
      const provider = newVaultProvider();
      try {
        const full: Record<string, unknown> = { server, path: "secret", version: "v2", ...spec };
        if (full["caBundle"] === "") full["caBundle"] = Buffer.from(caPem).toString("base64");
        const c = await provider.newClient(ctx, secretStore(ns, full), access, ns);
        assert.equal(utf8(await c.getSecret(ctx, { key: "json", property: "foo1" })), "foo1-val");
        assert.equal(
          utf8(await c.getSecret(ctx, { key: "json" })),
          '{"bar1":"bar1-val","foo1":"foo1-val"}',
        );
        assert.equal(await c.validate(ctx), "Ready");
        assert.equal(provider.stats.logins, name.includes("cert auth") ? 1 : 0);
      } finally {
        await provider.close();
      }
    });
  }

  it("without the CA the server is Unavailable (certificate not trusted)", async () => {
    const provider = newVaultProvider();
    try {
      const c = await provider.newClient(
        ctx,
        secretStore(ns, { server, path: "secret", auth: tokenAuth }),
        access,
        ns,
      );
      await assert.rejects(
        c.getSecret(ctx, { key: "json" }),
        (e: unknown) => e instanceof ProviderError && e.code === "Unavailable",
      );
    } finally {
      await provider.close();
    }
  });

  it("cert auth with a certificate the role does not trust is AuthFailed", async () => {
    const provider = newVaultProvider();
    try {
      openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "rogue.key",
        "-out",
        "rogue.crt",
        "-subj",
        "/CN=rogue",
        "-days",
        "1",
      );
      await createSecret(ns, "rogue", {
        "tls.crt": readFileSync(join(dir, "rogue.crt"), "utf8"),
        "tls.key": readFileSync(join(dir, "rogue.key"), "utf8"),
      });
      const spec = {
        server,
        path: "secret",
        caBundle: Buffer.from(caPem).toString("base64"),
        auth: {
          cert: {
            clientCert: { name: "rogue", key: "tls.crt" },
            secretRef: { name: "rogue", key: "tls.key" },
          },
        },
      };
      await assert.rejects(
        provider.newClient(ctx, secretStore(ns, spec), access, ns),
        (e: unknown) =>
          e instanceof ProviderError &&
          e.code === "AuthFailed" &&
          e.message.includes("auth/cert/login"),
      );
    } finally {
      await provider.close();
    }
  });
});
