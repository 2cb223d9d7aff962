// The envelope every kind shares: apiVersion, kind, metadata, spec, status.
import {
  Type,
  type TObject,
  type TOptional,
  type TSchema,
  type TString,
  type TUnsafe,
} from "@sinclair/typebox";
import type { V1ObjectMeta } from "@kubernetes/client-node";

/** The apiserver owns metadata's schema; CRDs only say it is an object. */
export const ObjectMeta = Type.Unsafe<V1ObjectMeta>(Type.Object({}));

export type KindShape<S extends TSchema, St extends TSchema | undefined> = TObject<
  {
    apiVersion: TOptional<TString>;
    kind: TOptional<TString>;
    metadata: TOptional<TUnsafe<V1ObjectMeta>>;
    spec: TOptional<S>;
  } & (St extends TSchema ? { status: TOptional<St> } : unknown)
>;

/** The root schema of a kind. */
export function KindObject<S extends TSchema, St extends TSchema | undefined = undefined>(
  spec: S,
  status?: St,
): KindShape<S, St> {
  const properties = {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(ObjectMeta),
    spec: Type.Optional(spec),
    ...(status === undefined ? {} : { status: Type.Optional(status) }),
  };
  return Type.Object(properties) as unknown as KindShape<S, St>;
}
