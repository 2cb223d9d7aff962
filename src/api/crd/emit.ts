// Turns the TypeBox schemas and the CRD metadata into apiextensions.k8s.io/v1
// CustomResourceDefinitions (architecture.md §4.1): structural schemas with a
// type on every node, no $ref/$id, enums instead of literal unions, and the
// x-kubernetes-* keywords the schemas carry as options.
import type { TSchema } from "@sinclair/typebox";
import { CRD_COMPONENT_LABEL, type CrdDefinition } from "./types.ts";

/** A JSON Schema node of a CRD (apiextensions JSONSchemaProps). */
export type JsonSchemaProps = Record<string, unknown>;

/** An emitted CustomResourceDefinition, ready to be serialised. */
export interface CustomResourceDefinition {
  readonly apiVersion: "apiextensions.k8s.io/v1";
  readonly kind: "CustomResourceDefinition";
  readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

// Keywords copied as they are; everything else TypeBox adds is dropped.
const KEPT = [
  "description",
  "format",
  "enum",
  "default",
  "nullable",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
  "x-kubernetes-map-type",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-validations",
] as const;

// The order keys appear in the YAML, for readable diffs.
const ORDER = [
  "description",
  "type",
  "format",
  "enum",
  "default",
  "nullable",
  ...KEPT.slice(5),
  "items",
  "properties",
  "required",
  "additionalProperties",
];

function kept(schema: TSchema): JsonSchemaProps {
  const out: JsonSchemaProps = {};
  for (const key of KEPT) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  return out;
}

function ordered(node: JsonSchemaProps): JsonSchemaProps {
  const rank = (key: string): number => {
    const i = ORDER.indexOf(key);
    return i === -1 ? ORDER.length : i;
  };
  return Object.fromEntries(Object.entries(node).sort(([a], [b]) => rank(a) - rank(b)));
}

function isNull(schema: TSchema): boolean {
  return schema["type"] === "null";
}

// Unions are either string literal enums or `T | null` (nullable).
function fromUnion(schema: TSchema, members: readonly TSchema[]): JsonSchemaProps {
  const nonNull = members.filter((m) => !isNull(m));
  const [only] = nonNull;
  if (only !== undefined && nonNull.length === 1 && nonNull.length < members.length) {
    return { ...toStructural(only), ...kept(schema), nullable: true };
  }
  const values = members.map((m) => m["const"] as unknown);
  if (values.every((v) => typeof v === "string")) {
    return { type: "string", enum: values, ...kept(schema) };
  }
  throw new Error(`unsupported union in CRD schema: ${JSON.stringify(schema)}`);
}

const ANY_KEY_PATTERN = "^(.*)$";

function mapValueSchema(schema: TSchema): TSchema | undefined {
  const patterns = schema["patternProperties"] as Record<string, TSchema> | undefined;
  if (patterns !== undefined) {
    const value = patterns[ANY_KEY_PATTERN];
    if (value === undefined || Object.keys(patterns).length !== 1) {
      throw new Error(`only ${ANY_KEY_PATTERN} maps can be expressed in a CRD`);
    }
    return value;
  }
  const additional = schema["additionalProperties"] as unknown;
  return typeof additional === "object" && additional !== null
    ? (additional as TSchema)
    : undefined;
}

function objectParts(schema: TSchema): JsonSchemaProps {
  const parts: JsonSchemaProps = {};
  const properties = schema["properties"] as Record<string, TSchema> | undefined;
  if (properties !== undefined && Object.keys(properties).length > 0) {
    parts["properties"] = Object.fromEntries(
      Object.entries(properties)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, child]) => [name, toStructural(child)]),
    );
  }
  const required = schema["required"] as string[] | undefined;
  if (required !== undefined && required.length > 0) parts["required"] = [...required].sort();
  const values = mapValueSchema(schema);
  if (values !== undefined) parts["additionalProperties"] = toStructural(values);
  return parts;
}

/** The structural OpenAPI v3 schema of one TypeBox schema node. */
export function toStructural(schema: TSchema): JsonSchemaProps {
  if (schema["x-kubernetes-int-or-string"] === true) return ordered(kept(schema));
  const members = schema["anyOf"] as TSchema[] | undefined;
  if (members !== undefined) return ordered(fromUnion(schema, members));
  const node: JsonSchemaProps = { ...kept(schema) };
  // a one-value union collapses to its literal: still an enum in the CRD
  if (typeof schema["const"] === "string") node["enum"] = [schema["const"]];
  const type = schema["type"] as unknown;
  if (typeof type === "string") node["type"] = type;
  if (type === "object") Object.assign(node, objectParts(schema));
  if (type === "array") node["items"] = toStructural(schema["items"] as TSchema);
  return ordered(node);
}

function version(crd: CrdDefinition, name: string, index: number): Record<string, unknown> {
  return {
    name,
    served: true,
    storage: index === 0,
    schema: { openAPIV3Schema: toStructural(crd.schema) },
    ...(crd.statusSubresource ? { subresources: { status: {} } } : {}),
    ...(crd.printerColumns === undefined
      ? {}
      : { additionalPrinterColumns: crd.printerColumns.map((c) => ({ ...c })) }),
    ...(crd.selectableFields === undefined
      ? {}
      : { selectableFields: crd.selectableFields.map((jsonPath) => ({ jsonPath })) }),
  };
}

function names(crd: CrdDefinition): Record<string, unknown> {
  return {
    kind: crd.kind,
    listKind: `${crd.kind}List`,
    plural: crd.plural,
    singular: crd.singular,
    ...(crd.shortNames === undefined ? {} : { shortNames: [...crd.shortNames] }),
    categories: [...crd.categories],
  };
}

/** The CustomResourceDefinition of one kind. */
export function emitCrd(crd: CrdDefinition): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${crd.plural}.${crd.group}`, labels: { ...CRD_COMPONENT_LABEL } },
    spec: {
      group: crd.group,
      names: names(crd),
      scope: crd.scope,
      versions: crd.versions.map((v, i) => version(crd, v, i)),
    },
  };
}
