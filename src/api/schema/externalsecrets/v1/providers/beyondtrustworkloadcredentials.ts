// provider.beyondtrustworkloadcredentials; also the provider of the
// BeyondtrustWorkloadCredentialsDynamicSecret generator.
import { Type, type Static } from "@sinclair/typebox";
import { CAProvider, SecretKeySelector } from "../../../meta/v1/types.ts";
import { CaBundle } from "./vault.ts";

export const BeyondtrustWorkloadCredentialsProvider = Type.Object({
  auth: Type.Object({
    apikey: Type.Object({ token: SecretKeySelector }),
  }),
  server: Type.Object({
    apiUrl: Type.String(),
    siteId: Type.String(),
  }),
  folderPath: Type.Optional(Type.String()),
  caBundle: Type.Optional(CaBundle()),
  caProvider: Type.Optional(CAProvider),
});
export type BeyondtrustWorkloadCredentialsProvider = Static<
  typeof BeyondtrustWorkloadCredentialsProvider
>;
