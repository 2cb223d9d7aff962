// Go encoding/json for template values, and JSON → Go values.
import {
  GoMap,
  GoNum,
  GoObject,
  GoSlice,
  anyMap,
  anySlice,
  decodeRune,
  float64,
  fromBytes,
  sortedKeys,
  toBytes,
} from "../value.ts";
import type { GoValue } from "../value.ts";
import { formatFloat } from "../fmt.ts";

export class JSONError extends Error {}

function hex4(n: number): string {
  return n.toString(16).padStart(4, "0");
}

const SHORT: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x08: "\\b",
  0x0c: "\\f",
};

/** Go's JSON string encoding of a byte string. */
export function jsonString(b: string, escapeHTML: boolean): string {
  let out = '"';
  let i = 0;
  while (i < b.length) {
    const c = b.charCodeAt(i);
    if (c < 0x80) {
      const short = SHORT[c];
      if (short !== undefined) out += short;
      else if (c < 0x20 || (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)))
        out += `\\u${hex4(c)}`;
      else out += b[i] ?? "";
      i++;
      continue;
    }
    const [r, size] = decodeRune(b, i);
    if (size === 1 && r === 0xfffd) out += "\\ufffd";
    else if (r === 0x2028 || r === 0x2029) out += `\\u${hex4(r)}`;
    else out += b.slice(i, i + size);
    i += size;
  }
  return `${out}"`;
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f))
    throw new JSONError(`json: unsupported value: ${formatFloat(f, "g", -1)}`);
  const abs = Math.abs(f);
  let s: string;
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    s = formatFloat(f, "e", -1).replace(/e([+-])0(\d)$/, "e$1$2");
  } else s = formatFloat(f, "f", -1);
  return s;
}

interface Enc {
  escapeHTML: boolean;
  indent: string;
}

function enc(v: GoValue, e: Enc, depth: number): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return jsonString(v, e.escapeHTML);
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof GoNum) return v.t.startsWith("float") ? jsonFloat(v.v) : String(v.v);
  if (v instanceof GoObject) return enc(v.json(), e, depth);
  const nl = e.indent === "" ? "" : `\n${e.indent.repeat(depth + 1)}`;
  const close = e.indent === "" ? "" : `\n${e.indent.repeat(depth)}`;
  if (v instanceof GoSlice) {
    if (v.items.length === 0) return "[]";
    return `[${v.items.map((x) => nl + enc(x, e, depth + 1)).join(",")}${close}]`;
  }
  if (v instanceof GoMap) {
    const keys = sortedKeys(v);
    if (keys.length === 0) return "{}";
    const sep = e.indent === "" ? ":" : ": ";
    return `{${keys.map((k) => nl + jsonString(k, e.escapeHTML) + sep + enc(v.m.get(k), e, depth + 1)).join(",")}${close}}`;
  }
  return "null";
}

/** json.Marshal (escapeHTML) / MarshalIndent / an Encoder without HTML escaping. */
export function marshal(v: GoValue, opts: { escapeHTML: boolean; indent?: string }): string {
  return enc(v, { escapeHTML: opts.escapeHTML, indent: opts.indent ?? "" }, 0);
}

/** JSON value (from JSON.parse) → Go value as encoding/json decodes into interface{}. */
export function fromJSONValue(v: unknown): GoValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return toBytes(v);
  if (typeof v === "number") return float64(v);
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return anySlice(v.map(fromJSONValue));
  const m = new Map<string, GoValue>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    m.set(toBytes(k), fromJSONValue(x));
  return anyMap(m);
}

/** json.Unmarshal into interface{}; throws JSONError (without echoing input) on bad input. */
export function unmarshal(b: string): GoValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromBytes(b), (_k, val: unknown) => val);
  } catch {
    throw new JSONError(b.trim() === "" ? "unexpected end of JSON input" : "invalid JSON input");
  }
  return fromJSONValue(parsed);
}
