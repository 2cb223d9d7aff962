import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadLightCredentials } from "./kubeconfig.ts";

const dir = mkdtempSync(join(tmpdir(), "ferry-kubeconfig-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, cluster: object, user: object): string {
  const path = join(dir, name);
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "ctx",
    contexts: [
      { name: "other", context: { cluster: "nope", user: "nope" } },
      { name: "ctx", context: { cluster: "c", user: "u" } },
    ],
    clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", ...cluster } }],
    users: [{ name: "u", user }],
  };
  writeFileSync(path, JSON.stringify(doc)); // JSON is YAML
  return path;
}

async function options(path: string): Promise<https.RequestOptions> {
  const creds = await loadLightCredentials(path);
  assert.ok(creds, "the light loader handles this kubeconfig");
  const opts: https.RequestOptions = {};
  await creds.applyToHTTPSOptions(opts);
  return opts;
}

describe("light kubeconfig loader", () => {
  it("inline certificate data and a token; the current context picks the cluster", async () => {
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    const path = kubeconfig(
      "inline",
      { "certificate-authority-data": b64("CA"), "tls-server-name": "kube" },
      { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY"), token: "t0k" },
    );
    const creds = await loadLightCredentials(path);
    assert.equal(creds?.getCurrentCluster()?.server, "https://10.0.0.1:6443");
    const opts = await options(path);
    assert.equal((opts.ca as Buffer).toString(), "CA");
    assert.equal((opts.cert as Buffer).toString(), "CERT");
    assert.equal((opts.key as Buffer).toString(), "KEY");
    assert.equal(opts.servername, "kube");
    assert.deepEqual(opts.headers, { authorization: "Bearer t0k" });
  });

  it("relative file paths resolve against the kubeconfig's folder; token files are re-read", async () => {
    writeFileSync(join(dir, "ca.crt"), "FILE-CA");
    writeFileSync(join(dir, "token"), "first\n");
    const path = kubeconfig(
      "files",
      { "certificate-authority": "ca.crt", "insecure-skip-tls-verify": true },
      { tokenFile: "token" },
    );
    const creds = await loadLightCredentials(path);
    assert.ok(creds);
    const first: https.RequestOptions = {};
    await creds.applyToHTTPSOptions(first);
    assert.equal((first.ca as Buffer).toString(), "FILE-CA");
    assert.equal(first.rejectUnauthorized, false);
    assert.deepEqual(first.headers, { authorization: "Bearer first" });
    writeFileSync(join(dir, "token"), "rotated");
    const second: https.RequestOptions = {};
    await creds.applyToHTTPSOptions(second);
    assert.deepEqual(second.headers, { authorization: "Bearer rotated" });
  });

  it("basic auth", async () => {
    const opts = await options(kubeconfig("basic", {}, { username: "admin", password: "pw" }));
    assert.equal(opts.auth, "admin:pw");
  });

  it("leaves plugins, impersonation and proxies to client-node", async () => {
    const exec = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "aws" } };
    assert.equal(await loadLightCredentials(kubeconfig("exec", {}, exec)), undefined);
    const provider = { "auth-provider": { name: "oidc" } };
    assert.equal(await loadLightCredentials(kubeconfig("oidc", {}, provider)), undefined);
    assert.equal(await loadLightCredentials(kubeconfig("as", {}, { as: "bob" })), undefined);
    const proxy = { "proxy-url": "http://proxy:3128" };
    assert.equal(await loadLightCredentials(kubeconfig("proxy", proxy, {})), undefined);
  });
});
