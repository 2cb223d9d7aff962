// Go text/template's predefined functions.
import { FuncError } from "./errors.ts";
import type { FuncDef } from "./exec.ts";
import { sprint, sprintf, sprintln } from "./fmt.ts";
import {
  GoMap,
  GoNum,
  GoSlice,
  basicKind,
  decodeRune,
  isTrue,
  numValue,
  runeToBytes,
  typeName,
  zeroOf,
} from "./value.ts";
import type { GoValue } from "./value.ts";

function indexArg(index: GoValue, cap: number): number {
  const k = basicKind(index);
  if (index === null || index === undefined)
    throw new FuncError("cannot index slice/array with nil");
  if (k !== "int" && k !== "uint")
    throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  const x = numValue(index);
  if (x < 0 || x > cap) throw new FuncError(`index out of range: ${x}`);
  return x;
}

function indexOne(item: GoValue, index: GoValue): GoValue {
  if (item === null || item === undefined) throw new FuncError("index of nil pointer");
  if (typeof item === "string" || item instanceof GoSlice) {
    const len = typeof item === "string" ? item.length : item.items.length;
    const x = indexArg(index, len);
    if (x === len)
      throw new FuncError(
        `reflect: ${typeof item === "string" ? "string" : "slice"} index out of range`,
      );
    if (typeof item === "string") return new GoNum("uint8", item.charCodeAt(x));
    return item.items[x] ?? null;
  }
  if (item instanceof GoMap) {
    if (index === null || index === undefined)
      throw new FuncError("value is nil; should be of type string");
    if (typeof index !== "string") {
      throw new FuncError(`value has type ${typeName(index)}; should be string`);
    }
    const v = item.m.get(index);
    if (v === undefined && !item.m.has(index)) return zeroOf(item.elem);
    return v ?? null;
  }
  throw new FuncError(`can't index item of type ${typeName(item)}`);
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (item === null || item === undefined) throw new FuncError("index of untyped nil");
  let cur: GoValue = item;
  for (const i of indexes) cur = indexOne(cur, i);
  return cur;
}

export function sliceFn(item: GoValue, ...indexes: GoValue[]): GoValue {
  if (item === null || item === undefined) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    len = item.length;
  } else if (item instanceof GoSlice) len = item.items.length;
  else throw new FuncError(`can't slice item of type ${typeName(item)}`);
  const idx = [0, len, len];
  indexes.forEach((x, i) => (idx[i] = indexArg(x, len)));
  const [a = 0, b = len, c = len] = idx;
  if (a > b) throw new FuncError(`invalid slice index: ${a} > ${b}`);
  if (indexes.length === 3 && b > c) throw new FuncError(`invalid slice index: ${b} > ${c}`);
  if (typeof item === "string") return item.slice(a, b);
  return new GoSlice(item.elem, item.items.slice(a, b));
}

function len(item: GoValue): number {
  if (item === undefined) throw new FuncError("reflect: call of reflect.Value.Type on zero Value");
  if (item === null) throw new FuncError("len of nil pointer");
  if (typeof item === "string") return item.length;
  if (item instanceof GoSlice) return item.items.length;
  if (item instanceof GoMap) return item.m.size;
  throw new FuncError(`len of type ${typeName(item)}`);
}

// ---- comparisons ----

const ERR_BAD_COMPARISON_TYPE = "invalid type for comparison";
const ERR_BAD_COMPARISON = "incompatible types for comparison";
const ERR_NO_COMPARISON = "missing argument for comparison";

function valid(v: GoValue): boolean {
  return v !== null && v !== undefined;
}

function eqOne(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 !== k2) {
    if ((k1 === "int" && k2 === "uint") || (k1 === "uint" && k2 === "int"))
      return numValue(a) === numValue(b);
    if (valid(a) && valid(b))
      throw new FuncError(`${ERR_BAD_COMPARISON}: ${typeName(a)} and ${typeName(b)}`);
    return false;
  }
  switch (k1) {
    case "bool":
    case "string":
      return a === b;
    case "int":
    case "uint":
    case "float":
      return numValue(a) === numValue(b);
    case "complex":
      return (a as GoNum).v === (b as GoNum).v && (a as GoNum).im === (b as GoNum).im;
    default:
      return compareComposite(a, b);
  }
}

function compareComposite(a: GoValue, b: GoValue): boolean {
  if (!valid(a) || !valid(b)) return !valid(a) && !valid(b);
  if (a instanceof GoSlice || a instanceof GoMap || b instanceof GoSlice || b instanceof GoMap) {
    throw new FuncError(`non-comparable types ${typeName(a)} and ${typeName(b)}`);
  }
  if (typeName(a) !== typeName(b)) return false;
  return a === b;
}

function eq(a: GoValue, ...rest: GoValue[]): boolean {
  if (rest.length === 0) throw new FuncError(ERR_NO_COMPARISON);
  for (const b of rest) if (eqOne(a, b)) return true;
  return false;
}

function lt(a: GoValue, b: GoValue): boolean {
  const k1 = basicKind(a);
  if (k1 === "invalid") throw new FuncError(ERR_BAD_COMPARISON_TYPE);
  const k2 = basicKind(b);
  if (k2 === "invalid") throw new FuncError(ERR_BAD_COMPARISON_TYPE);
  if (k1 !== k2) {
    if ((k1 === "int" && k2 === "uint") || (k1 === "uint" && k2 === "int"))
      return numValue(a) < numValue(b);
    throw new FuncError(`${ERR_BAD_COMPARISON}: ${typeName(a)} and ${typeName(b)}`);
  }
  if (k1 === "bool" || k1 === "complex") throw new FuncError(ERR_BAD_COMPARISON_TYPE);
  if (k1 === "string") return (a as string) < (b as string);
  return numValue(a) < numValue(b);
}

function le(a: GoValue, b: GoValue): boolean {
  return lt(a, b) || eq(a, b);
}

// ---- escaping ----

function evalArgs(args: readonly GoValue[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args);
}

const HTML_ESC: Readonly<Record<string, string>> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

function html(...args: GoValue[]): string {
  return evalArgs(args).replace(/[\0"'&<>]/g, (c) =>
    c === "\0" ? "\xef\xbf\xbd" : (HTML_ESC[c] ?? c),
  );
}

const JS_ESC: Readonly<Record<number, string>> = {
  0x5c: "\\\\",
  0x27: "\\'",
  0x22: '\\"',
  0x3c: "\\u003C",
  0x3e: "\\u003E",
  0x26: "\\u0026",
  0x3d: "\\u003D",
};

function jsEscapeRune(r: number): string {
  const esc = JS_ESC[r];
  if (esc !== undefined) return esc;
  if (r < 0x20) return `\\u${r.toString(16).toUpperCase().padStart(4, "0")}`;
  if (r < 0x80) return String.fromCharCode(r);
  const ch = String.fromCodePoint(r);
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) return runeToBytes(r);
  return `\\u${r.toString(16).toUpperCase().padStart(4, "0")}`;
}

function js(...args: GoValue[]): string {
  const s = evalArgs(args);
  let out = "";
  let i = 0;
  while (i < s.length) {
    const [r, size] = decodeRune(s, i);
    out += size === 1 && r === 0xfffd ? "\\uFFFD" : jsEscapeRune(r);
    i += size;
  }
  return out;
}

/** url.QueryEscape of a byte string. */
export function queryEscape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${s.charCodeAt(i).toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function call(fn: GoValue): GoValue {
  if (fn === null || fn === undefined) throw new FuncError("call of nil");
  throw new FuncError(`non-function of type ${typeName(fn)}`);
}

const v = "value" as const;

export const BUILTINS: ReadonlyMap<string, FuncDef> = new Map<string, FuncDef>([
  ["and", { params: [v], variadic: v, fn: () => null, special: "and" }],
  ["or", { params: [v], variadic: v, fn: () => null, special: "or" }],
  ["not", { params: [v], fn: (a) => !isTrue(a) }],
  ["len", { params: [v], fn: len }],
  ["index", { params: [v], variadic: v, fn: index }],
  ["print", { params: [], variadic: "any", fn: (...a) => sprint(a) }],
  ["printf", { params: ["string"], variadic: "any", fn: (f, ...a) => sprintf(f as string, a) }],
  ["println", { params: [], variadic: "any", fn: (...a) => sprintln(a) }],
  ["html", { params: [], variadic: "any", fn: html }],
  ["js", { params: [], variadic: "any", fn: js }],
  ["urlquery", { params: [], variadic: "any", fn: (...a) => queryEscape(evalArgs(a)) }],
  ["eq", { params: [v], variadic: v, fn: eq }],
  ["ne", { params: [v, v], fn: (a, b) => !eq(a, b) }],
  ["lt", { params: [v, v], fn: lt }],
  ["le", { params: [v, v], fn: le }],
  ["gt", { params: [v, v], fn: (a, b) => !le(a, b) }],
  ["ge", { params: [v, v], fn: (a, b) => !lt(a, b) }],
  ["call", { params: [v], variadic: v, fn: call }],
]);
