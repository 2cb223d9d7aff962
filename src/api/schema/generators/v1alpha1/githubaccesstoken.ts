// GithubAccessToken: a GitHub App installation token.
import { Type, type Static } from "@sinclair/typebox";
import { StringMap } from "../../meta/v1/builders.ts";
import { SecretKeySelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const GithubAccessTokenSpec = Type.Object({
  url: Type.Optional(Type.String()),
  appID: Type.String(),
  installID: Type.String(),
  repositories: Type.Optional(Type.Array(Type.String())),
  permissions: Type.Optional(StringMap()),
  auth: Type.Object({
    privateKey: Type.Object({ secretRef: SecretKeySelector }),
  }),
});
export type GithubAccessTokenSpec = Static<typeof GithubAccessTokenSpec>;

export const GithubAccessToken = KindObject(GithubAccessTokenSpec);
export type GithubAccessToken = Static<typeof GithubAccessToken>;
