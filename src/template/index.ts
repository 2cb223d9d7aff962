// Public API of Ferry's template engine: Go text/template + sprig, as ESO's
// template engine v2 renders them. Pure: no I/O, no dependency on the rest of Ferry.
import { BUILTINS } from "./builtins.ts";
import { DEFAULT_LIMITS, TemplateError, setActiveLimits } from "./errors.ts";
import type { Limits } from "./errors.ts";
import { execute } from "./exec.ts";
import type { FuncDef, FuncMap } from "./exec.ts";
import { ESO_FUNCS } from "./funcs/all.ts";
import { ParseError, parse } from "./parse.ts";
import type { Tree } from "./parse.ts";
import { ANY, GoMap, GoNum, GoSlice, bufToBytes, fromBytes, toBytes } from "./value.ts";
import type { GoValue } from "./value.ts";

export { TemplateError, DEFAULT_LIMITS } from "./errors.ts";
export type { Limits, TemplateErrorKind } from "./errors.ts";
export type { FuncDef, FuncMap, ParamType } from "./exec.ts";
export type { GoValue } from "./value.ts";

/** ESO's data context: each key maps to its value as a Go string (bytes). */
export type TemplateData = Readonly<Record<string, string | Uint8Array>>;

export interface CompileOptions {
  /** Template name (appears in error messages). Default "template". */
  readonly name?: string;
  /** Default "{{" (ESO flag --template-left-delimiter). */
  readonly leftDelim?: string;
  /** Default "}}" (ESO flag --template-right-delimiter). */
  readonly rightDelim?: string;
}

export interface CompiledTemplate {
  readonly name: string;
  /** Renders with ESO's context (map[string]string); returns the output decoded as UTF-8. */
  execute(data: TemplateData, limits?: Partial<Limits>): string;
  /** Same, returning the exact output bytes. */
  executeBytes(data: TemplateData, limits?: Partial<Limits>): Uint8Array;
  /** Renders with any Go value as dot (see fromJSON); returns the exact output bytes. */
  executeValue(dot: GoValue, limits?: Partial<Limits>): Uint8Array;
}

/** The functions every ESO template can call (sprig subset + ESO's own), without Go's built-ins. */
export const funcMap: FuncMap = ESO_FUNCS;

const ALL_FUNCS: FuncMap = new Map<string, FuncDef>([...BUILTINS, ...ESO_FUNCS]);

/** Go's maximum parenthesis nesting in the parser is 10000; ours is lower to protect the stack. */
const MAX_PARSE_DEPTH = 1000;

/** Converts ESO's data context to its Go value (map[string]string). */
export function dataContext(data: TemplateData): GoValue {
  const m = new Map<string, GoValue>();
  for (const [k, v] of Object.entries(data))
    m.set(toBytes(k), typeof v === "string" ? toBytes(v) : bufToBytes(v));
  return new GoMap("string", m);
}

/**
 * Converts decoded JSON to the Go value encoding/json produces for
 * interface{}: objects → map[string]interface {}, arrays → []interface {},
 * numbers → float64.
 */
export function fromJSON(v: unknown): GoValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return toBytes(v);
  if (typeof v === "number") return new GoNum("float64", v);
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return new GoSlice(ANY, v.map(fromJSON));
  const m = new Map<string, GoValue>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) m.set(toBytes(k), fromJSON(x));
  return new GoMap(ANY, m);
}

function redact(message: string, data: TemplateData): string {
  let out = message;
  for (const v of Object.values(data)) {
    const s = typeof v === "string" ? v : fromBytes(bufToBytes(v));
    if (s.length >= 3 && out.includes(s)) out = out.replaceAll(s, "[redacted]");
  }
  return out;
}

class Compiled implements CompiledTemplate {
  readonly name: string;
  readonly trees: ReadonlyMap<string, Tree>;

  constructor(name: string, trees: ReadonlyMap<string, Tree>) {
    this.name = name;
    this.trees = trees;
  }

  executeValue(dot: GoValue, limits?: Partial<Limits>): Uint8Array {
    const lim: Limits = { ...DEFAULT_LIMITS, ...limits };
    const prev = setActiveLimits(lim);
    try {
      const out = execute(
        { trees: this.trees, funcs: ALL_FUNCS, limits: lim, name: this.name },
        dot,
      );
      return Buffer.from(out, "latin1");
    } catch (e) {
      if (e instanceof TemplateError) throw new TemplateError(e.kind, fromBytes(e.message));
      throw e;
    } finally {
      setActiveLimits(prev);
    }
  }

  executeBytes(data: TemplateData, limits?: Partial<Limits>): Uint8Array {
    try {
      return this.executeValue(dataContext(data), limits);
    } catch (e) {
      if (e instanceof TemplateError) throw new TemplateError(e.kind, redact(e.message, data));
      throw e;
    }
  }

  execute(data: TemplateData, limits?: Partial<Limits>): string {
    return Buffer.from(this.executeBytes(data, limits)).toString("utf8");
  }
}

const CACHE_MAX = 2048;
const cache = new Map<string, Compiled>();

/**
 * Parses a template (cached by source, name and delimiters). Throws a
 * TemplateError of kind "parse" on a syntax error.
 */
export function compile(source: string, opts: CompileOptions = {}): CompiledTemplate {
  const name = opts.name ?? "template";
  const left = opts.leftDelim ?? "{{";
  const right = opts.rightDelim ?? "}}";
  const key = `${name}\u0000${left}\u0000${right}\u0000${source}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let trees: Map<string, Tree>;
  try {
    trees = parse(toBytes(source), {
      name: toBytes(name),
      leftDelim: toBytes(left),
      rightDelim: toBytes(right),
      hasFunction: (f) => ALL_FUNCS.has(f),
      maxDepth: MAX_PARSE_DEPTH,
    });
  } catch (e) {
    if (e instanceof ParseError) throw new TemplateError("parse", fromBytes(e.message));
    if (e instanceof RangeError)
      throw new TemplateError("limit", `template: ${name}: template too deeply nested`);
    throw e;
  }
  const compiled = new Compiled(toBytes(name), trees);
  cache.set(key, compiled);
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

/** compile(source, opts).execute(data, limits). */
export function render(
  source: string,
  data: TemplateData,
  opts: CompileOptions & { readonly limits?: Partial<Limits> } = {},
): string {
  return compile(source, opts).execute(data, opts.limits);
}
