// Password: a random password.
import { Type, type Static } from "@sinclair/typebox";
import { StringEnum } from "../../meta/v1/builders.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const PasswordSpec = Type.Object({
  length: Type.Integer({ default: 24 }),
  digits: Type.Optional(Type.Integer()),
  symbols: Type.Optional(Type.Integer()),
  symbolCharacters: Type.Optional(Type.String()),
  noUpper: Type.Boolean({ default: false }),
  allowRepeat: Type.Boolean({ default: false }),
  secretKeys: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  encoding: Type.Optional(
    StringEnum(["base64", "base64url", "base32", "hex", "raw"], { default: "raw" }),
  ),
});
export type PasswordSpec = Static<typeof PasswordSpec>;

export const Password = KindObject(PasswordSpec);
export type Password = Static<typeof Password>;
