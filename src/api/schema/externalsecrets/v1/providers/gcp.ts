// provider.gcpsm: eso-reference.md §9.4. The auth block is shared with the
// GCRAccessToken generator; workload identity also with Vault's gcp auth.
import { Type, type Static } from "@sinclair/typebox";
import {
  NamespaceName,
  ObjectName,
  SecretKeySelector,
  ServiceAccountSelector,
} from "../../../meta/v1/types.ts";

export const GcpSecretRef = Type.Object({
  secretAccessKeySecretRef: Type.Optional(SecretKeySelector),
});

export const GcpWorkloadIdentity = Type.Object({
  serviceAccountRef: ServiceAccountSelector,
  clusterLocation: Type.Optional(Type.String()),
  clusterName: Type.Optional(Type.String()),
  clusterProjectID: Type.Optional(Type.String()),
});

export const GcpWorkloadIdentityFederation = Type.Object({
  credConfig: Type.Optional(
    Type.Object({
      name: ObjectName(),
      namespace: Type.Optional(NamespaceName()),
      key: Type.String(),
    }),
  ),
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
  awsSecurityCredentials: Type.Optional(
    Type.Object({
      awsCredentialsSecretRef: Type.Object({
        name: ObjectName(),
        namespace: Type.Optional(NamespaceName()),
      }),
      region: Type.String(),
    }),
  ),
  audience: Type.Optional(Type.String()),
  externalTokenEndpoint: Type.Optional(Type.String()),
  gcpServiceAccountEmail: Type.Optional(Type.String()),
});

export const GcpAuth = Type.Object({
  secretRef: Type.Optional(GcpSecretRef),
  workloadIdentity: Type.Optional(GcpWorkloadIdentity),
  workloadIdentityFederation: Type.Optional(GcpWorkloadIdentityFederation),
});
export type GcpAuth = Static<typeof GcpAuth>;

export const GcpSmProvider = Type.Object({
  auth: Type.Optional(GcpAuth),
  projectID: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
  // LatestOrFail | LatestOrFetch; ESO's schema has no enum here.
  secretVersionSelectionPolicy: Type.Optional(Type.String({ default: "LatestOrFail" })),
});
export type GcpSmProvider = Static<typeof GcpSmProvider>;
