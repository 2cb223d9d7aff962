// authRef kubeconfigs: what is taken from them and what is refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { KubeconfigError, parseKubeconfig } from "./kubeconfig.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const WHERE = 'Secret "ns/kc" key "config"';

function kubeconfig(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "remote",
    contexts: [
      { name: "other", context: { cluster: "nope", user: "nope" } },
      { name: "remote", context: { cluster: "c", user: "u", namespace: "ignored" } },
    ],
    clusters: [
      {
        name: "c",
        cluster: {
          server: "https://10.0.0.1:6443",
          "certificate-authority-data": b64(PEM),
          ...cluster,
        },
      },
    ],
    users: [{ name: "u", user }],
    ...extra,
  });
}

describe("parseKubeconfig", () => {
  it("takes server, CA and token of the current context", () => {
    const t = parseKubeconfig(kubeconfig({ token: "tok-123" }), WHERE);
    assert.equal(t.server, "https://10.0.0.1:6443");
    assert.equal(t.ca, PEM);
    assert.equal(t.token, "tok-123");
    assert.equal(t.clientCert, undefined);
    assert.equal(t.insecureSkipTlsVerify, false);
  });

  it("takes a client certificate and key", () => {
    const t = parseKubeconfig(
      kubeconfig({ "client-certificate-data": b64(PEM), "client-key-data": b64(KEY) }),
      WHERE,
    );
    assert.equal(t.clientCert, PEM);
    assert.equal(t.clientKey, KEY);
  });

  it("uses the only context when current-context is missing", () => {
    const text = stringify({
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      clusters: [{ name: "c", cluster: { server: "https://h" } }],
      users: [{ name: "u", user: { token: "t" } }],
    });
    assert.equal(parseKubeconfig(text, WHERE).server, "https://h");
  });

  const refused: [string, string][] = [
    ["an exec plugin", kubeconfig({ exec: { command: "/bin/sh", args: ["-c", "id"] } })],
    ["an auth-provider", kubeconfig({ "auth-provider": { name: "oidc" } })],
    [
      "a token file",
      kubeconfig({ tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }),
    ],
    [
      "a client certificate file",
      kubeconfig({ "client-certificate": "/etc/cert", "client-key": "/etc/key" }),
    ],
    ["a CA file", kubeconfig({ token: "t" }, { "certificate-authority": "/etc/ca.crt" })],
    ["impersonation", kubeconfig({ token: "t", as: "system:admin" })],
  ];
  for (const [name, text] of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseKubeconfig(text, WHERE), /Ferry does not honour/);
    });
  }

  it("explains other problems without quoting the document", () => {
    const secretish = "token: s3cr3t-value\n  : : [";
    assert.throws(
      () => parseKubeconfig(secretish, WHERE),
      (err: unknown) =>
        err instanceof KubeconfigError &&
        err.message === `authRef: the kubeconfig in ${WHERE} is not valid YAML`,
    );
    assert.throws(
      () => parseKubeconfig(kubeconfig({ token: "t" }, {}, { "current-context": "gone" }), WHERE),
      /has no context named "gone"/,
    );
    assert.throws(
      () => parseKubeconfig(kubeconfig({ "client-certificate-data": b64(PEM) }), WHERE),
      /needs both client-certificate-data and client-key-data/,
    );
    assert.throws(
      () => parseKubeconfig(kubeconfig({ token: "t" }, { server: "" }), WHERE),
      /has no cluster server/,
    );
  });
});
