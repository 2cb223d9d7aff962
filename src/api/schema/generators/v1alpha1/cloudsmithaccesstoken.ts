// CloudsmithAccessToken: OIDC token exchange with Cloudsmith.
import { Type, type Static } from "@sinclair/typebox";
import { ServiceAccountSelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const CloudsmithAccessTokenSpec = Type.Object({
  apiUrl: Type.Optional(Type.String()),
  orgSlug: Type.String(),
  serviceSlug: Type.String(),
  serviceAccountRef: ServiceAccountSelector,
});
export type CloudsmithAccessTokenSpec = Static<typeof CloudsmithAccessTokenSpec>;

export const CloudsmithAccessToken = KindObject(CloudsmithAccessTokenSpec);
export type CloudsmithAccessToken = Static<typeof CloudsmithAccessToken>;
