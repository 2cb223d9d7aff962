// Compiled runtime validators for input that does not pass through the
// apiserver (architecture.md §4.3). Each is compiled on first use.
import { FormatRegistry, type Static, type TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";

// Kubernetes validates `format: byte` as base64; TypeBox needs to be told.
if (!FormatRegistry.Has("byte")) {
  FormatRegistry.Set("byte", (value) => /^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s/g, "")));
}

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export interface Validator<T extends TSchema> {
  readonly schema: T;
  /** true when `value` matches the schema */
  check(value: unknown): value is Static<T>;
  /** every mismatch, as JSON pointer + message */
  errors(value: unknown): ValidationIssue[];
}

/** A validator that compiles `schema` the first time it is used. */
export function validator<T extends TSchema>(schema: T): Validator<T> {
  let compiled: TypeCheck<T> | undefined;
  const get = (): TypeCheck<T> => (compiled ??= TypeCompiler.Compile(schema));
  return {
    schema,
    check: (value: unknown): value is Static<T> => get().Check(value),
    errors: (value: unknown) =>
      [...get().Errors(value)].map((e) => ({ path: e.path, message: e.message })),
  };
}
