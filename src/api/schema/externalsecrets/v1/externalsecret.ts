// ExternalSecret (external-secrets.io/v1): eso-reference.md §2.
import { Type, type Static } from "@sinclair/typebox";
import { cel, Duration, OneOf, StringEnum, StringMap, Time } from "../../meta/v1/builders.ts";
import { Condition, DataKey, ObjectName } from "../../meta/v1/types.ts";
import { StoreGeneratorSourceRef, SecretStoreRef, StoreSourceRef } from "./refs.ts";
import { DecodingStrategy, ExternalSecretTemplate } from "./template.ts";
import { KindObject } from "../../meta/v1/object.ts";

// No schema defaults on these four: an apiserver default shows up as drift
// in GitOps tools (lessons-from-peers.md R7); unset means the default in code.
export const ConversionStrategy = StringEnum(["Default", "Unicode"]);
export const MetadataPolicy = StringEnum(["None", "Fetch"]);
export const NullBytePolicy = StringEnum(["Ignore", "Fail"]);
export { DecodingStrategy };

export const CreationPolicy = StringEnum(["Owner", "Orphan", "Merge", "None", "CreateOrMerge"], {
  default: "Owner",
});
export const DeletionPolicy = StringEnum(["Delete", "Merge", "Retain"], { default: "Retain" });

export const ExternalSecretDataRemoteRef = Type.Object({
  key: Type.String(),
  property: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  metadataPolicy: Type.Optional(MetadataPolicy),
  conversionStrategy: Type.Optional(ConversionStrategy),
  decodingStrategy: Type.Optional(DecodingStrategy),
  nullBytePolicy: Type.Optional(NullBytePolicy),
});
export type ExternalSecretDataRemoteRef = Static<typeof ExternalSecretDataRemoteRef>;

export const ExternalSecretData = Type.Object({
  secretKey: DataKey(),
  remoteRef: ExternalSecretDataRemoteRef,
  sourceRef: Type.Optional(StoreSourceRef),
});
export type ExternalSecretData = Static<typeof ExternalSecretData>;

export const ExternalSecretFind = Type.Object({
  path: Type.Optional(Type.String()),
  name: Type.Optional(Type.Object({ regexp: Type.Optional(Type.String()) })),
  tags: Type.Optional(StringMap()),
  conversionStrategy: Type.Optional(ConversionStrategy),
  decodingStrategy: Type.Optional(DecodingStrategy),
  nullBytePolicy: Type.Optional(NullBytePolicy),
});
export type ExternalSecretFind = Static<typeof ExternalSecretFind>;

export const ExternalSecretRewriteMerge = Type.Object({
  into: Type.Optional(Type.String({ default: "" })),
  priority: Type.Optional(Type.Array(Type.String())),
  priorityPolicy: Type.Optional(StringEnum(["IgnoreNotFound", "Strict"], { default: "Strict" })),
  conflictPolicy: Type.Optional(StringEnum(["Ignore", "Error"], { default: "Error" })),
  strategy: Type.Optional(StringEnum(["Extract", "JSON"], { default: "Extract" })),
});

export const RewriteRegexp = Type.Object({ source: Type.String(), target: Type.String() });
export const RewriteTransform = Type.Object({ template: Type.String() });

export const ExternalSecretRewrite = OneOf({
  merge: Type.Optional(ExternalSecretRewriteMerge),
  regexp: Type.Optional(RewriteRegexp),
  transform: Type.Optional(RewriteTransform),
});
export type ExternalSecretRewrite = Static<typeof ExternalSecretRewrite>;

export const ExternalSecretDataFromRemoteRef = Type.Object(
  {
    extract: Type.Optional(ExternalSecretDataRemoteRef),
    find: Type.Optional(ExternalSecretFind),
    rewrite: Type.Optional(Type.Array(ExternalSecretRewrite)),
    sourceRef: Type.Optional(StoreGeneratorSourceRef),
  },
  cel(
    {
      rule: "!(has(self.extract) && has(self.find)) && !((has(self.extract) || has(self.find)) && has(self.sourceRef) && has(self.sourceRef.generatorRef))",
      message:
        "dataFrom entry sets more than one of extract, find and sourceRef.generatorRef: keep exactly one of them per entry",
    },
    {
      rule: "has(self.extract) || has(self.find) || has(self.sourceRef)",
      message:
        "dataFrom entry is empty: set one of extract, find or sourceRef (storeRef or generatorRef)",
    },
  ),
);
export type ExternalSecretDataFromRemoteRef = Static<typeof ExternalSecretDataFromRemoteRef>;

export const ExternalSecretTargetManifest = Type.Object({
  apiVersion: Type.String({ minLength: 1 }),
  kind: Type.String({ minLength: 1 }),
});

export const ExternalSecretTarget = Type.Object(
  {
    name: Type.Optional(ObjectName()),
    creationPolicy: Type.Optional(CreationPolicy),
    deletionPolicy: Type.Optional(DeletionPolicy),
    template: Type.Optional(ExternalSecretTemplate),
    manifest: Type.Optional(ExternalSecretTargetManifest),
    immutable: Type.Optional(Type.Boolean()),
  },
  {
    default: { creationPolicy: "Owner", deletionPolicy: "Retain" },
    ...cel(
      {
        rule: "!(has(self.deletionPolicy) && self.deletionPolicy == 'Delete' && has(self.creationPolicy) && self.creationPolicy in ['Merge', 'None', 'CreateOrMerge'])",
        messageExpression:
          "'deletionPolicy Delete needs a Secret that this ExternalSecret owns, but creationPolicy is ' + self.creationPolicy + ': set creationPolicy to Owner or Orphan, or deletionPolicy to Retain'",
      },
      {
        rule: "!(has(self.deletionPolicy) && self.deletionPolicy == 'Merge' && has(self.creationPolicy) && self.creationPolicy == 'None')",
        message:
          "deletionPolicy Merge cannot be used with creationPolicy None (nothing is written): set deletionPolicy to Retain, or creationPolicy to Owner, Orphan, Merge or CreateOrMerge",
      },
      {
        rule: "!has(self.template) || !has(self.template.type) || self.template.type != 'bootstrap.kubernetes.io/token'",
        message:
          "target.template.type bootstrap.kubernetes.io/token is not allowed: ExternalSecrets may not create bootstrap tokens",
      },
      {
        rule: "!has(self.template) || !has(self.template.type) || self.template.type != 'kubernetes.io/service-account-token' || !has(self.template.metadata) || !has(self.template.metadata.annotations) || !('kubernetes.io/service-account.name' in self.template.metadata.annotations)",
        message:
          "target.template of type kubernetes.io/service-account-token may not set the annotation kubernetes.io/service-account.name: remove the annotation or change the type",
      },
    ),
  },
);
export type ExternalSecretTarget = Static<typeof ExternalSecretTarget>;

/** cron (5 fields) or a descriptor such as @daily or @every 1h */
export const SYNC_WINDOW_SCHEDULE =
  "^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|@every [^\\s]+.*|[^\\s]+( [^\\s]+){4})$";

export const SyncWindows = Type.Object({
  kind: StringEnum(["allow", "deny"]),
  windows: Type.Array(
    Type.Object({
      schedule: Type.String({ pattern: SYNC_WINDOW_SCHEDULE }),
      duration: Duration(),
    }),
    { minItems: 1 },
  ),
});

export const ExternalSecretSpec = Type.Object(
  {
    secretStoreRef: Type.Optional(SecretStoreRef),
    target: Type.Optional(ExternalSecretTarget),
    refreshPolicy: Type.Optional(StringEnum(["CreatedOnce", "Periodic", "OnChange"])),
    refreshInterval: Type.Optional(Duration({ default: "1h0m0s" })),
    syncWindows: Type.Optional(SyncWindows),
    data: Type.Optional(Type.Array(ExternalSecretData)),
    dataFrom: Type.Optional(Type.Array(ExternalSecretDataFromRemoteRef)),
  },
  cel({
    rule: "(has(self.data) && size(self.data) > 0) || (has(self.dataFrom) && size(self.dataFrom) > 0)",
    message: "nothing to fetch: set at least one entry in data or dataFrom",
  }),
);
export type ExternalSecretSpec = Static<typeof ExternalSecretSpec>;

export const ExternalSecretConditionType = StringEnum(["Ready", "Deleted"]);

export const ExternalSecretStatus = Type.Object({
  refreshTime: Type.Optional(Type.Union([Time(), Type.Null()])),
  syncedResourceVersion: Type.Optional(Type.String()),
  conditions: Type.Optional(Type.Array(Condition(ExternalSecretConditionType))),
  binding: Type.Optional(Type.Object({ name: Type.Optional(Type.String()) })),
});
export type ExternalSecretStatus = Static<typeof ExternalSecretStatus>;

export const ExternalSecret = KindObject(ExternalSecretSpec, ExternalSecretStatus);
export type ExternalSecret = Static<typeof ExternalSecret>;
