// provider.aws: eso-reference.md §9.1. The auth block is shared with the
// ECRAuthorizationToken and STSSessionToken generators and Vault's iam auth.
import { Type, type Static } from "@sinclair/typebox";
import { cel, StringEnum, StringMap } from "../../../meta/v1/builders.ts";
import { SecretKeySelector, ServiceAccountSelector } from "../../../meta/v1/types.ts";

export const AwsAuthSecretRef = Type.Object({
  accessKeyIDSecretRef: SecretKeySelector,
  secretAccessKeySecretRef: SecretKeySelector,
  sessionTokenSecretRef: Type.Optional(SecretKeySelector),
});

export const AwsJwtAuth = Type.Object({
  serviceAccountRef: Type.Optional(ServiceAccountSelector),
});

export const AwsAuth = Type.Object({
  secretRef: Type.Optional(AwsAuthSecretRef),
  jwt: Type.Optional(AwsJwtAuth),
});
export type AwsAuth = Static<typeof AwsAuth>;

const RESERVED_SESSION_TAGS = ["esoNamespace", "esoStoreName", "esoStoreKind"] as const;

export const AwsProvider = Type.Object({
  service: StringEnum(["SecretsManager", "ParameterStore", "CertificateManager"]),
  region: Type.String(),
  auth: Type.Optional(AwsAuth),
  role: Type.Optional(Type.String()),
  additionalRoles: Type.Optional(Type.Array(Type.String())),
  externalID: Type.Optional(Type.String()),
  sessionTags: Type.Optional(Type.Array(Type.Object({ key: Type.String(), value: Type.String() }))),
  transitiveTagKeys: Type.Optional(Type.Array(Type.String())),
  sessionTagsPolicy: Type.Optional(StringEnum(["None", "Simple", "Custom"], { default: "None" })),
  customSessionTags: Type.Optional(
    StringMap(
      cel({
        rule: RESERVED_SESSION_TAGS.map((k) => `!('${k}' in self)`).join(" && "),
        message: `customSessionTags may not use the reserved keys ${RESERVED_SESSION_TAGS.join(", ")}: ESO sets them itself, rename the tag`,
      }),
    ),
  ),
  prefix: Type.Optional(Type.String()),
  secretsManager: Type.Optional(
    Type.Object(
      {
        forceDeleteWithoutRecovery: Type.Optional(Type.Boolean()),
        recoveryWindowInDays: Type.Optional(Type.Integer({ format: "int64" })),
      },
      cel(
        {
          rule: "!has(self.recoveryWindowInDays) || self.recoveryWindowInDays == 0 || (self.recoveryWindowInDays >= 7 && self.recoveryWindowInDays <= 30)",
          message: "secretsManager.recoveryWindowInDays must be between 7 and 30",
        },
        {
          rule: "!(has(self.forceDeleteWithoutRecovery) && self.forceDeleteWithoutRecovery && has(self.recoveryWindowInDays) && self.recoveryWindowInDays != 0)",
          message:
            "secretsManager: forceDeleteWithoutRecovery and recoveryWindowInDays exclude each other: set only one",
        },
      ),
    ),
  ),
});
export type AwsProvider = Static<typeof AwsProvider>;
