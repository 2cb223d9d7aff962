// ClusterPushSecret (external-secrets.io/v1alpha1): eso-reference.md §5.4.
import { Type, type Static } from "@sinclair/typebox";
import { Duration } from "../../meta/v1/builders.ts";
import { Condition, LabelSelector, LabelsAndAnnotations } from "../../meta/v1/types.ts";
import { PushSecretSpec } from "./pushsecret.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const ClusterPushSecretSpec = Type.Object({
  pushSecretSpec: PushSecretSpec,
  pushSecretName: Type.Optional(Type.String()),
  pushSecretMetadata: Type.Optional(LabelsAndAnnotations),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelector)),
  refreshTime: Type.Optional(Duration()),
});
export type ClusterPushSecretSpec = Static<typeof ClusterPushSecretSpec>;

export const ClusterPushSecretStatus = Type.Object({
  pushSecretName: Type.Optional(Type.String()),
  failedNamespaces: Type.Optional(
    Type.Array(Type.Object({ namespace: Type.String(), reason: Type.Optional(Type.String()) })),
  ),
  provisionedNamespaces: Type.Optional(Type.Array(Type.String())),
  conditions: Type.Optional(Type.Array(Condition(Type.String()))),
});
export type ClusterPushSecretStatus = Static<typeof ClusterPushSecretStatus>;

export const ClusterPushSecret = KindObject(ClusterPushSecretSpec, ClusterPushSecretStatus);
export type ClusterPushSecret = Static<typeof ClusterPushSecret>;
