// Grafana: a Grafana service account token (stateful).
import { Type, type Static } from "@sinclair/typebox";
import { LocalSecretKeySelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const GrafanaSpec = Type.Object({
  url: Type.String(),
  auth: Type.Object({
    token: Type.Optional(LocalSecretKeySelector),
    basic: Type.Optional(
      Type.Object({ username: Type.String(), password: LocalSecretKeySelector }),
    ),
  }),
  serviceAccount: Type.Object({
    name: Type.String(),
    role: Type.String(),
    secondsToLive: Type.Optional(Type.Integer({ format: "int64" })),
  }),
});
export type GrafanaSpec = Static<typeof GrafanaSpec>;

export const Grafana = KindObject(GrafanaSpec);
export type Grafana = Static<typeof Grafana>;
