// JSONPath as ESO's webhook provider evaluates `result.jsonPath` (it uses
// github.com/PaesslerAG/jsonpath v0.1.1 on the output of encoding/json).
// This is Ferry's own implementation of the subset ESO users write:
//
//   $  $.a.b  $["a"]  $['a']  $.a[0]  $.*  $[*]  $..a  $..*  $[0,2]  $["a","b"]
//   $[1:3]  $[::2]  $[?(@.name == "x")]  (==, !=, <, <=, >, >=, =~, &&, ||, !)
//
// with PaesslerAG's semantics: a path without wildcard, union, slice, filter
// or `..` yields one value and a missing key or index is an error ("unknown
// key x", "index 3 out of bounds"); as soon as one of those appears the
// result is the list of matches, and a branch that does not match is simply
// left out. Go iterates maps in random order; Ferry visits keys sorted, so
// `[*]` on an object is at least deterministic.
//
// Not supported: scripts `$.(...)`, arithmetic inside brackets, and gval
// variables (paths that do not start with `$`).
import { isDeepStrictEqual } from "node:util";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";

/** The path text is not JSONPath Ferry understands. */
export class JsonPathSyntaxError extends Error {
  constructor(reason: string, offset: number) {
    super(`${reason} at offset ${offset}`);
    this.name = "JsonPathSyntaxError";
  }
}

/** A path without wildcards did not match (PaesslerAG's messages). */
export class JsonPathLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathLookupError";
  }
}

type Key = string | number;

type Operand =
  | { readonly kind: "literal"; readonly value: unknown }
  | { readonly kind: "path"; readonly root: "@" | "$"; readonly keys: readonly Key[] };

type Expr =
  | { readonly kind: "operand"; readonly operand: Operand }
  | { readonly kind: "not"; readonly expr: Expr }
  | { readonly kind: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | {
      readonly kind: "compare";
      readonly op: CompareOp;
      readonly left: Operand;
      readonly right: Operand;
    };

type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~";

type Step =
  | { readonly kind: "key"; readonly key: Key }
  | { readonly kind: "wildcard" }
  | { readonly kind: "union"; readonly keys: readonly Key[] }
  | { readonly kind: "slice"; readonly start: number; readonly end: number; readonly step: number }
  | { readonly kind: "filter"; readonly expr: Expr }
  | { readonly kind: "descend" };

export interface JsonPath {
  readonly steps: readonly Step[];
  /** True when the result is a list of matches (wildcards, unions, slices, filters, `..`). */
  readonly ambiguous: boolean;
}

const MAX_INT32 = 2_147_483_647;
/** Go's text/scanner identifier: a letter or _, then letters, digits and _. */
const IDENT = /[\p{L}_][\p{L}\p{Nd}_]*/uy;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const COMPARE_OPS: readonly CompareOp[] = ["==", "!=", "<=", ">=", "=~", "<", ">"];

/** A recursive-descent reader over the path text. */
class Reader {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  peek(): string {
    this.skipSpace();
    return this.text.charAt(this.pos);
  }

  startsWith(s: string): boolean {
    this.skipSpace();
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.startsWith(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string, what: string): void {
    if (!this.eat(s)) this.fail(`expected ${what}`);
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  fail(reason: string): never {
    throw new JsonPathSyntaxError(reason, this.pos);
  }

  ident(): string | undefined {
    this.skipSpace();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  number(): number | undefined {
    this.skipSpace();
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  string(): string | undefined {
    const quote = this.peek();
    if (quote !== '"' && quote !== "'") return undefined;
    let out = "";
    let i = this.pos + 1;
    while (i < this.text.length) {
      const c = this.text.charAt(i);
      if (c === quote) {
        this.pos = i + 1;
        return out;
      }
      if (c === "\\") {
        const [decoded, next] = unescape(this.text, i, () => this.fail("invalid escape in string"));
        out += decoded;
        i = next;
      } else {
        out += c;
        i++;
      }
    }
    return this.fail("unterminated string");
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\x07",
  "\\": "\\",
  '"': '"',
  "'": "'",
  "/": "/",
};

/** One escape sequence of a Go string literal at `i` (the backslash): [text, next index]. */
function unescape(text: string, i: number, fail: () => never): [string, number] {
  const c = text.charAt(i + 1);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, i + 2];
  const width = c === "u" ? 4 : c === "U" ? 8 : c === "x" ? 2 : 0;
  const hex = text.slice(i + 2, i + 2 + width);
  if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return fail();
  const code = Number.parseInt(hex, 16);
  if (code > 0x10ffff) return fail();
  return [String.fromCodePoint(code), i + 2 + width];
}

/** A literal key inside brackets: a string or an integer. */
function readKey(r: Reader): Key | undefined {
  const s = r.string();
  if (s !== undefined) return s;
  const n = r.number();
  if (n === undefined) return undefined;
  if (!Number.isInteger(n)) r.fail("an index must be an integer");
  return n;
}

/** The keys of a bracket after its first one, up to `]`, and their separator. */
function readBracketParts(r: Reader): { parts: (Key | undefined)[]; separator: string } {
  const parts: (Key | undefined)[] = [readKey(r)];
  let separator = "";
  while (!r.eat("]")) {
    const sep = r.eat(",") ? "," : r.eat(":") ? ":" : r.fail("expected , : or ]");
    if (separator !== "" && separator !== sep) r.fail("mixed , and : in brackets");
    separator = sep;
    const omitted = r.peek() === "]" || r.peek() === ":";
    parts.push(omitted ? undefined : readKey(r));
  }
  return { parts, separator };
}

/** `[` already read: wildcard, union/key, slice or filter. */
function readBracket(r: Reader, afterDescend: boolean): Step {
  if (r.eat("*")) {
    r.expect("]", "] after *");
    return { kind: "wildcard" };
  }
  if (r.eat("?")) {
    const expr = readOr(r);
    r.expect("]", "] after the filter");
    return { kind: "filter", expr };
  }
  const { parts, separator } = readBracketParts(r);
  if (separator === ":") {
    if (afterDescend) r.fail("a range query cannot follow ..");
    return sliceStep(r, parts);
  }
  const keys = parts.map((k) => k ?? r.fail("expected a key"));
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && !afterDescend) return { kind: "key", key: only };
  return { kind: "union", keys };
}

function sliceStep(r: Reader, parts: readonly (Key | undefined)[]): Step {
  if (parts.length > 3) r.fail("a range query has at most [start:end:step]");
  const defaults = [0, MAX_INT32, 1];
  const [start, end, step] = defaults.map((d, i) => {
    const v = parts[i];
    if (typeof v === "string") r.fail("range bounds must be integers");
    return v ?? d;
  });
  return { kind: "slice", start: start ?? 0, end: end ?? MAX_INT32, step: step ?? 1 };
}

/** The segment after `..`: a name, `*` or a bracket. */
function readDescendTarget(r: Reader, steps: Step[]): void {
  steps.push({ kind: "descend" });
  const name = r.ident();
  if (name !== undefined) steps.push({ kind: "key", key: name });
  else if (r.eat("*")) steps.push({ kind: "wildcard" });
  else if (r.eat("[")) steps.push(readBracket(r, true));
  else r.fail("expected a name, * or [ after ..");
}

function readSteps(r: Reader): Step[] {
  const steps: Step[] = [];
  for (;;) {
    if (r.eat("..")) readDescendTarget(r, steps);
    else if (r.eat(".")) {
      const name = r.ident();
      if (name !== undefined) steps.push({ kind: "key", key: name });
      else if (r.eat("*")) steps.push({ kind: "wildcard" });
      else r.fail('expected a name or * after "." (use $["my-key"] for other keys)');
    } else if (r.eat("[")) steps.push(readBracket(r, false));
    else return steps;
  }
}

// ---- filter expressions ----

function readOr(r: Reader): Expr {
  let left = readAnd(r);
  while (r.eat("||")) left = { kind: "or", left, right: readAnd(r) };
  return left;
}

function readAnd(r: Reader): Expr {
  let left = readUnary(r);
  while (r.eat("&&")) left = { kind: "and", left, right: readUnary(r) };
  return left;
}

function readUnary(r: Reader): Expr {
  if (r.startsWith("!") && !r.startsWith("!=")) {
    r.eat("!");
    return { kind: "not", expr: readUnary(r) };
  }
  if (r.eat("(")) {
    const inner = readOr(r);
    r.expect(")", ")");
    return inner;
  }
  const left = readOperand(r);
  const op = COMPARE_OPS.find((o) => r.eat(o));
  if (op === undefined) return { kind: "operand", operand: left };
  return { kind: "compare", op, left, right: readOperand(r) };
}

function readOperand(r: Reader): Operand {
  const c = r.peek();
  if (c === "@" || c === "$") {
    r.eat(c);
    return { kind: "path", root: c, keys: plainKeys(r, readSteps(r)) };
  }
  const s = r.string();
  if (s !== undefined) return { kind: "literal", value: s };
  const n = r.number();
  if (n !== undefined) return { kind: "literal", value: n };
  const word = r.ident();
  if (word === "true" || word === "false") return { kind: "literal", value: word === "true" };
  if (word === "null" || word === "nil") return { kind: "literal", value: null };
  return r.fail("expected @, $, a string, a number, true, false or null");
}

function plainKeys(r: Reader, steps: readonly Step[]): Key[] {
  return steps.map((s) => (s.kind === "key" ? s.key : r.fail("filters support plain paths only")));
}

/** Parses a JSONPath; throws JsonPathSyntaxError. */
export function parseJsonPath(text: string): JsonPath {
  const r = new Reader(text);
  if (!r.eat("$")) r.fail('a jsonPath must start with "$"');
  const steps = readSteps(r);
  if (!r.atEnd()) r.fail("unexpected character");
  return { steps, ambiguous: steps.some((s) => s.kind !== "key") };
}

// ---- evaluation ----

/** Go's %T of a decoded JSON value, for error messages. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function selectKey(v: unknown, key: Key): unknown {
  if (Array.isArray(v)) {
    if (typeof key !== "number") {
      throw new JsonPathLookupError(`could not select value, invalid key: ${key}`);
    }
    const i = Math.trunc(key);
    if (i < 0 || i >= v.length) throw new JsonPathLookupError(`index ${i} out of bounds`);
    return v[i] as unknown;
  }
  if (isObject(v)) {
    const k = String(key);
    if (Object.hasOwn(v, k)) return v[k];
    throw new JsonPathLookupError(`unknown key ${k}`);
  }
  throw new JsonPathLookupError(
    `unsupported value type ${goTypeName(v)} for select, expected map[string]interface{} or []interface{}`,
  );
}

/** Children in visiting order: array order, object keys sorted. */
function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v as unknown[];
  if (isObject(v)) {
    return Object.keys(v)
      .sort()
      .map((k) => v[k]);
  }
  return [];
}

function descendants(v: unknown, out: unknown[] = []): unknown[] {
  out.push(v);
  for (const c of children(v)) descendants(c, out);
  return out;
}

/** PaesslerAG's range: bounds checked before negative ones are resolved. */
function slice(v: unknown, step: Extract<Step, { kind: "slice" }>): unknown[] {
  if (!Array.isArray(v) || step.start > step.end) return [];
  const n = v.length;
  const bound = (x: number): number => (x < 0 ? Math.max(0, n + x) : Math.min(x, n));
  const min = bound(step.start);
  const max = bound(step.end);
  const by = step.step === 0 ? 1 : step.step;
  const out: unknown[] = [];
  if (by > 0) for (let i = min; i < max; i += by) out.push(v[i]);
  else for (let i = max - 1; i >= min; i += by) out.push(v[i]);
  return out;
}

function trySelect(v: unknown, key: Key): unknown[] {
  try {
    return [selectKey(v, key)];
  } catch {
    return [];
  }
}

function expand(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.kind) {
    case "key":
      return trySelect(v, step.key);
    case "wildcard":
      return children(v);
    case "union":
      return step.keys.flatMap((k) => trySelect(v, k));
    case "slice":
      return slice(v, step);
    case "filter":
      return children(v).filter((c) => safeTest(step.expr, c, root));
    case "descend":
      return descendants(v);
  }
}

/**
 * Evaluates a parsed path on decoded JSON: one value for a plain path
 * (throws JsonPathLookupError when it does not match), else the list of matches.
 */
export function evaluateJsonPath(path: JsonPath, root: unknown): unknown {
  if (!path.ambiguous) {
    let v = root;
    for (const step of path.steps) if (step.kind === "key") v = selectKey(v, step.key);
    return v;
  }
  let values: unknown[] = [root];
  for (const step of path.steps) values = values.flatMap((v) => expand(step, v, root));
  return values;
}

// ---- filter evaluation (gval's semantics for the operators above) ----

class FilterMismatch extends Error {}

function safeTest(expr: Expr, current: unknown, root: unknown): boolean {
  try {
    return truth(evalExpr(expr, current, root));
  } catch {
    return false;
  }
}

function truth(v: unknown): boolean {
  if (typeof v !== "boolean") throw new FilterMismatch();
  return v;
}

function evalExpr(expr: Expr, current: unknown, root: unknown): unknown {
  switch (expr.kind) {
    case "operand":
      return evalOperand(expr.operand, current, root);
    case "not":
      return !truth(evalExpr(expr.expr, current, root));
    case "and":
      return (
        truth(evalExpr(expr.left, current, root)) && truth(evalExpr(expr.right, current, root))
      );
    case "or":
      return (
        truth(evalExpr(expr.left, current, root)) || truth(evalExpr(expr.right, current, root))
      );
    case "compare":
      return compare(
        expr.op,
        evalOperand(expr.left, current, root),
        evalOperand(expr.right, current, root),
      );
  }
}

function evalOperand(op: Operand, current: unknown, root: unknown): unknown {
  if (op.kind === "literal") return op.value;
  let v = op.root === "@" ? current : root;
  for (const key of op.keys) v = selectKey(v, key);
  return v;
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && NUMERIC.test(v.trim())) return Number(v);
  return undefined;
}

function ordered(op: CompareOp, a: number | string, b: number | string): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

function matches(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string") throw new FilterMismatch();
  return compileGoRegexp(b).test(a);
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  if (op === "=~") return matches(a, b);
  const x = asNumber(a);
  const y = asNumber(b);
  const bothNumbers = x !== undefined && y !== undefined;
  if (op === "==" || op === "!=") {
    const equal = bothNumbers ? x === y : isDeepStrictEqual(a, b);
    return op === "==" ? equal : !equal;
  }
  if (bothNumbers) return ordered(op, x, y);
  if (typeof a === "string" && typeof b === "string") return ordered(op, a, b);
  throw new FilterMismatch();
}

const cache = new Map<string, JsonPath>();
const CACHE_MAX = 512;

/** parseJsonPath with a small cache (paths come from stores and are reused). */
export function compileJsonPath(text: string): JsonPath {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const parsed = parseJsonPath(text);
  cache.set(text, parsed);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  return parsed;
}
