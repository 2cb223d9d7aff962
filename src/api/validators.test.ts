import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generatorSpecValidators, validators } from "./index.ts";

describe("compiled validators", () => {
  const valid: [keyof typeof validators, unknown][] = [
    [
      "ExternalSecret",
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "x" },
        spec: {
          secretStoreRef: { kind: "SecretStore", name: "vault" },
          target: { name: "db", creationPolicy: "Owner" },
          data: [{ secretKey: "password", remoteRef: { key: "db", property: "password" } }],
        },
        status: { refreshTime: null },
      },
    ],
    [
      "SecretStore",
      { spec: { provider: { vault: { server: "https://vault:8200" } }, refreshInterval: 60 } },
    ],
    ["SecretStore", { spec: { provider: { akeyless: { anything: { goes: 1 } } } } }],
    [
      "ClusterGenerator",
      {
        spec: {
          kind: "Password",
          generator: { passwordSpec: { length: 32, noUpper: false, allowRepeat: true } },
        },
      },
    ],
    [
      "PushSecret",
      {
        spec: {
          secretStoreRefs: [{ name: "vault" }],
          selector: { secret: { name: "kubeconfig" } },
          data: [
            {
              match: { secretKey: "value", remoteRef: { remoteKey: "k" } },
              metadata: { any: ["json"] },
            },
          ],
        },
      },
    ],
  ];
  for (const [kind, value] of valid) {
    it(`accepts a valid ${kind}`, () => {
      const v = validators[kind];
      assert.deepEqual(v.errors(value), []);
      assert.equal(v.check(value), true);
    });
  }

  const invalid: [keyof typeof validators, unknown, string][] = [
    [
      "ExternalSecret",
      { spec: { target: { creationPolicy: "Sometimes" } } },
      "/spec/target/creationPolicy",
    ],
    [
      "ExternalSecret",
      { spec: { data: [{ secretKey: "a/b", remoteRef: { key: "k" } }] } },
      "/spec/data/0/secretKey",
    ],
    [
      "SecretStore",
      { spec: { provider: { aws: { service: "SecretsManager" } } } },
      "/spec/provider/aws/region",
    ],
    [
      "SecretStore",
      { spec: { provider: { vault: { server: "s", caBundle: "not base64!" } } } },
      "/spec/provider/vault/caBundle",
    ],
  ];
  for (const [kind, value, path] of invalid) {
    it(`refuses ${kind} with a bad ${path}`, () => {
      const v = validators[kind];
      assert.equal(v.check(value), false);
      assert.ok(
        v.errors(value).some((e) => e.path === path),
        JSON.stringify(v.errors(value)),
      );
    });
  }

  it("validates raw generator specs by kind", () => {
    assert.equal(generatorSpecValidators.SSHKey.check({ keyType: "ed25519" }), true);
    assert.equal(generatorSpecValidators.SSHKey.check({ keyType: "dsa" }), false);
    assert.equal(generatorSpecValidators.UUID.check({}), true);
  });
});
