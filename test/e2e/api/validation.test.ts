// One invalid manifest per validation rule: the real apiserver must refuse
// each with a message that says what to change.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createNamespace, kube } from "../framework/env.ts";
import { installCrds, kubectl } from "./kubectl.ts";

type Manifest = Record<string, unknown>;

const ES_V1 = "external-secrets.io/v1";

function externalSecret(spec: Manifest, apiVersion = ES_V1): Manifest {
  return {
    apiVersion,
    kind: "ExternalSecret",
    metadata: { name: "invalid" },
    spec: { secretStoreRef: { kind: "SecretStore", name: "vault" }, ...spec },
  };
}
const someData = { data: [{ secretKey: "password", remoteRef: { key: "db" } }] };
const withTarget = (target: Manifest): Manifest => externalSecret({ ...someData, target });
const withDataFrom = (entry: Manifest): Manifest => externalSecret({ dataFrom: [entry] });

function secretStore(provider: Manifest): Manifest {
  return {
    apiVersion: ES_V1,
    kind: "SecretStore",
    metadata: { name: "invalid" },
    spec: { provider },
  };
}
const aws = (extra: Manifest): Manifest =>
  secretStore({ aws: { service: "SecretsManager", region: "eu-west-1", ...extra } });
const kubernetes = (extra: Manifest): Manifest =>
  secretStore({ kubernetes: { remoteNamespace: "default", ...extra } });
const secretRef = { name: "creds", key: "token" };

function pushSecret(dataTo: Manifest): Manifest {
  return {
    apiVersion: "external-secrets.io/v1alpha1",
    kind: "PushSecret",
    metadata: { name: "invalid" },
    spec: {
      secretStoreRefs: [{ name: "vault" }],
      selector: { secret: { name: "source" } },
      dataTo: [dataTo],
    },
  };
}

interface Case {
  readonly rule: string;
  readonly manifest: Manifest;
  readonly message: RegExp;
}

const cases: readonly Case[] = [
  {
    rule: "ES deletionPolicy Delete with creationPolicy Merge",
    manifest: withTarget({ creationPolicy: "Merge", deletionPolicy: "Delete" }),
    message:
      /deletionPolicy Delete needs a Secret that this ExternalSecret owns, but creationPolicy is Merge: set creationPolicy to Owner or Orphan, or deletionPolicy to Retain/,
  },
  {
    rule: "ES deletionPolicy Delete with creationPolicy None",
    manifest: withTarget({ creationPolicy: "None", deletionPolicy: "Delete" }),
    message: /deletionPolicy Delete needs a Secret .* but creationPolicy is None/,
  },
  {
    rule: "ES deletionPolicy Delete with creationPolicy CreateOrMerge (v1beta1)",
    manifest: {
      ...withTarget({ creationPolicy: "CreateOrMerge", deletionPolicy: "Delete" }),
      apiVersion: "external-secrets.io/v1beta1",
    },
    message: /deletionPolicy Delete needs a Secret .* but creationPolicy is CreateOrMerge/,
  },
  {
    rule: "ES deletionPolicy Merge with creationPolicy None",
    manifest: withTarget({ creationPolicy: "None", deletionPolicy: "Merge" }),
    message: /deletionPolicy Merge cannot be used with creationPolicy None/,
  },
  {
    rule: "ES template type bootstrap token",
    manifest: withTarget({ template: { type: "bootstrap.kubernetes.io/token" } }),
    message: /bootstrap\.kubernetes\.io\/token is not allowed/,
  },
  {
    rule: "ES service-account-token template with the service-account.name annotation",
    manifest: withTarget({
      template: {
        type: "kubernetes.io/service-account-token",
        metadata: { annotations: { "kubernetes.io/service-account.name": "admin" } },
      },
    }),
    message: /may not set the annotation kubernetes\.io\/service-account\.name/,
  },
  {
    rule: "ES without data and dataFrom",
    manifest: externalSecret({}),
    message: /nothing to fetch: set at least one entry in data or dataFrom/,
  },
  {
    rule: "ES dataFrom entry with extract and find",
    manifest: withDataFrom({ extract: { key: "a" }, find: { name: { regexp: ".*" } } }),
    message: /sets more than one of extract, find and sourceRef\.generatorRef/,
  },
  {
    rule: "ES dataFrom entry with find and a generatorRef",
    manifest: withDataFrom({
      find: { name: { regexp: ".*" } },
      sourceRef: { generatorRef: { kind: "Password", name: "pw" } },
    }),
    message: /sets more than one of extract, find and sourceRef\.generatorRef/,
  },
  {
    rule: "ES empty dataFrom entry",
    manifest: withDataFrom({ rewrite: [{ regexp: { source: "a", target: "b" } }] }),
    message: /dataFrom entry is empty: set one of extract, find or sourceRef/,
  },
  {
    rule: "ES rules also hold inside a ClusterExternalSecret",
    manifest: {
      apiVersion: ES_V1,
      kind: "ClusterExternalSecret",
      metadata: { name: "invalid" },
      spec: {
        externalSecretSpec: {
          ...someData,
          target: { creationPolicy: "Merge", deletionPolicy: "Delete" },
        },
      },
    },
    message: /deletionPolicy Delete needs a Secret .* but creationPolicy is Merge/,
  },
  {
    rule: "ES creationPolicy outside the enum",
    manifest: withTarget({ creationPolicy: "Sometimes" }),
    message: /spec\.target\.creationPolicy: Unsupported value: "Sometimes"/,
  },
  {
    rule: "ES data[].secretKey pattern",
    manifest: externalSecret({ data: [{ secretKey: "a/b", remoteRef: { key: "db" } }] }),
    message: /spec\.data\[0\]\.secretKey in body should match/,
  },
  {
    rule: "store with two providers",
    manifest: secretStore({ fake: { data: [] }, akeyless: {} }),
    message: /spec\.provider must set exactly one provider key/,
  },
  {
    rule: "store with no provider",
    manifest: secretStore({}),
    message: /spec\.provider must set exactly one provider key/,
  },
  {
    rule: "aws customSessionTags with a reserved key",
    manifest: aws({ customSessionTags: { esoNamespace: "x" } }),
    message:
      /customSessionTags may not use the reserved keys esoNamespace, esoStoreName, esoStoreKind/,
  },
  {
    rule: "aws recoveryWindowInDays out of range",
    manifest: aws({ secretsManager: { recoveryWindowInDays: 3 } }),
    message: /recoveryWindowInDays must be between 7 and 30/,
  },
  {
    rule: "aws forceDeleteWithoutRecovery with recoveryWindowInDays",
    manifest: aws({
      secretsManager: { forceDeleteWithoutRecovery: true, recoveryWindowInDays: 7 },
    }),
    message: /forceDeleteWithoutRecovery and recoveryWindowInDays exclude each other/,
  },
  {
    rule: "vault checkAndSet with KV v1",
    manifest: secretStore({
      vault: { server: "https://vault", version: "v1", checkAndSet: { required: true } },
    }),
    message: /checkAndSet\.required works only with KV version v2/,
  },
  {
    rule: "kubernetes auth together with authRef",
    manifest: kubernetes({ auth: { token: { bearerToken: secretRef } }, authRef: secretRef }),
    message: /auth and authRef exclude each other/,
  },
  {
    rule: "kubernetes auth with two methods",
    manifest: kubernetes({
      auth: { token: { bearerToken: secretRef }, serviceAccount: { name: "sa" } },
    }),
    message: /auth must set exactly one of cert, token or serviceAccount/,
  },
  {
    rule: "delinea clientId with both value and secretRef",
    manifest: secretStore({
      delinea: {
        tenant: "t",
        clientId: { value: "id", secretRef },
        clientSecret: { secretRef },
      },
    }),
    message:
      /spec\.provider\.delinea\.clientId: Invalid value: "object": set exactly one of value or secretRef/,
  },
  {
    rule: "aws provider without region",
    manifest: secretStore({ aws: { service: "SecretsManager" } }),
    message: /spec\.provider\.aws\.region: Required value/,
  },
  {
    rule: "PushSecret dataTo with remoteKey and rewrite",
    manifest: pushSecret({
      storeRef: { name: "vault" },
      remoteKey: "bundle",
      rewrite: [{ regexp: { source: "a", target: "b" } }],
    }),
    message: /remoteKey .* and rewrite .* exclude each other/,
  },
  {
    rule: "PushSecret dataTo storeRef without name or labelSelector",
    manifest: pushSecret({ storeRef: { kind: "SecretStore" } }),
    message: /dataTo\[\]\.storeRef needs name or labelSelector/,
  },
  {
    rule: "PushSecret selector with secret and generatorRef",
    manifest: {
      ...pushSecret({ storeRef: { name: "vault" } }),
      spec: {
        secretStoreRefs: [{ name: "vault" }],
        selector: { secret: { name: "s" }, generatorRef: { kind: "UUID", name: "u" } },
      },
    },
    message: /spec\.selector: Too many: 2: must have at most 1 items/,
  },
];

describe("invalid manifests are refused by the apiserver", () => {
  const k = kube();
  let ns: { name: string; remove: () => Promise<void> };

  before(async () => {
    await installCrds();
    ns = await createNamespace(k.core, "api-invalid");
  });
  after(async () => {
    await ns.remove();
  });

  for (const { rule, manifest, message } of cases) {
    it(rule, async () => {
      const result = await kubectl(
        ["apply", "--dry-run=server", "-n", ns.name, "-f", "-"],
        JSON.stringify(manifest),
      );
      assert.notEqual(result.code, 0, `accepted: ${result.stdout}`);
      assert.match(result.stderr, message);
    });
  }
});
