// Reference types shared by every kind (upstream apis/meta/v1 and the
// Kubernetes core types ESO embeds).
import {
  Type,
  type Static,
  type TObject,
  type TOptional,
  type TSchema,
  type TString,
} from "@sinclair/typebox";
import { StringEnum, StringMap, Time } from "./builders.ts";

/** DNS-1123 subdomain, the shape of most object names. */
export const DNS1123_SUBDOMAIN =
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/** DNS-1123 label, the shape of namespace names. */
export const DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
/** A key of a Secret or ConfigMap `data` map. */
export const DATA_KEY = "^[-._a-zA-Z0-9]+$";

export function ObjectName(): TString {
  return Type.String({ minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN });
}
export function NamespaceName(): TString {
  return Type.String({ minLength: 1, maxLength: 63, pattern: DNS1123_LABEL });
}
export function DataKey(): TString {
  return Type.String({ minLength: 1, maxLength: 253, pattern: DATA_KEY });
}

/** A key in a Secret; `namespace` only matters for cluster-scoped stores. */
export const SecretKeySelector = Type.Object({
  name: Type.Optional(ObjectName()),
  namespace: Type.Optional(NamespaceName()),
  key: Type.Optional(DataKey()),
});
export type SecretKeySelector = Static<typeof SecretKeySelector>;

/** A key in a Secret in the same namespace (no `namespace` field). */
export const LocalSecretKeySelector = Type.Object({
  name: Type.Optional(ObjectName()),
  key: Type.Optional(DataKey()),
});
export type LocalSecretKeySelector = Static<typeof LocalSecretKeySelector>;

/** A ServiceAccount whose token is requested (TokenRequest). */
export const ServiceAccountSelector = Type.Object({
  name: ObjectName(),
  namespace: Type.Optional(NamespaceName()),
  audiences: Type.Optional(Type.Array(Type.String())),
});
export type ServiceAccountSelector = Static<typeof ServiceAccountSelector>;

/** Where a CA bundle is read from. */
export const CAProvider = Type.Object({
  type: StringEnum(["Secret", "ConfigMap"]),
  name: ObjectName(),
  key: Type.Optional(DataKey()),
  namespace: Type.Optional(NamespaceName()),
});
export type CAProvider = Static<typeof CAProvider>;

/** metav1.LabelSelector */
export const LabelSelector = Type.Object({
  matchLabels: Type.Optional(StringMap()),
  matchExpressions: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String(),
        operator: Type.String(),
        values: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  ),
});
export type LabelSelector = Static<typeof LabelSelector>;

/** labels and annotations applied to a generated object */
export const LabelsAndAnnotations = Type.Object({
  labels: Type.Optional(StringMap()),
  annotations: Type.Optional(StringMap()),
});

type ConditionShape<T extends TSchema> = TObject<{
  type: T;
  status: TString;
  reason: TOptional<TString>;
  message: TOptional<TString>;
  lastTransitionTime: TOptional<TString>;
}>;

/** A status condition with reason and transition time. */
export function Condition<T extends TSchema>(type: T): ConditionShape<T> {
  return Type.Object({
    type,
    status: Type.String(),
    reason: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    lastTransitionTime: Type.Optional(Time()),
  });
}

/** RetrySettings of stores and some generators. */
export const RetrySettings = Type.Object({
  maxRetries: Type.Optional(Type.Integer({ format: "int32" })),
  retryInterval: Type.Optional(Type.String()),
});
export type RetrySettings = Static<typeof RetrySettings>;
