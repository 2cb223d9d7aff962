// MFA: a TOTP code from a seed kept in a Secret.
import { Type, type Static } from "@sinclair/typebox";
import { SecretKeySelector } from "../../meta/v1/types.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const MFASpec = Type.Object({
  secret: SecretKeySelector,
  length: Type.Optional(Type.Integer({ default: 6 })),
  timePeriod: Type.Optional(Type.Integer({ default: 30 })),
  algorithm: Type.Optional(Type.String({ default: "sha1" })),
  when: Type.Optional(Type.String()),
});
export type MFASpec = Static<typeof MFASpec>;

export const MFA = KindObject(MFASpec);
export type MFA = Static<typeof MFA>;
