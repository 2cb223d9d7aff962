// ESO's ValidateStore for provider.kubernetes (validate_test.go's cases)
// and the referent test.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubernetesProvider } from "../../api/index.ts";
import type { GenericStore, StoreKind } from "../../esutils/store.ts";
import { StoreValidationError } from "../errors.ts";
import { isReferentSpec, kubernetesSpec, validateKubernetesStore } from "./spec.ts";

function store(kind: StoreKind, kubernetes: KubernetesProvider): GenericStore {
  return {
    kind,
    metadata: kind === "SecretStore" ? { name: "s", namespace: "app" } : { name: "s" },
    spec: { provider: { kubernetes } },
  };
}

const ca = { caBundle: Buffer.from("pem").toString("base64") };

describe("validateKubernetesStore", () => {
  const invalid: [string, StoreKind, KubernetesProvider, RegExp][] = [
    [
      "caProvider without namespace on a ClusterSecretStore",
      "ClusterSecretStore",
      { server: { caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt" } } },
      /CAProvider.namespace must not be empty with ClusterSecretStore/,
    ],
    [
      "caProvider with namespace on a SecretStore",
      "SecretStore",
      {
        server: { caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt", namespace: "app" } },
      },
      /CAProvider.namespace must be empty with SecretStore/,
    ],
    [
      "cert without clientCert name",
      "SecretStore",
      {
        server: ca,
        auth: {
          cert: { clientCert: { key: "tls.crt" }, clientKey: { name: "k", key: "tls.key" } },
        },
      },
      /ClientCert.name cannot be empty/,
    ],
    [
      "cert without clientCert key",
      "SecretStore",
      {
        server: ca,
        auth: { cert: { clientCert: { name: "c" }, clientKey: { name: "k", key: "tls.key" } } },
      },
      /ClientCert.key cannot be empty/,
    ],
    [
      "token without name",
      "SecretStore",
      { server: ca, auth: { token: { bearerToken: { key: "token" } } } },
      /BearerToken.name cannot be empty/,
    ],
    [
      "token in another namespace of a SecretStore",
      "SecretStore",
      {
        server: ca,
        auth: { token: { bearerToken: { name: "t", key: "token", namespace: "other" } } },
      },
      /namespace should either be empty or match the namespace of the SecretStore/,
    ],
    [
      "token without namespace on a ClusterSecretStore",
      "ClusterSecretStore",
      { server: ca, auth: { token: { bearerToken: { name: "t", key: "token" } } } },
      /namespace is required with a ClusterSecretStore/,
    ],
    [
      "serviceAccount in another namespace of a SecretStore",
      "SecretStore",
      { server: ca, auth: { serviceAccount: { name: "sa", namespace: "other" } } },
      /auth.serviceAccount: .*namespace should either be empty/,
    ],
    [
      "authRef in another namespace of a SecretStore",
      "SecretStore",
      { authRef: { name: "kc", key: "config", namespace: "other" } },
      /authRef: .*namespace should either be empty/,
    ],
    [
      "two auth methods",
      "SecretStore",
      {
        server: ca,
        auth: { serviceAccount: { name: "sa" }, token: { bearerToken: { name: "t", key: "k" } } },
      },
      /exactly one of cert, token or serviceAccount/,
    ],
    [
      "auth and authRef",
      "SecretStore",
      { auth: { serviceAccount: { name: "sa" } }, authRef: { name: "kc", key: "config" } },
      /auth and authRef exclude each other/,
    ],
    ["an empty server URL", "SecretStore", { server: { url: "" } }, /no server URL provided/],
  ];
  for (const [name, kind, spec, want] of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => validateKubernetesStore(store(kind, spec)),
        (err: unknown) => err instanceof StoreValidationError && want.test(err.message),
      );
    });
  }

  it("accepts a referent serviceAccount on a ClusterSecretStore", () => {
    const css = store("ClusterSecretStore", {
      server: { caProvider: { type: "ConfigMap", name: "ca", key: "ca.crt", namespace: "x" } },
      auth: { serviceAccount: { name: "sa" } },
    });
    assert.deepEqual(validateKubernetesStore(css), { warnings: [] });
    assert.equal(isReferentSpec(css, kubernetesSpec(css)), true);
  });

  it("warns when no CA is configured", () => {
    const { warnings } = validateKubernetesStore(
      store("SecretStore", { auth: { serviceAccount: { name: "sa" } } }),
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /no CA configured/);
  });
});

describe("kubernetesSpec", () => {
  it("applies ESO's defaults", () => {
    const spec = kubernetesSpec(store("SecretStore", {}));
    assert.equal(spec.url, "kubernetes.default");
    assert.equal(spec.remoteNamespace, "default");
    assert.equal(spec.auth.kind, "anonymous");
  });

  it("is referent only for a ClusterSecretStore with a reference without namespace", () => {
    const ref = { name: "t", key: "token" };
    const cases: [StoreKind, KubernetesProvider, boolean][] = [
      ["SecretStore", { auth: { serviceAccount: { name: "sa" } } }, false],
      ["ClusterSecretStore", { auth: { serviceAccount: { name: "sa", namespace: "x" } } }, false],
      ["ClusterSecretStore", { auth: { token: { bearerToken: ref } } }, true],
      [
        "ClusterSecretStore",
        { auth: { cert: { clientCert: { ...ref, namespace: "x" }, clientKey: ref } } },
        true,
      ],
      ["ClusterSecretStore", { authRef: ref }, true],
      ["ClusterSecretStore", { authRef: { ...ref, namespace: "x" } }, false],
      ["ClusterSecretStore", {}, false],
    ];
    for (const [kind, spec, want] of cases) {
      const s = store(kind, spec);
      assert.equal(isReferentSpec(s, kubernetesSpec(s)), want, JSON.stringify({ kind, spec }));
    }
  });
});
