// References from ExternalSecret/PushSecret to stores and generators.
import { Type, type Static } from "@sinclair/typebox";
import { OneOf, StringEnum } from "../../meta/v1/builders.ts";
import { ObjectName } from "../../meta/v1/types.ts";
import { GENERATOR_KINDS } from "../../generators/v1alpha1/kinds.ts";

export const GENERATORS_API_VERSION = "generators.external-secrets.io/v1alpha1";

export const StoreKind = StringEnum(["SecretStore", "ClusterSecretStore"]);

/** Every kind a generatorRef may name. */
export const GENERATOR_REF_KINDS = [...GENERATOR_KINDS, "ClusterGenerator"] as const;

export const SecretStoreRef = Type.Object({
  name: Type.Optional(ObjectName()),
  kind: Type.Optional(StoreKind),
});
export type SecretStoreRef = Static<typeof SecretStoreRef>;

export const GeneratorRef = Type.Object({
  apiVersion: Type.Optional(Type.String({ default: GENERATORS_API_VERSION })),
  kind: StringEnum(GENERATOR_REF_KINDS),
  name: ObjectName(),
});
export type GeneratorRef = Static<typeof GeneratorRef>;

/** data[].sourceRef: another store (generatorRef is deprecated here). */
export const StoreSourceRef = OneOf({
  storeRef: Type.Optional(SecretStoreRef),
  generatorRef: Type.Optional(GeneratorRef),
});

/** dataFrom[].sourceRef: another store or a generator. */
export const StoreGeneratorSourceRef = OneOf({
  storeRef: Type.Optional(SecretStoreRef),
  generatorRef: Type.Optional(GeneratorRef),
});
