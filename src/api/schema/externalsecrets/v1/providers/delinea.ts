// provider.delinea: Delinea DevOps Secrets Vault (eso-reference.md §9.7).
import { Type, type Static } from "@sinclair/typebox";
import { cel } from "../../../meta/v1/builders.ts";
import { SecretKeySelector } from "../../../meta/v1/types.ts";

/** A value written inline or read from a Secret, exactly one of the two. */
const ValueOrSecretRef = Type.Object(
  {
    value: Type.Optional(Type.String()),
    secretRef: Type.Optional(SecretKeySelector),
  },
  cel({
    rule: "has(self.value) != has(self.secretRef)",
    message: "set exactly one of value or secretRef",
  }),
);

export const DelineaProvider = Type.Object({
  clientId: ValueOrSecretRef,
  clientSecret: ValueOrSecretRef,
  tenant: Type.String(),
  urlTemplate: Type.Optional(Type.String()),
  tld: Type.Optional(Type.String()),
});
export type DelineaProvider = Static<typeof DelineaProvider>;
