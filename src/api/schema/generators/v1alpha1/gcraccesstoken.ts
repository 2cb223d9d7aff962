// GCRAccessToken: a Google Container/Artifact Registry access token.
import { Type, type Static } from "@sinclair/typebox";
import { GcpAuth } from "../../externalsecrets/v1/providers/gcp.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const GCRAccessTokenSpec = Type.Object({
  auth: GcpAuth,
  projectID: Type.String(),
});
export type GCRAccessTokenSpec = Static<typeof GCRAccessTokenSpec>;

export const GCRAccessToken = KindObject(GCRAccessTokenSpec);
export type GCRAccessToken = Static<typeof GCRAccessToken>;
