// SecretStore and ClusterSecretStore (external-secrets.io/v1): eso-reference.md §4.
import { Type, type Static, type TOptional, type TUnsafe } from "@sinclair/typebox";
import { cel, IntOrString, OpenObject, StringEnum } from "../../meta/v1/builders.ts";
import { Condition, LabelSelector, RetrySettings } from "../../meta/v1/types.ts";
import { AwsProvider } from "./providers/aws.ts";
import { AzureKvProvider } from "./providers/azurekv.ts";
import { BeyondtrustWorkloadCredentialsProvider } from "./providers/beyondtrustworkloadcredentials.ts";
import { DelineaProvider } from "./providers/delinea.ts";
import { FakeProvider } from "./providers/fake.ts";
import { GcpSmProvider } from "./providers/gcp.ts";
import { KubernetesProvider } from "./providers/kubernetes.ts";
import { OpenBaoProvider } from "./providers/openbao.ts";
import { VaultProvider } from "./providers/vault.ts";
import { WebhookProvider } from "./providers/webhook.ts";
import { KindObject } from "../../meta/v1/object.ts";

/**
 * Providers ESO 2.9.0 has whose fields Ferry does not model yet: the key is
 * accepted with any content, and the controller reports in status that the
 * provider is not supported (rather than the apiserver refusing the store).
 */
export const DEFERRED_PROVIDERS = [
  "akeyless",
  "barbican",
  "beyondtrust",
  "bitwardensecretsmanager",
  "chef",
  "cloudrusm",
  "conjur",
  "crd",
  "doppler",
  "dvls",
  "fortanix",
  "github",
  "gitlab",
  "ibm",
  "infisical",
  "keepersecurity",
  "nebiusmysterybox",
  "ngrok",
  "onboardbase",
  "onepassword",
  "onepasswordSDK",
  "oracle",
  "ovh",
  "passbolt",
  "passworddepot",
  "previder",
  "pulumi",
  "scaleway",
  "secretserver",
  "senhasegura",
  "volcengine",
  "yandexcertificatemanager",
  "yandexlockbox",
] as const;
export type DeferredProviderName = (typeof DEFERRED_PROVIDERS)[number];

const modelledProviders = {
  aws: Type.Optional(AwsProvider),
  azurekv: Type.Optional(AzureKvProvider),
  beyondtrustworkloadcredentials: Type.Optional(BeyondtrustWorkloadCredentialsProvider),
  delinea: Type.Optional(DelineaProvider),
  fake: Type.Optional(FakeProvider),
  gcpsm: Type.Optional(GcpSmProvider),
  kubernetes: Type.Optional(KubernetesProvider),
  openBao: Type.Optional(OpenBaoProvider),
  vault: Type.Optional(VaultProvider),
  webhook: Type.Optional(WebhookProvider),
};

const deferredProviders = Object.fromEntries(
  DEFERRED_PROVIDERS.map((name) => [name, Type.Optional(OpenObject())]),
) as Record<DeferredProviderName, TOptional<TUnsafe<Record<string, unknown>>>>;

/** Providers whose fields are modelled completely. */
export const MODELLED_PROVIDERS = Object.keys(modelledProviders).sort();

// CEL cannot count an object's keys, so count the providers that are set.
const providerCount = `[${Object.keys({ ...modelledProviders, ...deferredProviders })
  .sort()
  .map((name) => `has(self.${name})`)
  .join(", ")}].filter(set, set).size()`;

export const SecretStoreProvider = Type.Object(
  { ...modelledProviders, ...deferredProviders },
  {
    // No maxProperties: the apiserver skips CEL rules once it is exceeded,
    // and the rule below says more than "Too many: 2".
    minProperties: 1,
    ...cel({
      rule: `${providerCount} == 1`,
      message:
        "spec.provider must set exactly one provider key (such as aws, vault or kubernetes): keep one and move the others to their own SecretStore",
    }),
  },
);
export type SecretStoreProvider = Static<typeof SecretStoreProvider>;

export const ClusterSecretStoreCondition = Type.Object({
  namespaceSelector: Type.Optional(LabelSelector),
  namespaces: Type.Optional(Type.Array(Type.String())),
  namespaceRegexes: Type.Optional(Type.Array(Type.String())),
});

export const SecretStoreSpec = Type.Object({
  controller: Type.Optional(Type.String()),
  provider: SecretStoreProvider,
  retrySettings: Type.Optional(RetrySettings),
  refreshInterval: Type.Optional(IntOrString()),
  conditions: Type.Optional(Type.Array(ClusterSecretStoreCondition)),
});
export type SecretStoreSpec = Static<typeof SecretStoreSpec>;

export const SecretStoreCapabilities = StringEnum(["ReadOnly", "WriteOnly", "ReadWrite"]);

export const SecretStoreStatus = Type.Object({
  conditions: Type.Optional(Type.Array(Condition(Type.String()))),
  capabilities: Type.Optional(Type.String()),
});
export type SecretStoreStatus = Static<typeof SecretStoreStatus>;

export const SecretStore = KindObject(SecretStoreSpec, SecretStoreStatus);
export type SecretStore = Static<typeof SecretStore>;
