// ClusterExternalSecret (external-secrets.io/v1): eso-reference.md §3.
import { Type, type Static } from "@sinclair/typebox";
import { Duration } from "../../meta/v1/builders.ts";
import { LabelSelector, LabelsAndAnnotations } from "../../meta/v1/types.ts";
import { ExternalSecretSpec } from "./externalsecret.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const ClusterExternalSecretSpec = Type.Object({
  externalSecretSpec: ExternalSecretSpec,
  externalSecretName: Type.Optional(Type.String()),
  externalSecretMetadata: Type.Optional(LabelsAndAnnotations),
  /** Deprecated: use namespaceSelectors. */
  namespaceSelector: Type.Optional(LabelSelector),
  namespaceSelectors: Type.Optional(Type.Array(LabelSelector)),
  /** Deprecated: use namespaceSelectors. */
  namespaces: Type.Optional(Type.Array(Type.String())),
  refreshTime: Type.Optional(Duration()),
});
export type ClusterExternalSecretSpec = Static<typeof ClusterExternalSecretSpec>;

export const ClusterExternalSecretStatus = Type.Object({
  externalSecretName: Type.Optional(Type.String()),
  failedNamespaces: Type.Optional(
    Type.Array(Type.Object({ namespace: Type.String(), reason: Type.Optional(Type.String()) })),
  ),
  provisionedNamespaces: Type.Optional(Type.Array(Type.String())),
  conditions: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String(),
        status: Type.String(),
        message: Type.Optional(Type.String()),
      }),
    ),
  ),
});
export type ClusterExternalSecretStatus = Static<typeof ClusterExternalSecretStatus>;

export const ClusterExternalSecret = KindObject(
  ClusterExternalSecretSpec,
  ClusterExternalSecretStatus,
);
export type ClusterExternalSecret = Static<typeof ClusterExternalSecret>;
