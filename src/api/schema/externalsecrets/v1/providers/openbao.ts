// provider.openBao: the OpenBao fork of Vault with a subset of its auth.
import { Type, type Static } from "@sinclair/typebox";
import { CAProvider, SecretKeySelector } from "../../../meta/v1/types.ts";
import { CaBundle, KvVersion, VaultAppRole, VaultUserPass } from "./vault.ts";

export const OpenBaoProvider = Type.Object({
  auth: Type.Optional(
    Type.Object({
      namespace: Type.Optional(Type.String()),
      tokenSecretRef: Type.Optional(SecretKeySelector),
      appRole: Type.Optional(VaultAppRole),
      userPass: Type.Optional(VaultUserPass),
    }),
  ),
  server: Type.String(),
  path: Type.Optional(Type.String()),
  version: Type.Optional(KvVersion),
  namespace: Type.Optional(Type.String()),
  caBundle: Type.Optional(CaBundle()),
  caProvider: Type.Optional(CAProvider),
});
export type OpenBaoProvider = Static<typeof OpenBaoProvider>;
