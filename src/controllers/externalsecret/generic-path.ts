// Writing into a generic target (ConfigMap or custom resource) at a dotted
// path with array indices, e.g. `spec.rules[0].from[0].source`, the way
// ESO's templateFrom `target` works for generic targets (eso-reference.md
// §10.3): Values set the leaf to the YAML-parsed rendered text, and
// KeysAndValues merge a parsed map into the map already at the path (any
// other value is replaced). Missing maps and list slots are created on the
// way down.
//
// Keys are always set as own properties, so a path or a YAML key named
// `__proto__` is just a field name, never the object's prototype.
import type * as Yaml from "yaml";
import { lazyRequire } from "../../esutils/lazy.ts";

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export type PathStep = string | number;

/** ESO's bound on an index in a path: no list is grown past it. */
export const MAX_PATH_INDEX = 10_000;

export class PathError extends Error {
  override readonly name = "PathError";
}

const SEGMENT = /^([^[\]]+)((?:\[[0-9]+\])*)$/;
const INDEX = /\[([0-9]+)\]/g;

function indicesOf(path: string, suffix: string): number[] {
  return [...suffix.matchAll(INDEX)].map((m) => {
    const index = Number(m[1]);
    if (index > MAX_PATH_INDEX)
      throw new PathError(
        `path "${path}": index ${String(index)} exceeds ${String(MAX_PATH_INDEX)}`,
      );
    return index;
  });
}

/** `spec.items[0].value` → ["spec", "items", 0, "value"]. */
export function parsePath(path: string): PathStep[] {
  if (path === "") throw new PathError("empty path");
  const steps: PathStep[] = [];
  for (const segment of path.split(".")) {
    const m = SEGMENT.exec(segment);
    if (m === null) {
      throw new PathError(
        `path "${path}": segment "${segment}" is not a field name with optional [index] suffixes`,
      );
    }
    steps.push(m[1] ?? "", ...indicesOf(path, m[2] ?? ""));
  }
  return steps;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own, enumerable property (also for the key `__proto__`). */
export function setOwn(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function getOwn(obj: JsonObject, key: string): Json | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

type Container = JsonObject | Json[];

function childOf(container: Container, step: PathStep): Json | undefined {
  if (Array.isArray(container)) return typeof step === "number" ? container[step] : undefined;
  return typeof step === "string" ? getOwn(container, step) : undefined;
}

function put(container: Container, step: PathStep, value: Json): void {
  if (Array.isArray(container)) {
    const index = step as number;
    // A slot past the end grows the list; the slots skipped on the way are null.
    while (container.length < index) container.push(null);
    container[index] = value;
  } else {
    setOwn(container, step as string, value);
  }
}

function describeStep(steps: readonly PathStep[], upTo: number): string {
  return steps
    .slice(0, upTo + 1)
    .map((s, i) => (typeof s === "number" ? `[${String(s)}]` : i === 0 ? s : `.${s}`))
    .join("");
}

/** The container at `steps[i]`, created when missing; an error when a value of another shape is there. */
function descend(container: Container, steps: readonly PathStep[], i: number): Container {
  const [step, next] = [steps[i] ?? "", steps[i + 1]];
  const wantsList = typeof next === "number";
  const child = childOf(container, step);
  if (child === undefined || child === null) {
    const created: Container = wantsList ? [] : {};
    put(container, step, created);
    return created;
  }
  if (wantsList && Array.isArray(child)) return child;
  if (!wantsList && isJsonObject(child)) return child;
  throw new PathError(
    `path ${describeStep(steps, i)} is not a ${wantsList ? "list" : "map"} in the target`,
  );
}

function walk(root: JsonObject, steps: readonly PathStep[]): { parent: Container; last: PathStep } {
  const last = steps.at(-1);
  if (last === undefined || typeof steps[0] !== "string") throw new PathError("empty path");
  let container: Container = root;
  for (let i = 0; i < steps.length - 1; i++) container = descend(container, steps, i);
  return { parent: container, last };
}

/** Values scope: the leaf at `steps` becomes `value`. */
export function setAtPath(root: JsonObject, steps: readonly PathStep[], value: Json): void {
  const { parent, last } = walk(root, steps);
  put(parent, last, value);
}

/**
 * KeysAndValues scope: a one-field path (`spec`) is replaced; deeper, a map
 * is merged key by key into the map already there, anything else replaces it.
 */
export function mergeAtPath(root: JsonObject, steps: readonly PathStep[], value: Json): void {
  const { parent, last } = walk(root, steps);
  const existing = steps.length > 1 ? childOf(parent, last) : undefined;
  if (isJsonObject(existing) && isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) setOwn(existing, k, v);
    return;
  }
  put(parent, last, value);
}

// yaml (CommonJS) is loaded by the first generic-target template, not at
// start-up: an idle controller does not need it (start-up memory).
const yaml = lazyRequire<typeof Yaml>("yaml");

// Kubernetes' YAML reader (YAML 1.1 through JSON) has no timestamp or binary
// values: they stay strings, as in ESO.
const NO_TIMESTAMPS = (tags: Yaml.Tags): Yaml.Tags =>
  tags.filter((t) => {
    const tag = typeof t === "string" ? t : t.tag;
    return tag !== "tag:yaml.org,2002:timestamp" && tag !== "tag:yaml.org,2002:binary";
  });

/** Parses YAML as ESO does; throws on invalid input (the error never quotes the text). */
export function parseYamlValue(text: string): Json {
  let parsed: unknown;
  try {
    parsed = yaml().parse(text, { version: "1.1", customTags: NO_TIMESTAMPS });
  } catch {
    throw new PathError("the rendered template is not valid YAML");
  }
  // Through JSON: plain objects and arrays only, as Kubernetes stores them.
  return JSON.parse(JSON.stringify(parsed ?? null)) as Json;
}

/** ESO's leaf rule for Values: YAML when it parses (`8080` is a number), the text otherwise. */
export function leafValue(text: string): Json {
  try {
    return parseYamlValue(text);
  } catch {
    return text;
  }
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: Json | Readonly<Record<string, unknown>>): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) setOwn(out, key, sortKeys(value[key]) as Json);
  return out;
}
