// ESO's ObjectHash: hex(SHA3-224(fmt.Sprintf("%+v", v))). Its values end up
// in the `reconcile.external-secrets.io/data-hash` annotation, the
// `created-by` label and `status.syncedResourceVersion`, so Ferry must print
// values exactly as Go's fmt does, or every Secret that ESO made would be
// rewritten once after a migration.
import { createHash } from "node:crypto";

/** A Go value of the shapes ESO hashes. */
export type GoValue =
  | string
  | Uint8Array
  | GoMap
  | { readonly kind: "struct"; readonly fields: readonly (readonly [string, GoValue])[] };

/** A Go map; `undefined` stands for a nil map (printed like an empty one). */
export interface GoMap {
  readonly kind: "map";
  readonly entries: ReadonlyMap<string, string | Uint8Array> | undefined;
}

export function goMap(
  entries: ReadonlyMap<string, string | Uint8Array> | Record<string, string> | undefined,
): GoMap {
  if (entries === undefined) return { kind: "map", entries: undefined };
  return {
    kind: "map",
    entries: entries instanceof Map ? entries : new Map(Object.entries(entries)),
  };
}

function formatBytes(bytes: Uint8Array): string {
  return `[${Array.from(bytes).join(" ")}]`;
}

function formatScalar(v: string | Uint8Array): string {
  return typeof v === "string" ? v : formatBytes(v);
}

// Go sorts string map keys by byte order, which for UTF-16 code units equals
// code point order except for surrogate pairs; compare as UTF-8 to be exact.
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Go's `%+v` for the value shapes above. */
export function formatPlusV(v: GoValue): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return formatBytes(v);
  if (v.kind === "map") {
    const keys = [...(v.entries?.keys() ?? [])].sort(compareUtf8);
    const parts = keys.map((k) => `${k}:${formatScalar(v.entries?.get(k) ?? "")}`);
    return `map[${parts.join(" ")}]`;
  }
  return `{${v.fields.map(([name, value]) => `${name}:${formatPlusV(value)}`).join(" ")}}`;
}

/** hex(SHA3-224(%+v of v)), ESO's esutils.ObjectHash. */
export function objectHash(v: GoValue): string {
  return createHash("sha3-224").update(formatPlusV(v), "utf8").digest("hex");
}

/** The `data-hash` annotation value for Secret data. */
export function secretDataHash(data: ReadonlyMap<string, Uint8Array> | undefined): string {
  return objectHash(goMap(data));
}

/** The `created-by` label value: ObjectHash("namespace/name"). */
export function createdByHash(namespace: string, name: string): string {
  return objectHash(`${namespace}/${name}`);
}

/**
 * `status.syncedResourceVersion`: "<generation>-<ObjectHash of a struct of
 * annotations then labels>".
 */
export function syncedResourceVersion(meta: {
  readonly generation?: number | undefined;
  readonly annotations?: Readonly<Record<string, string>> | undefined;
  readonly labels?: Readonly<Record<string, string>> | undefined;
}): string {
  const hash = objectHash({
    kind: "struct",
    fields: [
      ["annotations", goMap(meta.annotations)],
      ["labels", goMap(meta.labels)],
    ],
  });
  return `${meta.generation ?? 0}-${hash}`;
}
