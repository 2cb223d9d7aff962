// provider.kubernetes: Secrets of a (remote) cluster (eso-reference.md §9.5).
import { Type, type Static } from "@sinclair/typebox";
import { cel } from "../../../meta/v1/builders.ts";
import { CAProvider, SecretKeySelector, ServiceAccountSelector } from "../../../meta/v1/types.ts";
import { CaBundle } from "./vault.ts";

export const KubernetesAuth = Type.Object(
  {
    cert: Type.Optional(
      Type.Object({
        clientCert: Type.Optional(SecretKeySelector),
        clientKey: Type.Optional(SecretKeySelector),
      }),
    ),
    token: Type.Optional(Type.Object({ bearerToken: Type.Optional(SecretKeySelector) })),
    serviceAccount: Type.Optional(ServiceAccountSelector),
  },
  {
    // CEL instead of maxProperties, which would stop the apiserver before the rule.
    minProperties: 1,
    ...cel({
      rule: "[has(self.cert), has(self.token), has(self.serviceAccount)].filter(x, x).size() == 1",
      message: "auth must set exactly one of cert, token or serviceAccount",
    }),
  },
);

export const KubernetesProvider = Type.Object(
  {
    server: Type.Optional(
      Type.Object({
        url: Type.Optional(Type.String({ default: "kubernetes.default" })),
        caBundle: Type.Optional(CaBundle()),
        caProvider: Type.Optional(CAProvider),
      }),
    ),
    auth: Type.Optional(KubernetesAuth),
    authRef: Type.Optional(SecretKeySelector),
    remoteNamespace: Type.Optional(Type.String({ default: "default" })),
  },
  cel({
    rule: "!(has(self.auth) && has(self.authRef))",
    message:
      "auth and authRef exclude each other: use inline auth or a kubeconfig in authRef, not both",
  }),
);
export type KubernetesProvider = Static<typeof KubernetesProvider>;
