// ClusterGenerator: a cluster-wide generator of any namespaced kind.
import { Type, type Static } from "@sinclair/typebox";
import { OneOf, StringEnum } from "../../meta/v1/builders.ts";
import { ACRAccessTokenSpec } from "./acraccesstoken.ts";
import { BeyondtrustWorkloadCredentialsDynamicSecretSpec } from "./beyondtrustworkloadcredentialsdynamicsecret.ts";
import { CloudsmithAccessTokenSpec } from "./cloudsmithaccesstoken.ts";
import { ECRAuthorizationTokenSpec } from "./ecrauthorizationtoken.ts";
import { FakeSpec } from "./fake.ts";
import { GCRAccessTokenSpec } from "./gcraccesstoken.ts";
import { GithubAccessTokenSpec } from "./githubaccesstoken.ts";
import { GitlabDeployTokenSpec } from "./gitlabdeploytoken.ts";
import { GrafanaSpec } from "./grafana.ts";
import { MFASpec } from "./mfa.ts";
import { PasswordSpec } from "./password.ts";
import { QuayAccessTokenSpec } from "./quayaccesstoken.ts";
import { SSHKeySpec } from "./sshkey.ts";
import { STSSessionTokenSpec } from "./stssessiontoken.ts";
import { UUIDSpec } from "./uuid.ts";
import { VaultDynamicSecretSpec } from "./vaultdynamicsecret.ts";
import { WebhookSpec } from "./webhook.ts";
import { KindObject } from "../../meta/v1/object.ts";

import { GENERATOR_KINDS } from "./kinds.ts";
export { GENERATOR_KINDS, type GeneratorKind } from "./kinds.ts";

export const GeneratorSpec = OneOf({
  acrAccessTokenSpec: Type.Optional(ACRAccessTokenSpec),
  beyondtrustWorkloadCredentialsDynamicSecretSpec: Type.Optional(
    BeyondtrustWorkloadCredentialsDynamicSecretSpec,
  ),
  cloudsmithAccessTokenSpec: Type.Optional(CloudsmithAccessTokenSpec),
  ecrAuthorizationTokenSpec: Type.Optional(ECRAuthorizationTokenSpec),
  fakeSpec: Type.Optional(FakeSpec),
  gcrAccessTokenSpec: Type.Optional(GCRAccessTokenSpec),
  githubAccessTokenSpec: Type.Optional(GithubAccessTokenSpec),
  gitlabDeployTokenSpec: Type.Optional(GitlabDeployTokenSpec),
  grafanaSpec: Type.Optional(GrafanaSpec),
  mfaSpec: Type.Optional(MFASpec),
  passwordSpec: Type.Optional(PasswordSpec),
  quayAccessTokenSpec: Type.Optional(QuayAccessTokenSpec),
  sshKeySpec: Type.Optional(SSHKeySpec),
  stsSessionTokenSpec: Type.Optional(STSSessionTokenSpec),
  uuidSpec: Type.Optional(UUIDSpec),
  vaultDynamicSecretSpec: Type.Optional(VaultDynamicSecretSpec),
  webhookSpec: Type.Optional(WebhookSpec),
});
export type GeneratorSpec = Static<typeof GeneratorSpec>;

export const ClusterGeneratorSpec = Type.Object({
  kind: StringEnum(GENERATOR_KINDS),
  generator: GeneratorSpec,
});
export type ClusterGeneratorSpec = Static<typeof ClusterGeneratorSpec>;

export const ClusterGenerator = KindObject(ClusterGeneratorSpec);
export type ClusterGenerator = Static<typeof ClusterGenerator>;
