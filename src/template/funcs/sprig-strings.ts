// sprig string functions.
import { createHash } from "node:crypto";
import { FuncError, checkSize } from "../errors.ts";
import { goQuote } from "../fmt.ts";
import { GoMap, GoNum, mapUnicode, runes, stringSlice, toBytes } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn, strslice as strsliceOf, strval } from "./conv.ts";
import { register } from "./index.ts";

const S = "string" as const;
const I = "int" as const;
const A = "any" as const;

const isSpaceRune = (r: string): boolean => /^\s$/u.test(r) && r !== "\u200b" && r !== "\ufeff";

function isTitleSeparator(r: string): boolean {
  const c = r.codePointAt(0) ?? 0;
  if (c <= 0x7f) return !/[0-9a-zA-Z_]/.test(r);
  if (/^[\p{L}\p{Nd}]$/u.test(r)) return false;
  return isSpaceRune(r);
}

function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const r of s) {
    out += isTitleSeparator(prev) ? r.toUpperCase() : r;
    prev = r;
  }
  return out;
}

/** Applies f to the first letter of each whitespace-separated word (goutils). */
function eachWord(s: string, f: (r: string) => string): string {
  let next = true;
  let out = "";
  for (const r of s) {
    if (isSpaceRune(r)) {
      next = true;
      out += r;
    } else if (next) {
      out += f(r);
      next = false;
    } else out += r;
  }
  return out;
}

function initials(s: string): string {
  let next = true;
  let out = "";
  for (const r of s) {
    if (isSpaceRune(r)) next = true;
    else if (next) {
      out += r;
      next = false;
    }
  }
  return out;
}

function swapcase(s: string): string {
  let out = "";
  for (const r of s) {
    const up = r.toUpperCase();
    const lo = r.toLowerCase();
    if (r === up && r !== lo) out += lo;
    else if (r === lo && r !== up) out += up;
    else out += r;
  }
  return out;
}

/** Go's s[a:b] with its bounds panics. */
function goSlice(s: string, a: number | undefined, b: number | undefined): string {
  const lo = a ?? 0;
  const hi = b ?? s.length;
  if (b !== undefined && (hi > s.length || hi < 0)) {
    throw new FuncError(
      `runtime error: slice bounds out of range [:${hi}] with length ${s.length}`,
    );
  }
  if (lo > hi || lo < 0) {
    throw new FuncError(
      `runtime error: slice bounds out of range [${lo}:${b === undefined ? s.length : hi}]`,
    );
  }
  return s.slice(lo, hi);
}

function substr(start: number, end: number, s: string): string {
  if (start < 0) return goSlice(s, undefined, end);
  if (end < 0 || end > s.length) return goSlice(s, start, undefined);
  return goSlice(s, start, end);
}

function replaceAllGo(s: string, old: string, repl: string): string {
  if (old !== "") return s.split(old).join(repl);
  const rs = runes(s).map((r) => toBytes(String.fromCodePoint(r)));
  return repl + rs.map((r) => r + repl).join("");
}

function trunc(c: number, s: string): string {
  if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
  if (c >= 0 && s.length > c) return s.slice(0, c);
  return s;
}

function abbreviate(s: string, maxWidth: number): string {
  if (s.length <= maxWidth) return s;
  return `${s.slice(0, maxWidth - 3)}...`;
}

function abbrev(width: number, s: string): string {
  if (width < 4) return s;
  return abbreviate(s, width);
}

function abbrevboth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  if (s === "" || s.length <= right) return s;
  let offset = Math.min(left, s.length);
  if (s.length - offset < right - 3) offset = s.length - (right - 3);
  if (offset <= 4) return `${s.slice(0, right - 3)}...`;
  if (offset + right - 3 < s.length) return `...${abbreviate(s.slice(offset), right - 3)}`;
  return `...${s.slice(s.length - (right - 3))}`;
}

function wrapCustom(str: string, wrapLength: number, newLine: string, wrapLong: boolean): string {
  if (str === "") return "";
  const nl = newLine === "" ? "\n" : newLine;
  const width = Math.max(wrapLength, 1);
  let offset = 0;
  let out = "";
  while (str.length - offset > width) {
    if (str[offset] === " ") {
      offset++;
      continue;
    }
    const space = str.slice(offset, width + offset + 1).lastIndexOf(" ") + offset;
    if (space >= offset) {
      out += str.slice(offset, space) + nl;
      offset = space + 1;
    } else if (wrapLong) {
      out += str.slice(offset, offset + width) + nl;
      offset += width;
    } else {
      const end = width + offset;
      const idx = str.indexOf(" ", end);
      if (idx < 0) {
        out += str.slice(offset);
        offset = str.length;
      } else {
        out += str.slice(offset, idx) + nl;
        offset = idx + 1;
      }
    }
  }
  return out + str.slice(offset);
}

function repeat(count: number, s: string): string {
  if (count < 0) throw new Error("negative Repeat count");
  checkSize(count * s.length);
  return s.repeat(count);
}

function indent(spaces: number, v: string): string {
  const pad = " ".repeat(Math.max(spaces, 0));
  checkSize(v.length + v.split("\n").length * pad.length);
  return pad + v.replaceAll("\n", `\n${pad}`);
}

function cat(...v: GoValue[]): string {
  return v
    .filter((x) => x !== null && x !== undefined)
    .map(strval)
    .join(" ");
}

function hash(alg: string): (s: GoValue) => string {
  return (s) =>
    createHash(alg)
      .update(Buffer.from(s as string, "latin1"))
      .digest("hex");
}

function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (let i = 0; i < s.length; i++) {
    a = (a + s.charCodeAt(i)) % 65521;
    b = (b + a) % 65521;
  }
  return String((b * 65536 + a) >>> 0);
}

function splitGo(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const rs = runes(s).map((r) => toBytes(String.fromCodePoint(r)));
    if (n < 0 || n >= rs.length) return rs;
    return [...rs.slice(0, n - 1), rs.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitMap(parts: string[]): GoMap {
  return new GoMap("string", new Map(parts.map((p, i) => [`_${i}`, p])));
}

function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  const set = new Set(runes(cutset));
  const rs = runes(s);
  let a = 0;
  let b = rs.length;
  while (left && a < b && set.has(rs[a] ?? -1)) a++;
  while (right && b > a && set.has(rs[b - 1] ?? -1)) b--;
  return toBytes(String.fromCodePoint(...rs.slice(a, b)));
}

function goTrimSpace(s: string): string {
  return mapUnicode(s, (u) => u.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, ""));
}

/** [start, step, end] of sprig's seq, or undefined for no output. */
function seqArgs(p: readonly number[]): [number, number, number] | undefined {
  const [a = 0, b = 0, c = 0] = p;
  if (p.length === 1) return [1, a < 1 ? -1 : 1, a];
  if (p.length === 2) return [a, b < a ? -1 : 1, b];
  if (p.length === 3) return [a, b, c];
  return undefined;
}

function seq(...params: GoValue[]): string {
  const args = seqArgs(params as number[]);
  if (args === undefined) return "";
  const [start, step, end] = args;
  if (step === 0 || (end < start && step > 0) || (end > start && step < 0)) return "";
  checkSize(Math.abs((end - start) / step) * 2);
  const out: number[] = [];
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) out.push(i);
  return out.join(" ");
}

const u = (f: (s: string) => string) => fn([S], (s) => mapUnicode(s as string, f));

register({
  hello: fn([], () => "Hello!"),
  upper: u((s) => s.toUpperCase()),
  lower: u((s) => s.toLowerCase()),
  title: u(title),
  untitle: u((s) => eachWord(s, (r) => r.toLowerCase())),
  substr: fn([I, I, S], (a, b, s) => substr(a as number, b as number, s as string)),
  repeat: fn([I, S], (n, s) => repeat(n as number, s as string)),
  trunc: fn([I, S], (c, s) => trunc(c as number, s as string)),
  trim: fn([S], (s) => goTrimSpace(s as string)),
  trimAll: fn([S, S], (a, s) => trimCutset(s as string, a as string, true, true)),
  trimall: fn([S, S], (a, s) => trimCutset(s as string, a as string, true, true)),
  trimSuffix: fn([S, S], (a, s) =>
    (s as string).endsWith(a as string)
      ? (s as string).slice(0, (s as string).length - (a as string).length)
      : s,
  ),
  trimPrefix: fn([S, S], (a, s) =>
    (s as string).startsWith(a as string) ? (s as string).slice((a as string).length) : s,
  ),
  nospace: u((s) => s.replace(/\s/gu, "")),
  initials: u(initials),
  swapcase: u(swapcase),
  abbrev: fn([I, S], (w, s) => abbrev(w as number, s as string)),
  abbrevboth: fn([I, I, S], (l, r, s) => abbrevboth(l as number, r as number, s as string)),
  wrap: fn([I, S], (l, s) => wrapCustom(s as string, l as number, "\n", false)),
  wrapWith: fn([I, S, S], (l, sep, s) => wrapCustom(s as string, l as number, sep as string, true)),
  contains: fn([S, S], (sub, s) => (s as string).includes(sub as string)),
  hasPrefix: fn([S, S], (p, s) => (s as string).startsWith(p as string)),
  hasSuffix: fn([S, S], (p, s) => (s as string).endsWith(p as string)),
  quote: fn(
    [],
    (...v) =>
      v
        .filter((x) => x !== null && x !== undefined)
        .map((x) => goQuote(strval(x)))
        .join(" "),
    A,
  ),
  squote: fn(
    [],
    (...v) =>
      v
        .filter((x) => x !== null && x !== undefined)
        .map((x) => `'${strval(x)}'`)
        .join(" "),
    A,
  ),
  cat: fn([], cat, A),
  indent: fn([I, S], (n, s) => indent(n as number, s as string)),
  nindent: fn([I, S], (n, s) => `\n${indent(n as number, s as string)}`),
  replace: fn([S, S, S], (o, n, s) => replaceAllGo(s as string, o as string, n as string)),
  plural: fn([S, S, I], (one, many, n) => (n === 1 ? one : many)),
  sha1sum: fn([S], hash("sha1")),
  sha256sum: fn([S], hash("sha256")),
  sha512sum: fn([S], hash("sha512")),
  adler32sum: fn([S], (s) => adler32(s as string)),
  toString: fn([A], strval),
  seq: fn([], seq, I),
  split: fn([S, S], (sep, s) => splitMap(splitGo(s as string, sep as string, -1))),
  splitList: fn([S, S], (sep, s) => stringSlice(splitGo(s as string, sep as string, -1))),
  splitn: fn([S, I, S], (sep, n, s) => splitMap(splitGo(s as string, sep as string, n as number))),
  toStrings: fn([A], (v) => stringSlice(strsliceOf(v))),
  toDecimal: fn([A], (v) => {
    const s = strval(v);
    return new GoNum("int64", /^[+-]?[0-7]+$/.test(s) ? parseInt(s, 8) : 0);
  }),
});
