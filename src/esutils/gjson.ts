// GJSON path syntax (github.com/tidwall/gjson), the `property` language of
// ESO's providers: `a.b`, array indices `list.1`, `list.#` (length),
// `list.#.field` (collect), queries `list.#(k=="v")` / `#(...)#`, wildcards
// `*` and `?` in keys, and `\` escapes (`a\.b` is the key "a.b").
//
// Results keep the raw source text of objects and arrays, as gjson does, so
// a nested object is written to a Secret byte for byte as it was stored.
import {
  arrayElements,
  decodeString,
  objectMembers,
  rootValue,
  skipWhitespace,
  type RawValue,
} from "./json-raw.ts";

export interface PathResult {
  readonly exists: boolean;
  /** Raw JSON of the result ("" when it does not exist). */
  readonly raw: string;
}

const MISSING: PathResult = { exists: false, raw: "" };

/**
 * gjson's `Result.String()`: strings unquoted, `null` and missing empty,
 * numbers and booleans as written, objects and arrays as raw JSON.
 */
export function resultString(result: PathResult): string {
  const raw = result.raw;
  if (!result.exists || raw === "null") return "";
  if (raw.startsWith('"')) return decodeString(raw, 0, raw.length);
  // gjson prints a number as written when it is a plain integer, else as Go's
  // strconv.FormatFloat(n, 'f', -1, 64) (1.50 -> 1.5, 1e3 -> 1000).
  if (/^-?\d/.test(raw) && !/^-?\d+$/.test(raw)) return formatFloatF(Number(raw));
  return raw;
}

/** Go's strconv.FormatFloat(n, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatF(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, sign = "", lead = "", frac = "", exp = "0"] = m;
  const digits = lead + frac;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Splits a path at unescaped dots that are not inside a `#(...)` query. */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = "";
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === "\\" && i + 1 < path.length) {
      current += c + path.charAt(++i);
      continue;
    }
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "." && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/g, "$1");
}

/** gjson's wildcard match: `*` any run, `?` one character; `\` escapes. */
function wildcardMatch(pattern: string, key: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === "\\" && i + 1 < pattern.length) re += escapeRegExp(pattern.charAt(++i));
    else if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else re += escapeRegExp(c);
  }
  return new RegExp(`${re}$`, "u").test(key);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hasWildcard(component: string): boolean {
  return /(^|[^\\])[*?]/.test(component);
}

function span(text: string, value: RawValue): string {
  return text.slice(value.start, value.end);
}

function memberOf(text: string, at: number, component: string): RawValue | undefined {
  const members = objectMembers(text, at);
  if (hasWildcard(component)) return members.find((m) => wildcardMatch(component, m.key))?.value;
  const key = unescape(component);
  return members.find((m) => m.key === key)?.value;
}

function elementOf(text: string, at: number, component: string): RawValue | undefined {
  if (!/^\d+$/.test(component)) return undefined;
  return arrayElements(text, at)[Number(component)];
}

interface Query {
  readonly path: string;
  readonly op: string;
  readonly value: string;
  readonly all: boolean;
}

const OPERATORS = ["==", "!=", "<=", ">=", "!%", "<", ">", "%"] as const;

/** The first operator outside quotes and parentheses, as [index, operator]. */
function findOperator(body: string): [number, string] | undefined {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '"') i = skipQuoted(body, i);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (depth === 0) {
      const op = OPERATORS.find((o) => body.startsWith(o, i));
      if (op !== undefined) return [i, op];
    }
  }
  return undefined;
}

function skipQuoted(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text.charAt(j) !== '"') j += text.charAt(j) === "\\" ? 2 : 1;
  return j;
}

function parseQuery(component: string): Query | undefined {
  const all = component.endsWith(")#");
  if (!component.startsWith("#(") || !(all || component.endsWith(")"))) return undefined;
  const body = component.slice(2, all ? -2 : -1);
  const found = findOperator(body);
  if (found === undefined) return { path: body.trim(), op: "", value: "", all };
  const [at, op] = found;
  return { path: body.slice(0, at).trim(), op, value: body.slice(at + op.length).trim(), all };
}

function literalValue(text: string): { kind: "string" | "number" | "other"; value: string } {
  if (text.startsWith('"')) return { kind: "string", value: JSON.parse(text) as string };
  if (text !== "" && !Number.isNaN(Number(text))) return { kind: "number", value: text };
  return { kind: "other", value: text };
}

const COMPARE: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function matchesQuery(elementRaw: string, q: Query): boolean {
  const target = q.path === "" ? { exists: true, raw: elementRaw } : get(elementRaw, q.path);
  if (!target.exists) return false;
  if (q.op === "") return true;
  const expected = literalValue(q.value);
  const actual = resultString(target);
  if (q.op === "%" || q.op === "!%") {
    return wildcardMatch(expected.value, actual) === (q.op === "%");
  }
  const cmp = COMPARE[q.op];
  if (cmp === undefined) return false;
  if (expected.kind === "number" && !target.raw.startsWith('"')) {
    return cmp(Number(actual), Number(expected.value));
  }
  return cmp(compareStrings(actual, expected.value), 0);
}

function gather(raws: readonly string[], rest: readonly string[]): PathResult {
  const values = raws
    .map((raw) => (rest.length === 0 ? { exists: true, raw } : walk(raw, rest)))
    .filter((r) => r.exists)
    .map((r) => r.raw);
  return { exists: true, raw: `[${values.join(",")}]` };
}

function elementsRaw(text: string, at: number): string[] {
  return arrayElements(text, at).map((e) => span(text, e));
}

/** `#` (length), `#.rest` (collect), `#(query)` / `#(query)#` on an array. */
function arrayStep(text: string, at: number, parts: readonly string[]): PathResult | undefined {
  const [component = "", ...rest] = parts;
  if (component === "#") {
    const elements = elementsRaw(text, at);
    return rest.length === 0
      ? { exists: true, raw: String(elements.length) }
      : gather(elements, rest);
  }
  const query = parseQuery(component);
  if (query === undefined) return undefined;
  const matches = elementsRaw(text, at).filter((raw) => matchesQuery(raw, query));
  if (query.all) return gather(matches, rest);
  const first = matches[0];
  if (first === undefined) return MISSING;
  return rest.length === 0 ? { exists: true, raw: first } : walk(first, rest);
}

function walk(text: string, parts: readonly string[]): PathResult {
  const root = rootValue(text);
  const [component = "", ...rest] = parts;
  const kind = text.charAt(root.start);
  if (kind === "[") {
    const handled = arrayStep(text, root.start, parts);
    if (handled !== undefined) return handled;
  }
  let next: RawValue | undefined;
  if (kind === "{") next = memberOf(text, root.start, component);
  else if (kind === "[") next = elementOf(text, root.start, component);
  if (next === undefined) return MISSING;
  const raw = span(text, next);
  return rest.length === 0 ? { exists: true, raw } : walk(raw, rest);
}

/**
 * gjson.Get(json, path). Invalid JSON or a path that does not match gives a
 * result that does not exist (gjson does not fail either).
 */
export function get(json: string, path: string): PathResult {
  if (path === "") return MISSING;
  try {
    rootValue(json);
    return walk(json, splitPath(path));
  } catch {
    return MISSING;
  }
}

/** True when `json` is one valid JSON value (gjson.Valid). */
export function isValidJson(json: string): boolean {
  try {
    rootValue(json);
    return skipWhitespace(json, 0) < json.length;
  } catch {
    return false;
  }
}
