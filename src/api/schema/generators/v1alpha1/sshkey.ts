// SSHKey: an SSH key pair.
import { Type, type Static } from "@sinclair/typebox";
import { StringEnum } from "../../meta/v1/builders.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const SSHKeySpec = Type.Object({
  keyType: Type.Optional(StringEnum(["rsa", "ecdsa", "ed25519"], { default: "rsa" })),
  keySize: Type.Optional(Type.Integer()),
  comment: Type.Optional(Type.String()),
});
export type SSHKeySpec = Static<typeof SSHKeySpec>;

export const SSHKey = KindObject(SSHKeySpec);
export type SSHKey = Static<typeof SSHKey>;
