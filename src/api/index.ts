// The Ferry API (L0): the ESO-compatible kinds as TypeBox schemas, their
// static types, compiled validators and ESO's well-known names. CRD emission
// is ./crd/index.ts, imported by `ferry crds` and the scripts only: a running
// controller does not need it (start-up memory).
import { validator } from "./validators.ts";
import { ClusterExternalSecret } from "./schema/externalsecrets/v1/clusterexternalsecret.ts";
import { ClusterSecretStore } from "./schema/externalsecrets/v1/clustersecretstore.ts";
import { ExternalSecret } from "./schema/externalsecrets/v1/externalsecret.ts";
import { SecretStore, SecretStoreSpec } from "./schema/externalsecrets/v1/secretstore.ts";
import { ClusterPushSecret } from "./schema/externalsecrets/v1alpha1/clusterpushsecret.ts";
import { PushSecret } from "./schema/externalsecrets/v1alpha1/pushsecret.ts";
import { ClusterGenerator, GeneratorSpec } from "./schema/generators/v1alpha1/clustergenerator.ts";
import { GeneratorState } from "./schema/generators/v1alpha1/generatorstate.ts";
import { ACRAccessTokenSpec } from "./schema/generators/v1alpha1/acraccesstoken.ts";
import { BeyondtrustWorkloadCredentialsDynamicSecretSpec } from "./schema/generators/v1alpha1/beyondtrustworkloadcredentialsdynamicsecret.ts";
import { CloudsmithAccessTokenSpec } from "./schema/generators/v1alpha1/cloudsmithaccesstoken.ts";
import { ECRAuthorizationTokenSpec } from "./schema/generators/v1alpha1/ecrauthorizationtoken.ts";
import { FakeSpec } from "./schema/generators/v1alpha1/fake.ts";
import { GCRAccessTokenSpec } from "./schema/generators/v1alpha1/gcraccesstoken.ts";
import { GithubAccessTokenSpec } from "./schema/generators/v1alpha1/githubaccesstoken.ts";
import { GitlabDeployTokenSpec } from "./schema/generators/v1alpha1/gitlabdeploytoken.ts";
import { GrafanaSpec } from "./schema/generators/v1alpha1/grafana.ts";
import { MFASpec } from "./schema/generators/v1alpha1/mfa.ts";
import { PasswordSpec } from "./schema/generators/v1alpha1/password.ts";
import { QuayAccessTokenSpec } from "./schema/generators/v1alpha1/quayaccesstoken.ts";
import { SSHKeySpec } from "./schema/generators/v1alpha1/sshkey.ts";
import { STSSessionTokenSpec } from "./schema/generators/v1alpha1/stssessiontoken.ts";
import { UUIDSpec } from "./schema/generators/v1alpha1/uuid.ts";
import { VaultDynamicSecretSpec } from "./schema/generators/v1alpha1/vaultdynamicsecret.ts";
import { WebhookSpec } from "./schema/generators/v1alpha1/webhook.ts";

export * from "./schema/meta/v1/types.ts";
export * from "./schema/externalsecrets/v1/refs.ts";
export * from "./schema/externalsecrets/v1/template.ts";
export * from "./schema/externalsecrets/v1/externalsecret.ts";
export * from "./schema/externalsecrets/v1/clusterexternalsecret.ts";
export * from "./schema/externalsecrets/v1/secretstore.ts";
export * from "./schema/externalsecrets/v1/clustersecretstore.ts";
export * from "./schema/externalsecrets/v1/providers/aws.ts";
export * from "./schema/externalsecrets/v1/providers/azurekv.ts";
export * from "./schema/externalsecrets/v1/providers/beyondtrustworkloadcredentials.ts";
export * from "./schema/externalsecrets/v1/providers/delinea.ts";
export * from "./schema/externalsecrets/v1/providers/fake.ts";
export * from "./schema/externalsecrets/v1/providers/gcp.ts";
export * from "./schema/externalsecrets/v1/providers/kubernetes.ts";
export * from "./schema/externalsecrets/v1/providers/openbao.ts";
export * from "./schema/externalsecrets/v1/providers/vault.ts";
export * from "./schema/externalsecrets/v1/providers/webhook.ts";
export * from "./schema/externalsecrets/v1alpha1/pushsecret.ts";
export * from "./schema/externalsecrets/v1alpha1/clusterpushsecret.ts";
export * from "./schema/generators/v1alpha1/acraccesstoken.ts";
export * from "./schema/generators/v1alpha1/beyondtrustworkloadcredentialsdynamicsecret.ts";
export * from "./schema/generators/v1alpha1/cloudsmithaccesstoken.ts";
export * from "./schema/generators/v1alpha1/clustergenerator.ts";
export * from "./schema/generators/v1alpha1/ecrauthorizationtoken.ts";
export * from "./schema/generators/v1alpha1/fake.ts";
export * from "./schema/generators/v1alpha1/gcraccesstoken.ts";
export * from "./schema/generators/v1alpha1/generatorstate.ts";
export * from "./schema/generators/v1alpha1/githubaccesstoken.ts";
export * from "./schema/generators/v1alpha1/gitlabdeploytoken.ts";
export * from "./schema/generators/v1alpha1/grafana.ts";
export * from "./schema/generators/v1alpha1/mfa.ts";
export * from "./schema/generators/v1alpha1/password.ts";
export * from "./schema/generators/v1alpha1/quayaccesstoken.ts";
export * from "./schema/generators/v1alpha1/sshkey.ts";
export * from "./schema/generators/v1alpha1/stssessiontoken.ts";
export * from "./schema/generators/v1alpha1/uuid.ts";
export * from "./schema/generators/v1alpha1/vaultdynamicsecret.ts";
export * from "./schema/generators/v1alpha1/webhook.ts";
export * from "./externalsecrets/v1/index.ts";
export { validator, type Validator, type ValidationIssue } from "./validators.ts";

/** Validators of whole objects, by kind. */
export const validators = {
  ExternalSecret: validator(ExternalSecret),
  ClusterExternalSecret: validator(ClusterExternalSecret),
  SecretStore: validator(SecretStore),
  ClusterSecretStore: validator(ClusterSecretStore),
  PushSecret: validator(PushSecret),
  ClusterPushSecret: validator(ClusterPushSecret),
  ClusterGenerator: validator(ClusterGenerator),
  GeneratorState: validator(GeneratorState),
  SecretStoreSpec: validator(SecretStoreSpec),
  GeneratorSpec: validator(GeneratorSpec),
} as const;

/**
 * Validators of generator specs by kind: ClusterGenerator and GeneratorState
 * carry these as raw JSON the apiserver has not checked.
 */
export const generatorSpecValidators = {
  ACRAccessToken: validator(ACRAccessTokenSpec),
  BeyondtrustWorkloadCredentialsDynamicSecret: validator(
    BeyondtrustWorkloadCredentialsDynamicSecretSpec,
  ),
  CloudsmithAccessToken: validator(CloudsmithAccessTokenSpec),
  ECRAuthorizationToken: validator(ECRAuthorizationTokenSpec),
  Fake: validator(FakeSpec),
  GCRAccessToken: validator(GCRAccessTokenSpec),
  GithubAccessToken: validator(GithubAccessTokenSpec),
  GitlabDeployToken: validator(GitlabDeployTokenSpec),
  Grafana: validator(GrafanaSpec),
  MFA: validator(MFASpec),
  Password: validator(PasswordSpec),
  QuayAccessToken: validator(QuayAccessTokenSpec),
  SSHKey: validator(SSHKeySpec),
  STSSessionToken: validator(STSSessionTokenSpec),
  UUID: validator(UUIDSpec),
  VaultDynamicSecret: validator(VaultDynamicSecretSpec),
  Webhook: validator(WebhookSpec),
} as const;
