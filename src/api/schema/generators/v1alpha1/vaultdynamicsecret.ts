// VaultDynamicSecret: reads or writes a Vault path that issues credentials.
import { Type, type Static } from "@sinclair/typebox";
import { FreeJson, StringEnum } from "../../meta/v1/builders.ts";
import { RetrySettings } from "../../meta/v1/types.ts";
import { VaultProvider } from "../../externalsecrets/v1/providers/vault.ts";
import { KindObject } from "../../meta/v1/object.ts";

export const VaultDynamicSecretSpec = Type.Object({
  controller: Type.Optional(Type.String()),
  method: Type.Optional(Type.String()),
  parameters: Type.Optional(FreeJson()),
  getParameters: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  resultType: Type.Optional(StringEnum(["Data", "Auth", "Raw"], { default: "Data" })),
  retrySettings: Type.Optional(RetrySettings),
  provider: VaultProvider,
  path: Type.String(),
  allowEmptyResponse: Type.Optional(Type.Boolean({ default: false })),
});
export type VaultDynamicSecretSpec = Static<typeof VaultDynamicSecretSpec>;

export const VaultDynamicSecret = KindObject(VaultDynamicSecretSpec);
export type VaultDynamicSecret = Static<typeof VaultDynamicSecret>;
