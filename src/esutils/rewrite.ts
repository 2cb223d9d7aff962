// dataFrom[].rewrite as ESO applies it (runtime/esutils RewriteMap): a list
// of operations applied in order to the fetched map, each one of regexp
// (rename keys), transform (rename keys with a template) or merge (merge
// JSON values). The transform renderer is injected, so this module does not
// depend on the template engine's wiring.
import { compileGoRegexp, replaceAllGo } from "./go-regexp.ts";
import { goJsonMarshal, type JsonValue } from "./go-json.ts";
import { formatFloatF } from "./gjson.ts";

export interface RewriteMerge {
  readonly into?: string;
  readonly priority?: readonly string[];
  readonly priorityPolicy?: string;
  readonly conflictPolicy?: string;
  readonly strategy?: string;
}

export interface Rewrite {
  readonly regexp?: { readonly source: string; readonly target: string };
  readonly transform?: { readonly template: string };
  readonly merge?: RewriteMerge;
}

/** Renders a transform template with the data `{ value: key }`. */
export type TransformRenderer = (template: string, key: string) => string;

export class RewriteError extends Error {
  constructor(index: number, detail: string) {
    super(`failed rewrite operation[${index}]: ${detail}`);
    this.name = "RewriteError";
  }
}

type SecretMap = Map<string, Uint8Array>;

function rewriteRegexp(op: { source: string; target: string }, data: SecretMap): SecretMap {
  const re = compileGoRegexp(op.source);
  return new Map([...data].map(([k, v]) => [replaceAllGo(re, k, op.target), v]));
}

function rewriteTransform(template: string, data: SecretMap, render: TransformRenderer): SecretMap {
  return new Map([...data].map(([k, v]) => [render(template, k), v]));
}

function parseJsonObject(value: Uint8Array, key: string): Record<string, JsonValue> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value).toString("utf8"));
  } catch {
    throw new Error(`merge failed: the value of key ${JSON.stringify(key)} is not valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`merge failed: the value of key ${JSON.stringify(key)} is not a JSON object`);
  }
  return parsed as Record<string, JsonValue>;
}

/** Keys sorted, with the priority keys last in their given order (last wins). */
function mergeOrder(op: RewriteMerge, data: SecretMap): string[] {
  const priority = op.priority ?? [];
  const rest = [...data.keys()].filter((k) => !priority.includes(k)).sort();
  return [...rest, ...priority];
}

function mergeValues(
  op: RewriteMerge,
  data: SecretMap,
): { merged: Record<string, JsonValue>; conflicts: string[] } {
  const merged: Record<string, JsonValue> = {};
  const conflicts: string[] = [];
  for (const key of mergeOrder(op, data)) {
    const value = data.get(key);
    if (value === undefined) {
      if (op.priorityPolicy === "IgnoreNotFound") continue;
      throw new Error(`merge failed with key ${JSON.stringify(key)} not found in input map`);
    }
    for (const [k, v] of Object.entries(parseJsonObject(value, key))) {
      if (Object.hasOwn(merged, k)) conflicts.push(k);
      merged[k] = v;
    }
  }
  return { merged, conflicts };
}

/** ESO's GetByteValue for a JSON-decoded value. */
function byteValue(v: JsonValue): Uint8Array {
  if (v === null) return new Uint8Array();
  if (typeof v === "string") return new Uint8Array(Buffer.from(v, "utf8"));
  if (typeof v === "number") return new Uint8Array(Buffer.from(formatFloatF(v), "utf8"));
  if (typeof v === "boolean") return new Uint8Array(Buffer.from(String(v)));
  return new Uint8Array(Buffer.from(goJsonMarshal(v), "utf8"));
}

function rewriteMerge(op: RewriteMerge, data: SecretMap): SecretMap {
  const { merged, conflicts } = mergeValues(op, data);
  if (op.conflictPolicy !== "Ignore" && conflicts.length > 0) {
    throw new Error(`merge failed with conflicts: ${conflicts.join(", ")}`);
  }
  if (op.strategy === "JSON") {
    if (op.into === undefined || op.into === "")
      throw new Error("merge failed with missing 'into' field");
    const out = new Map(data);
    out.set(op.into, new Uint8Array(Buffer.from(goJsonMarshal(merged, false), "utf8")));
    return out;
  }
  return new Map(Object.entries(merged).map(([k, v]) => [k, byteValue(v)]));
}

function applyOne(op: Rewrite, data: SecretMap, render: TransformRenderer): SecretMap {
  if (op.merge !== undefined) return rewriteMerge(op.merge, data);
  if (op.regexp !== undefined) return rewriteRegexp(op.regexp, data);
  if (op.transform !== undefined) return rewriteTransform(op.transform.template, data, render);
  return data;
}

/** Applies the rewrite operations in order. */
export function rewriteMap(
  ops: readonly Rewrite[],
  data: SecretMap,
  render: TransformRenderer,
): SecretMap {
  let out = data;
  ops.forEach((op, index) => {
    try {
      out = applyOne(op, out, render);
    } catch (err) {
      throw new RewriteError(index, err instanceof Error ? err.message : String(err));
    }
  });
  return out;
}
