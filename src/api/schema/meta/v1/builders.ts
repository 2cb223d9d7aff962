// Small TypeBox builders for the shapes Kubernetes structural schemas need.
// Each one yields a schema that TypeCompiler validates and that the CRD
// emitter (src/api/crd/emit.ts) turns into the matching OpenAPI v3 node.
import {
  Type,
  type ObjectOptions,
  type SchemaOptions,
  type TLiteral,
  type TObject,
  type TProperties,
  type TRecord,
  type TSchema,
  type TString,
  type TUnion,
  type TUnsafe,
} from "@sinclair/typebox";

/** One CEL rule, as `x-kubernetes-validations` carries it. */
export interface CelRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

/** Schema options that attach CEL rules to a node. */
export function cel(...rules: readonly CelRule[]): { "x-kubernetes-validations": CelRule[] } {
  return { "x-kubernetes-validations": [...rules] };
}

/** A string restricted to `values`; the emitter renders it as `enum`. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnion<TLiteral<T[number]>[]> {
  const literals = values.map((v): TLiteral<T[number]> => Type.Literal(v));
  return Type.Union<TLiteral<T[number]>[]>(literals, options);
}

/** Kubernetes IntOrString: an integer or a string such as a Go duration. */
export function IntOrString(options: SchemaOptions = {}): TUnion<[TSchema, TString]> {
  return Type.Union([Type.Integer(), Type.String()], {
    ...options,
    "x-kubernetes-int-or-string": true,
  });
}

/** Free JSON (apiextensions.JSON upstream): any value, kept as written. */
export function FreeJson(options: SchemaOptions = {}): TUnsafe<unknown> {
  return Type.Unsafe<unknown>(
    Type.Unknown({ ...options, "x-kubernetes-preserve-unknown-fields": true }),
  );
}

/**
 * An object whose fields are not modelled yet: any properties are accepted
 * and preserved. Used for the providers whose schema is deferred.
 */
export function OpenObject(options: ObjectOptions = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>(
    Type.Object({}, { ...options, "x-kubernetes-preserve-unknown-fields": true }),
  );
}

/** map[string]string */
export function StringMap(options: ObjectOptions = {}): TRecord<TString, TString> {
  return Type.Record(Type.String(), Type.String(), options);
}

/** A Go time.Duration in its string form (`1h0m0s`, `30s`). */
export function Duration(options: SchemaOptions = {}): TString {
  return Type.String(options);
}

/** A metav1.Time: RFC 3339 timestamp. */
export function Time(options: SchemaOptions = {}): TString {
  return Type.String(options);
}

/** An object with exactly one of its optional members set (a one-of union). */
export function OneOf<T extends TProperties>(
  properties: T,
  options: ObjectOptions = {},
): TObject<T> {
  return Type.Object(properties, { ...options, minProperties: 1, maxProperties: 1 });
}
