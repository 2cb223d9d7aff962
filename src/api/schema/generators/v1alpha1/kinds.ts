// The namespaced generator kinds of generators.external-secrets.io/v1alpha1
// (a ClusterGenerator wraps one of them; a generatorRef names one of them or
// a ClusterGenerator).
export const GENERATOR_KINDS = [
  "ACRAccessToken",
  "BeyondtrustWorkloadCredentialsDynamicSecret",
  "CloudsmithAccessToken",
  "ECRAuthorizationToken",
  "Fake",
  "GCRAccessToken",
  "GithubAccessToken",
  "GitlabDeployToken",
  "QuayAccessToken",
  "Password",
  "SSHKey",
  "STSSessionToken",
  "UUID",
  "VaultDynamicSecret",
  "Webhook",
  "Grafana",
  "MFA",
] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];
