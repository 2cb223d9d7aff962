// ESO's toYaml/fromYaml (sigs.k8s.io/yaml: through JSON, then YAML).
import type * as Yaml from "yaml";
import { formatFloat } from "../fmt.ts";
import { lazyRequire } from "../lazy.ts";
import { GoMap, anyMap, fromBytes, toBytes } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";
import { fromJSONValue, marshal } from "./json.ts";

// The yaml package (CommonJS) is loaded by the first fromYaml, not at
// start-up: an idle controller does not need it (start-up memory).
const yaml = lazyRequire<typeof Yaml>("yaml");

// ---- a YAML emitter for JSON values, in the style of gopkg.in/yaml.v2 ----

const BOOL_OR_NULL = new Set(
  "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF ~ null Null NULL".split(
    " ",
  ),
);
const NUMBER_LIKE =
  /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?0(b[01_]+|x[0-9a-fA-F_]+|o?[0-7_]+)$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}$|^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?$/;
const WIDTH = 80;

/** Would the plain scalar s be read back as something other than a string? */
function resolvesToNonString(s: string): boolean {
  return s === "" || BOOL_OR_NULL.has(s) || NUMBER_LIKE.test(s) || TIMESTAMP.test(s);
}

function plainAllowed(s: string): boolean {
  if (s.startsWith("---") || s.startsWith("...")) return false;
  if (/^[#,[\]{}&*!|>'"%@`]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s)) return false;
  if (/^\s|\s$/.test(s)) return false;
  if (/: |:$| #/.test(s)) return false;
  return !hasControl(s);
}

/** Control characters other than a newline (they force the double-quoted style). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 10 && (c < 0x20 || (c >= 0x7f && c <= 0x9f))) return true;
  }
  return false;
}

/** Writes words of s separated by single spaces, breaking lines past the width as the emitter does. */
function folded(s: string, column: number, indent: string): string {
  let out = "";
  let col = column;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    const inner = i !== 0 && i !== s.length - 1;
    if (c === " " && inner && s[i - 1] !== " " && col > WIDTH && s[i + 1] !== " ") {
      out += `\n${indent}`;
      col = indent.length;
      continue;
    }
    out += c;
    col++;
  }
  return out;
}

function doubleQuoted(s: string): string {
  return JSON.stringify(s).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`);
}

function scalar(s: string, column: number, indent: string): string {
  if (resolvesToNonString(s)) return doubleQuoted(s);
  if (hasControl(s)) return doubleQuoted(s);
  if (s.includes("\n")) {
    const chomp = s.endsWith("\n\n") ? "+" : s.endsWith("\n") ? "" : "-";
    const body = s.endsWith("\n") ? s.slice(0, -1) : s;
    const lines = body.split("\n").map((l) => (l === "" ? "" : `${indent}  ${l}`));
    const lead = /^\s/.test(s) ? "2" : "";
    return `|${lead}${chomp}\n${lines.join("\n")}`;
  }
  if (plainAllowed(s)) return folded(s, column, `${indent}  `);
  return `'${folded(s.replaceAll("'", "''"), column + 1, `${indent}  `)}'`;
}

function yamlNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return formatFloat(n, "g", -1);
}

function isEmptyContainer(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

function inline(v: unknown, column: number, indent: string): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return yamlNumber(v);
  if (typeof v === "string") return scalar(v, column, indent);
  return Array.isArray(v) ? "[]" : "{}";
}

const isDigitCh = (c: string | undefined): boolean => c !== undefined && /^\p{Nd}$/u.test(c);
const isLetterCh = (c: string | undefined): boolean => c !== undefined && /^\p{L}$/u.test(c);

function numberAt(r: readonly string[], i: number): [number, number] {
  let j = i;
  let n = 0;
  while (j < r.length && isDigitCh(r[j])) n = n * 10 + Number(r[j++]);
  return [n, j];
}

/** yaml.v2's key order: letters before digits after a digit run, numbers compared by value. */
function naturalLess(
  ar: readonly string[],
  br: readonly string[],
  i: number,
  digits: boolean,
): boolean {
  const a = ar[i] ?? "";
  const b = br[i] ?? "";
  const al = isLetterCh(a);
  const bl = isLetterCh(b);
  if (al && bl) return a < b;
  if (al || bl) return digits ? al : bl;
  const [an, ai] = numberAt(ar, i);
  const [bn, bi] = numberAt(br, i);
  if (an !== bn) return an < bn;
  if (ai !== bi) return ai < bi;
  return a < b;
}

function naturalCompare(x: string, y: string): number {
  if (x === y) return 0;
  const ar = Array.from(x);
  const br = Array.from(y);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigitCh(ar[i]);
      continue;
    }
    return naturalLess(ar, br, i, digits) ? -1 : 1;
  }
  return ar.length < br.length ? -1 : 1;
}

function emitMap(m: Record<string, unknown>, indent: string): string {
  const keys = Object.keys(m).sort(naturalCompare);
  return keys
    .map((k) => {
      const key = scalar(k, indent.length, indent);
      const v = m[k];
      if (typeof v === "object" && v !== null && !isEmptyContainer(v)) {
        const childIndent = Array.isArray(v) ? indent : `${indent}  `;
        return `${indent}${key}:\n${emitNode(v, childIndent)}`;
      }
      return `${indent}${key}: ${inline(v, indent.length + key.length + 2, indent)}`;
    })
    .join("\n");
}

function emitList(l: readonly unknown[], indent: string): string {
  return l
    .map((v) => {
      if (typeof v === "object" && v !== null && !isEmptyContainer(v)) {
        const inner = emitNode(v, `${indent}  `);
        return `${indent}- ${inner.slice(indent.length + 2)}`;
      }
      return `${indent}- ${inline(v, indent.length + 2, indent)}`;
    })
    .join("\n");
}

function emitNode(v: unknown, indent: string): string {
  if (Array.isArray(v)) return isEmptyContainer(v) ? `${indent}[]` : emitList(v, indent);
  if (typeof v === "object" && v !== null) {
    return isEmptyContainer(v) ? `${indent}{}` : emitMap(v as Record<string, unknown>, indent);
  }
  return indent + inline(v, indent.length, indent);
}

function toYaml(v: GoValue): GoValue {
  let json: unknown;
  try {
    json = JSON.parse(fromBytes(marshal(v, { escapeHTML: false })));
  } catch {
    return "";
  }
  return toBytes(emitNode(json, ""));
}

function jsonKind(doc: unknown): string {
  if (Array.isArray(doc)) return "array";
  if (typeof doc === "number") return "number";
  return typeof doc === "boolean" ? "bool" : "string";
}

class YamlError extends Error {}

/**
 * The first document, as yaml.v2's Unmarshal reads it: later documents are
 * not looked at, and a repeated key keeps its last value.
 */
function firstDocument(src: string): unknown {
  const doc = yaml().parseAllDocuments(src, { version: "1.1", uniqueKeys: false })[0];
  if (doc === undefined) return null;
  if (doc.errors.length > 0) throw new YamlError("invalid YAML");
  try {
    // Through JSON, as sigs.k8s.io/yaml does (and to refuse recursive aliases).
    return JSON.parse(JSON.stringify(doc.toJS({ maxAliasCount: 100 }))) as unknown;
  } catch (e) {
    const alias = /^Unresolved alias[^:]*: (.*)$/.exec((e as Error).message)?.[1];
    if (alias !== undefined) throw new YamlError(`yaml: unknown anchor '${alias}' referenced`);
    throw new YamlError("invalid YAML");
  }
}

function fromYaml(s: GoValue): GoValue {
  let doc: unknown;
  try {
    doc = firstDocument(fromBytes(s as string));
  } catch (e) {
    const why = e instanceof YamlError ? e.message : "invalid YAML";
    return anyMap(new Map([["Error", toBytes(`error converting YAML to JSON: ${why}`)]]));
  }
  if (doc === null || doc === undefined) return anyMap();
  const v = fromJSONValue(doc);
  if (!(v instanceof GoMap)) {
    const msg = `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(doc)} into Go value of type map[string]interface {}`;
    return anyMap(new Map([["Error", msg]]));
  }
  return v;
}

register({
  toYaml: fn(["any"], toYaml),
  fromYaml: fn(["string"], fromYaml),
});
