// provider.vault: eso-reference.md §9.2. Also the provider of the
// VaultDynamicSecret generator.
import { Type, type Static } from "@sinclair/typebox";
import { cel, StringEnum, StringMap } from "../../../meta/v1/builders.ts";
import { CAProvider, SecretKeySelector, ServiceAccountSelector } from "../../../meta/v1/types.ts";
import { AwsAuthSecretRef, AwsJwtAuth } from "./aws.ts";
import { GcpSecretRef, GcpWorkloadIdentity } from "./gcp.ts";

/** base64-encoded PEM, as `[]byte` fields are in Kubernetes JSON */
export const CaBundle = (): ReturnType<typeof Type.String> => Type.String({ format: "byte" });

export const KvVersion = StringEnum(["v1", "v2"], { default: "v2" });

export const VaultAppRole = Type.Object({
  path: Type.String({ default: "approle" }),
  roleId: Type.Optional(Type.String()),
  roleRef: Type.Optional(SecretKeySelector),
  secretRef: SecretKeySelector,
});

export const VaultUserPass = Type.Object({
  path: Type.String({ default: "userpass" }),
  username: Type.String(),
  secretRef: Type.Optional(SecretKeySelector),
});

const VaultKubernetesAuth = Type.Object({
  mountPath: Type.String({ default: "kubernetes" }),
  role: Type.String(),
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
  secretRef: Type.Optional(SecretKeySelector),
});

const VaultLdapAuth = Type.Object({
  path: Type.String({ default: "ldap" }),
  username: Type.String(),
  secretRef: Type.Optional(SecretKeySelector),
});

const VaultJwtAuth = Type.Object({
  path: Type.String({ default: "jwt" }),
  role: Type.Optional(Type.String()),
  secretRef: Type.Optional(SecretKeySelector),
  kubernetesServiceAccountToken: Type.Optional(
    Type.Object({
      serviceAccountRef: ServiceAccountSelector,
      audiences: Type.Optional(Type.Array(Type.String())),
      expirationSeconds: Type.Optional(Type.Integer({ format: "int64" })),
    }),
  ),
});

const VaultCertAuth = Type.Object({
  path: Type.Optional(Type.String({ default: "cert" })),
  vaultRole: Type.Optional(Type.String()),
  clientCert: Type.Optional(SecretKeySelector),
  secretRef: Type.Optional(SecretKeySelector),
});

const VaultIamAuth = Type.Object({
  path: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  vaultRole: Type.String(),
  externalID: Type.Optional(Type.String()),
  vaultAwsIamServerID: Type.Optional(Type.String()),
  secretRef: Type.Optional(AwsAuthSecretRef),
  jwt: Type.Optional(AwsJwtAuth),
});

const VaultGcpAuth = Type.Object({
  path: Type.String({ default: "gcp" }),
  role: Type.String(),
  projectID: Type.Optional(Type.String()),
  location: Type.Optional(Type.String()),
  secretRef: Type.Optional(GcpSecretRef),
  workloadIdentity: Type.Optional(GcpWorkloadIdentity),
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
});

export const VaultAuth = Type.Object({
  namespace: Type.Optional(Type.String()),
  tokenSecretRef: Type.Optional(SecretKeySelector),
  appRole: Type.Optional(VaultAppRole),
  kubernetes: Type.Optional(VaultKubernetesAuth),
  ldap: Type.Optional(VaultLdapAuth),
  userPass: Type.Optional(VaultUserPass),
  jwt: Type.Optional(VaultJwtAuth),
  cert: Type.Optional(VaultCertAuth),
  iam: Type.Optional(VaultIamAuth),
  gcp: Type.Optional(VaultGcpAuth),
});
export type VaultAuth = Static<typeof VaultAuth>;

export const VaultProvider = Type.Object(
  {
    auth: Type.Optional(VaultAuth),
    server: Type.String(),
    path: Type.Optional(Type.String()),
    version: Type.Optional(KvVersion),
    namespace: Type.Optional(Type.String()),
    caBundle: Type.Optional(CaBundle()),
    caProvider: Type.Optional(CAProvider),
    tls: Type.Optional(
      Type.Object({
        certSecretRef: Type.Optional(SecretKeySelector),
        keySecretRef: Type.Optional(SecretKeySelector),
      }),
    ),
    readYourWrites: Type.Optional(Type.Boolean()),
    forwardInconsistent: Type.Optional(Type.Boolean()),
    headers: Type.Optional(StringMap()),
    checkAndSet: Type.Optional(Type.Object({ required: Type.Optional(Type.Boolean()) })),
  },
  cel({
    rule: "!(has(self.checkAndSet) && has(self.checkAndSet.required) && self.checkAndSet.required && has(self.version) && self.version == 'v1')",
    message:
      "checkAndSet.required works only with KV version v2: set version to v2 or remove checkAndSet",
  }),
);
export type VaultProvider = Static<typeof VaultProvider>;
