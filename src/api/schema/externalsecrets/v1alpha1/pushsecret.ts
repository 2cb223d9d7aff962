// PushSecret (external-secrets.io/v1alpha1): eso-reference.md §5.
import { Type, type Static } from "@sinclair/typebox";
import { cel, Duration, FreeJson, OneOf, StringEnum, Time } from "../../meta/v1/builders.ts";
import { Condition, LabelSelector, ObjectName } from "../../meta/v1/types.ts";
import { GeneratorRef, StoreKind } from "../v1/refs.ts";
import { RewriteRegexp, RewriteTransform } from "../v1/externalsecret.ts";
import { ExternalSecretTemplate } from "../v1/template.ts";
import { KindObject } from "../../meta/v1/object.ts";

// No schema default (lessons-from-peers.md R7): unset means None in code.
export const PushSecretConversionStrategy = StringEnum(["None", "ReverseUnicode"]);

export const PushSecretStoreRef = Type.Object({
  name: Type.Optional(ObjectName()),
  labelSelector: Type.Optional(LabelSelector),
  kind: Type.Optional(
    StringEnum(["SecretStore", "ClusterSecretStore"], { default: "SecretStore" }),
  ),
});
export type PushSecretStoreRef = Static<typeof PushSecretStoreRef>;

export const PushSecretRemoteRef = Type.Object({
  remoteKey: Type.String(),
  property: Type.Optional(Type.String()),
});

export const PushSecretMatch = Type.Object({
  secretKey: Type.Optional(Type.String()),
  remoteRef: PushSecretRemoteRef,
});

export const PushSecretData = Type.Object({
  match: PushSecretMatch,
  metadata: Type.Optional(FreeJson()),
  conversionStrategy: Type.Optional(PushSecretConversionStrategy),
});
export type PushSecretData = Static<typeof PushSecretData>;

export const PushSecretRewrite = OneOf({
  regexp: Type.Optional(RewriteRegexp),
  transform: Type.Optional(RewriteTransform),
});

export const PushSecretDataTo = Type.Object(
  {
    storeRef: Type.Object(
      {
        name: Type.Optional(ObjectName()),
        labelSelector: Type.Optional(LabelSelector),
        kind: Type.Optional(StoreKind),
      },
      cel({
        rule: "has(self.name) || has(self.labelSelector)",
        message: "dataTo[].storeRef needs name or labelSelector",
      }),
    ),
    remoteKey: Type.Optional(Type.String()),
    match: Type.Optional(Type.Object({ regexp: Type.Optional(Type.String()) })),
    rewrite: Type.Optional(Type.Array(PushSecretRewrite)),
    metadata: Type.Optional(FreeJson()),
    conversionStrategy: Type.Optional(PushSecretConversionStrategy),
  },
  cel({
    rule: "!(has(self.remoteKey) && has(self.rewrite) && size(self.rewrite) > 0)",
    message:
      "dataTo: remoteKey (push all matched keys as one secret) and rewrite (one secret per key) exclude each other: keep one",
  }),
);
export type PushSecretDataTo = Static<typeof PushSecretDataTo>;

export const PushSecretSelector = OneOf({
  secret: Type.Optional(
    Type.Object({
      name: Type.Optional(ObjectName()),
      selector: Type.Optional(LabelSelector),
    }),
  ),
  generatorRef: Type.Optional(GeneratorRef),
});

export const PushSecretSpec = Type.Object({
  refreshInterval: Type.Optional(Duration({ default: "1h0m0s" })),
  secretStoreRefs: Type.Array(PushSecretStoreRef),
  updatePolicy: Type.Optional(StringEnum(["Replace", "IfNotExists"], { default: "Replace" })),
  deletionPolicy: Type.Optional(StringEnum(["Delete", "None"], { default: "None" })),
  selector: PushSecretSelector,
  data: Type.Optional(Type.Array(PushSecretData)),
  dataTo: Type.Optional(Type.Array(PushSecretDataTo)),
  template: Type.Optional(ExternalSecretTemplate),
});
export type PushSecretSpec = Static<typeof PushSecretSpec>;

export const PushSecretStatus = Type.Object({
  refreshTime: Type.Optional(Type.Union([Time(), Type.Null()])),
  syncedResourceVersion: Type.Optional(Type.String()),
  /** "<Kind>/<storeName>" → "<remoteKey>[/<property>]" → the pushed entry */
  syncedPushSecrets: Type.Optional(
    Type.Record(Type.String(), Type.Record(Type.String(), PushSecretData)),
  ),
  conditions: Type.Optional(Type.Array(Condition(Type.String()))),
});
export type PushSecretStatus = Static<typeof PushSecretStatus>;

export const PushSecret = KindObject(PushSecretSpec, PushSecretStatus);
export type PushSecret = Static<typeof PushSecret>;
