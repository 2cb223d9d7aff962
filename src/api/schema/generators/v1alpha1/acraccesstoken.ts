// ACRAccessToken: an Azure Container Registry token (eso-reference.md §6.2).
import { Type, type Static } from "@sinclair/typebox";
import { SecretKeySelector, ServiceAccountSelector } from "../../meta/v1/types.ts";
import { AzureEnvironmentType } from "../../externalsecrets/v1/providers/azurekv.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const ACRAccessTokenSpec = Type.Object({
  auth: Type.Object({
    servicePrincipal: Type.Optional(
      Type.Object({
        secretRef: Type.Object({
          clientId: Type.Optional(SecretKeySelector),
          clientSecret: Type.Optional(SecretKeySelector),
        }),
      }),
    ),
    managedIdentity: Type.Optional(Type.Object({ identityId: Type.Optional(Type.String()) })),
    workloadIdentity: Type.Optional(
      Type.Object({ serviceAccountRef: Type.Optional(ServiceAccountSelector) }),
    ),
  }),
  tenantId: Type.Optional(Type.String()),
  registry: Type.String(),
  scope: Type.Optional(Type.String()),
  environmentType: Type.Optional(AzureEnvironmentType),
});
export type ACRAccessTokenSpec = Static<typeof ACRAccessTokenSpec>;

export const ACRAccessToken = KindObject(ACRAccessTokenSpec);
export type ACRAccessToken = Static<typeof ACRAccessToken>;
