// ECRAuthorizationToken: an AWS ECR (or ECR Public) login.
import { Type, type Static } from "@sinclair/typebox";
import { AwsAuth } from "../../externalsecrets/v1/providers/aws.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const ECRAuthorizationTokenSpec = Type.Object({
  region: Type.String(),
  auth: Type.Optional(AwsAuth),
  role: Type.Optional(Type.String()),
  /** `public` selects ECR Public */
  scope: Type.Optional(Type.String()),
});
export type ECRAuthorizationTokenSpec = Static<typeof ECRAuthorizationTokenSpec>;

export const ECRAuthorizationToken = KindObject(ECRAuthorizationTokenSpec);
export type ECRAuthorizationToken = Static<typeof ECRAuthorizationToken>;
