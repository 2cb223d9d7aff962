// QuayAccessToken: a Quay robot token through OIDC federation.
import { Type, type Static } from "@sinclair/typebox";
import { ServiceAccountSelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const QuayAccessTokenSpec = Type.Object({
  url: Type.Optional(Type.String()),
  robotAccount: Type.String(),
  serviceAccountRef: ServiceAccountSelector,
});
export type QuayAccessTokenSpec = Static<typeof QuayAccessTokenSpec>;

export const QuayAccessToken = KindObject(QuayAccessTokenSpec);
export type QuayAccessToken = Static<typeof QuayAccessToken>;
