// provider.azurekv: Azure Key Vault (eso-reference.md §9.3).
import { Type, type Static } from "@sinclair/typebox";
import { StringEnum } from "../../../meta/v1/builders.ts";
import { SecretKeySelector, ServiceAccountSelector } from "../../../meta/v1/types.ts";

export const AzureEnvironmentType = StringEnum(
  ["PublicCloud", "USGovernmentCloud", "ChinaCloud", "GermanCloud", "AzureStackCloud"],
  { default: "PublicCloud" },
);

export const AzureKvProvider = Type.Object({
  authType: Type.Optional(
    StringEnum(["ServicePrincipal", "ManagedIdentity", "WorkloadIdentity"], {
      default: "ServicePrincipal",
    }),
  ),
  vaultUrl: Type.String(),
  tenantId: Type.Optional(Type.String()),
  environmentType: Type.Optional(AzureEnvironmentType),
  authSecretRef: Type.Optional(
    Type.Object({
      clientId: Type.Optional(SecretKeySelector),
      clientSecret: Type.Optional(SecretKeySelector),
      clientCertificate: Type.Optional(SecretKeySelector),
      tenantId: Type.Optional(SecretKeySelector),
    }),
  ),
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
  identityId: Type.Optional(Type.String()),
  customCloudConfig: Type.Optional(
    Type.Object({
      activeDirectoryEndpoint: Type.String(),
      keyVaultEndpoint: Type.Optional(Type.String()),
      keyVaultDNSSuffix: Type.Optional(Type.String()),
      resourceManagerEndpoint: Type.Optional(Type.String()),
    }),
  ),
  useAzureSDK: Type.Optional(Type.Boolean({ default: false })),
});
export type AzureKvProvider = Static<typeof AzureKvProvider>;
