// CRD metadata of the generators.external-secrets.io kinds (eso-reference.md §1, §6).
import type { TSchema } from "@sinclair/typebox";
import { ACRAccessToken } from "../schema/generators/v1alpha1/acraccesstoken.ts";
import { BeyondtrustWorkloadCredentialsDynamicSecret } from "../schema/generators/v1alpha1/beyondtrustworkloadcredentialsdynamicsecret.ts";
import { CloudsmithAccessToken } from "../schema/generators/v1alpha1/cloudsmithaccesstoken.ts";
import { ClusterGenerator } from "../schema/generators/v1alpha1/clustergenerator.ts";
import { ECRAuthorizationToken } from "../schema/generators/v1alpha1/ecrauthorizationtoken.ts";
import { Fake } from "../schema/generators/v1alpha1/fake.ts";
import { GCRAccessToken } from "../schema/generators/v1alpha1/gcraccesstoken.ts";
import { GeneratorState } from "../schema/generators/v1alpha1/generatorstate.ts";
import { GithubAccessToken } from "../schema/generators/v1alpha1/githubaccesstoken.ts";
import { GitlabDeployToken } from "../schema/generators/v1alpha1/gitlabdeploytoken.ts";
import { Grafana } from "../schema/generators/v1alpha1/grafana.ts";
import { MFA } from "../schema/generators/v1alpha1/mfa.ts";
import { Password } from "../schema/generators/v1alpha1/password.ts";
import { QuayAccessToken } from "../schema/generators/v1alpha1/quayaccesstoken.ts";
import { SSHKey } from "../schema/generators/v1alpha1/sshkey.ts";
import { STSSessionToken } from "../schema/generators/v1alpha1/stssessiontoken.ts";
import { UUID } from "../schema/generators/v1alpha1/uuid.ts";
import { VaultDynamicSecret } from "../schema/generators/v1alpha1/vaultdynamicsecret.ts";
import { Webhook } from "../schema/generators/v1alpha1/webhook.ts";
import { age } from "./columns.ts";
import type { CrdDefinition } from "./types.ts";

export const GENERATORS_GROUP = "generators.external-secrets.io";

const CATEGORIES = ["external-secrets", "external-secrets-generators"] as const;

const namespacedGenerators: readonly (readonly [string, TSchema])[] = [
  ["ACRAccessToken", ACRAccessToken],
  ["BeyondtrustWorkloadCredentialsDynamicSecret", BeyondtrustWorkloadCredentialsDynamicSecret],
  ["CloudsmithAccessToken", CloudsmithAccessToken],
  ["ECRAuthorizationToken", ECRAuthorizationToken],
  ["Fake", Fake],
  ["GCRAccessToken", GCRAccessToken],
  ["GithubAccessToken", GithubAccessToken],
  ["GitlabDeployToken", GitlabDeployToken],
  ["Grafana", Grafana],
  ["MFA", MFA],
  ["Password", Password],
  ["QuayAccessToken", QuayAccessToken],
  ["SSHKey", SSHKey],
  ["STSSessionToken", STSSessionToken],
  ["UUID", UUID],
  ["VaultDynamicSecret", VaultDynamicSecret],
  ["Webhook", Webhook],
];

function generatorCrd(kind: string, schema: TSchema): CrdDefinition {
  const singular = kind.toLowerCase();
  return {
    group: GENERATORS_GROUP,
    kind,
    plural: `${singular}s`,
    singular,
    categories: CATEGORIES,
    scope: "Namespaced",
    versions: ["v1alpha1"],
    schema,
    statusSubresource: false,
  };
}

export const generatorCrds: readonly CrdDefinition[] = [
  ...namespacedGenerators.map(([kind, schema]) => generatorCrd(kind, schema)),
  {
    ...generatorCrd("ClusterGenerator", ClusterGenerator),
    scope: "Cluster",
    // declared upstream although nothing writes it
    statusSubresource: true,
  },
  {
    ...generatorCrd("GeneratorState", GeneratorState),
    shortNames: ["gs"],
    printerColumns: [
      { name: "GC Deadline", type: "string", jsonPath: ".spec.garbageCollectionDeadline" },
      { ...age, name: "Age" },
    ],
  },
];
