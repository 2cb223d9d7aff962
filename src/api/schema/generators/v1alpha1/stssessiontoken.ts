// STSSessionToken: temporary AWS credentials (GetSessionToken).
import { Type, type Static } from "@sinclair/typebox";
import { AwsAuth } from "../../externalsecrets/v1/providers/aws.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const STSSessionTokenSpec = Type.Object({
  region: Type.String(),
  auth: Type.Optional(AwsAuth),
  role: Type.Optional(Type.String()),
  requestParameters: Type.Optional(
    Type.Object({
      sessionDuration: Type.Optional(Type.Integer({ format: "int64" })),
      serialNumber: Type.Optional(Type.String()),
      tokenCode: Type.Optional(Type.String()),
    }),
  ),
});
export type STSSessionTokenSpec = Static<typeof STSSessionTokenSpec>;

export const STSSessionToken = KindObject(STSSessionTokenSpec);
export type STSSessionToken = Static<typeof STSSessionToken>;
