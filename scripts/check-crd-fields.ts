// Compares the emitted CRD schemas with ESO 2.9.0's list of schema paths
// (test/fixtures/eso-2.9.0-crd-fields.tsv, format in architecture.md §4.2):
// every row must exist with the same type and enum values, and every path
// Ferry emits must be a row. Rows below the providers Ferry keeps as open
// objects are "deferred". v1beta1 is checked against the v1 rows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  emitAllCrds,
  type CustomResourceDefinition,
  type JsonSchemaProps,
} from "../src/api/crd/index.ts";
import { DEFERRED_PROVIDERS } from "../src/api/schema/externalsecrets/v1/secretstore.ts";

export const FIELDS_TSV = join(
  import.meta.dirname,
  "..",
  "test",
  "fixtures",
  "eso-2.9.0-crd-fields.tsv",
);

/** Paths Ferry may emit beyond ESO's (`Kind/version<TAB>path`); none so far. */
export const EXTENSION_ALLOW_LIST: readonly string[] = [];

export interface FieldRow {
  readonly kind: string;
  readonly path: string;
  readonly type: string;
  readonly enum: string;
}

export interface FieldShape {
  readonly type: string;
  readonly enum: string;
}

export interface CoverageReport {
  /** rows in the file */
  readonly rows: number;
  /** rows compared with an emitted schema (each against all served versions) */
  readonly checked: number;
  readonly deferred: number;
  readonly versionsChecked: number;
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly mismatched: readonly string[];
}

export function parseFieldsTsv(text: string): FieldRow[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [kind = "", path = "", type = "", enumField = ""] = line.split("\t");
      return { kind, path, type, enum: enumField.replace(/^enum=/, "") };
    });
}

function shapeOf(node: JsonSchemaProps): FieldShape {
  const values = node["enum"] as unknown[] | undefined;
  const enumText = values === undefined ? "" : values.map(String).sort().join("|");
  if (node["x-kubernetes-int-or-string"] === true) return { type: "int-or-string", enum: enumText };
  const type = node["type"];
  if (typeof type === "string") return { type, enum: enumText };
  return {
    type: node["x-kubernetes-preserve-unknown-fields"] === true ? "any" : "",
    enum: enumText,
  };
}

/** Every path of a schema in the TSV notation (`.a.b`, `[]` items, `{}` map values). */
export function schemaPaths(root: JsonSchemaProps): Map<string, FieldShape> {
  const out = new Map<string, FieldShape>();
  const visit = (node: JsonSchemaProps, path: string): void => {
    out.set(path === "" ? "." : path, shapeOf(node));
    const properties = node["properties"] as Record<string, JsonSchemaProps> | undefined;
    for (const [name, child] of Object.entries(properties ?? {})) visit(child, `${path}.${name}`);
    const items = node["items"] as JsonSchemaProps | undefined;
    if (items !== undefined) visit(items, `${path}[]`);
    const values = node["additionalProperties"] as JsonSchemaProps | undefined;
    if (typeof values === "object") visit(values, `${path}{}`);
  };
  visit(root, "");
  return out;
}

const DEFERRED_PREFIXES = DEFERRED_PROVIDERS.map((name) => `.spec.provider.${name}`);

/** Rows strictly below a provider key whose schema Ferry does not model yet. */
export function isDeferred(row: FieldRow): boolean {
  const isStore = row.kind === "SecretStore/v1" || row.kind === "ClusterSecretStore/v1";
  return (
    isStore &&
    DEFERRED_PREFIXES.some((p) => row.path.startsWith(`${p}.`) || row.path.startsWith(`${p}[`))
  );
}

interface EmittedVersion {
  readonly kind: string;
  readonly version: string;
  readonly paths: Map<string, FieldShape>;
}

function emittedVersions(crds: readonly CustomResourceDefinition[]): EmittedVersion[] {
  return crds.flatMap((crd) => {
    const spec = crd.spec as {
      names: { kind: string };
      versions: { name: string; schema: { openAPIV3Schema: JsonSchemaProps } }[];
    };
    return spec.versions.map((v) => ({
      kind: spec.names.kind,
      version: v.name,
      paths: schemaPaths(v.schema.openAPIV3Schema),
    }));
  });
}

/** The TSV kind/version an emitted version is checked against. */
function tsvKey(kind: string, version: string): string {
  return `${kind}/${version === "v1beta1" ? "v1" : version}`;
}

function describe(shape: FieldShape): string {
  return shape.enum === "" ? shape.type : `${shape.type} enum=${shape.enum}`;
}

function compareVersion(
  emitted: EmittedVersion,
  rows: readonly FieldRow[],
  report: { missing: string[]; extra: string[]; mismatched: string[] },
): void {
  const label = `${emitted.kind}/${emitted.version}`;
  const expected = new Set<string>();
  for (const row of rows) {
    expected.add(row.path);
    if (isDeferred(row)) continue;
    const actual = emitted.paths.get(row.path);
    const want = describe({ type: row.type, enum: row.enum });
    if (actual === undefined) report.missing.push(`${label}\t${row.path}\t${want}`);
    else if (describe(actual) !== want)
      report.mismatched.push(`${label}\t${row.path}\twant ${want}, got ${describe(actual)}`);
  }
  for (const path of emitted.paths.keys()) {
    const allowed = EXTENSION_ALLOW_LIST.includes(`${label}\t${path}`);
    if (!expected.has(path) && !allowed) report.extra.push(`${label}\t${path}`);
  }
}

/** Checks emitted CRDs against the ESO field list. */
export function checkCrdFields(
  rows: readonly FieldRow[],
  crds: readonly CustomResourceDefinition[] = emitAllCrds(),
): CoverageReport {
  const byKind = Map.groupBy(rows, (row) => row.kind);
  const versions = emittedVersions(crds);
  const report = { missing: [] as string[], extra: [] as string[], mismatched: [] as string[] };
  const emittedKinds = new Set(versions.map((v) => tsvKey(v.kind, v.version)));
  for (const kind of byKind.keys()) {
    if (!emittedKinds.has(kind)) report.missing.push(`${kind}\t(no CRD emitted)`);
  }
  for (const emitted of versions) {
    compareVersion(emitted, byKind.get(tsvKey(emitted.kind, emitted.version)) ?? [], report);
  }
  const deferred = rows.filter(isDeferred).length;
  return {
    rows: rows.length,
    checked: rows.length - deferred,
    deferred,
    versionsChecked: versions.length,
    ...report,
  };
}

export function loadFieldRows(path: string = FIELDS_TSV): FieldRow[] {
  return parseFieldsTsv(readFileSync(path, "utf8"));
}

function main(): number {
  const report = checkCrdFields(loadFieldRows());
  for (const line of report.missing) console.log(`missing\t${line}`);
  for (const line of report.mismatched) console.log(`mismatch\t${line}`);
  for (const line of report.extra) console.log(`extra\t${line}`);
  console.log(
    `ESO 2.9.0 field coverage: ${report.rows} rows, ${report.checked} checked ` +
      `(against ${report.versionsChecked} served schema versions), ${report.deferred} deferred, ` +
      `missing ${report.missing.length}, mismatched ${report.mismatched.length}, extra ${report.extra.length}`,
  );
  const failures = report.missing.length + report.mismatched.length + report.extra.length;
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = main();
