// sprig encoding, JSON, reflection, path, URL, random and misc functions.
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { FuncError, checkSize } from "../errors.ts";
import { GoMap, anyMap, fromBytes, kindName, runes, toBytes, typeName } from "../value.ts";
import type { GoValue } from "../value.ts";
import { deepEqual, fn, strval } from "./conv.ts";
import { register } from "./index.ts";
import { JSONError, marshal, unmarshal } from "./json.ts";

const S = "string" as const;
const A = "any" as const;
const I = "int" as const;

// ---- base64 / base32 (Go's strict StdEncoding, newlines ignored) ----

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const isNL = (c: string | undefined): boolean => c === "\n" || c === "\r";

function corrupt(kind: string, at: number): FuncError {
  return new FuncError(`illegal ${kind} data at input byte ${at}`);
}

/** Consumes the padding of a quantum that has j data characters (si is just past the first "="). */
function skipPadding(
  src: string,
  si: number,
  j: number,
  enc: { quantum: number; kind: string },
): number {
  let p = si;
  const need = enc.quantum === 4 ? (j === 2 ? 1 : 0) : enc.quantum - 1 - j;
  if (enc.quantum === 4 && j < 2) throw corrupt(enc.kind, si - 1);
  if (enc.quantum === 8 && ![2, 4, 5, 7].includes(j)) throw corrupt(enc.kind, si - 1);
  for (let k = 0; k < need; k++) {
    while (p < src.length && isNL(src[p])) p++;
    if (p === src.length) throw corrupt(enc.kind, src.length);
    if (src[p] !== "=") throw corrupt(enc.kind, p);
    p++;
  }
  while (p < src.length && isNL(src[p])) p++;
  if (p < src.length) throw corrupt(enc.kind, p);
  return p;
}

/** Decodes like Go's base64/base32 StdEncoding (newlines ignored); throws Go's CorruptInputError text. */
function decodeStrict(src: string, alphabet: string, bitsPer: number, quantum: number): string {
  const enc = { quantum, kind: quantum === 4 ? "base64" : "base32" };
  const out: number[] = [];
  let si = 0;
  for (;;) {
    const dbuf: number[] = [];
    let end = false;
    while (dbuf.length < quantum) {
      if (si === src.length && dbuf.length === 0) return String.fromCharCode(...out);
      if (si === src.length) throw corrupt(enc.kind, si - dbuf.length);
      const ch = src[si] ?? "";
      si++;
      const v = alphabet.indexOf(ch);
      if (v >= 0) {
        dbuf.push(v);
        continue;
      }
      if (isNL(ch)) continue;
      if (ch !== "=") throw corrupt(enc.kind, si - 1);
      si = skipPadding(src, si, dbuf.length, enc);
      end = true;
      break;
    }
    let acc = 0n;
    for (const v of dbuf) acc = (acc << BigInt(bitsPer)) | BigInt(v);
    const nbytes = Math.floor((dbuf.length * bitsPer) / 8);
    acc >>= BigInt(dbuf.length * bitsPer - nbytes * 8);
    for (let k = nbytes - 1; k >= 0; k--) out.push(Number((acc >> BigInt(8 * k)) & 0xffn));
    if (end) return String.fromCharCode(...out);
  }
}

/** Go's base64.StdEncoding.DecodeString (newlines ignored); throws Go's CorruptInputError text. */
export function decodeBase64Std(s: string): string {
  return decodeStrict(s, B64, 6, 4);
}

function b64dec(s: GoValue): GoValue {
  try {
    return decodeBase64Std(s as string);
  } catch (e) {
    return (e as Error).message;
  }
}

function b32enc(s: string): string {
  let out = "";
  let acc = 0;
  let nbits = 0;
  for (let i = 0; i < s.length; i++) {
    acc = (acc << 8) | s.charCodeAt(i);
    nbits += 8;
    while (nbits >= 5) {
      nbits -= 5;
      out += B32[(acc >> nbits) & 31] ?? "";
    }
    acc &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += B32[(acc << (5 - nbits)) & 31] ?? "";
  while (out.length % 8 !== 0) out += "=";
  return out;
}

function b32dec(s: GoValue): GoValue {
  try {
    return decodeStrict(s as string, B32, 5, 8);
  } catch (e) {
    return (e as Error).message;
  }
}

// ---- JSON ----

function toJson(opts: { escapeHTML: boolean; indent?: string }): (v: GoValue) => GoValue {
  return (v) => {
    try {
      return marshal(v, opts);
    } catch {
      return "";
    }
  };
}

function mustToJson(opts: { escapeHTML: boolean; indent?: string }): (v: GoValue) => GoValue {
  return (v) => {
    try {
      return marshal(v, opts);
    } catch (e) {
      throw new FuncError((e as Error).message);
    }
  };
}

function fromJson(s: GoValue): GoValue {
  try {
    return unmarshal(s as string);
  } catch {
    return null;
  }
}

function mustFromJson(s: GoValue): GoValue {
  try {
    return unmarshal(s as string);
  } catch (e) {
    throw new FuncError(e instanceof JSONError ? e.message : "invalid JSON");
  }
}

// ---- paths (Go's path package) ----

export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
    } else out.push(part);
  }
  const s = (rooted ? "/" : "") + out.join("/");
  return s === "" ? "." : s;
}

function basePath(p: string): string {
  if (p === "") return ".";
  const t = p.replace(/\/+$/, "");
  if (t === "") return "/";
  return t.slice(t.lastIndexOf("/") + 1);
}

function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf("/") + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

// ---- URLs ----

function urlParse(v: GoValue): GoValue {
  let u: URL;
  const s = fromBytes(v as string);
  try {
    u = new URL(s);
  } catch {
    throw new FuncError("unable to parse url");
  }
  const m = new Map<string, GoValue>([
    ["scheme", u.protocol.replace(/:$/, "")],
    ["host", u.host],
    ["hostname", u.hostname],
    ["path", decodeURIComponent(u.pathname)],
    ["query", u.search.replace(/^\?/, "")],
    ["opaque", ""],
    ["fragment", decodeURIComponent(u.hash.replace(/^#/, ""))],
    [
      "userinfo",
      u.username === ""
        ? ""
        : `${decodeURIComponent(u.username)}${u.password === "" ? "" : `:${decodeURIComponent(u.password)}`}`,
    ],
  ]);
  for (const [k, x] of m) m.set(k, toBytes(x as string));
  return anyMap(m);
}

function urlJoin(d: GoValue): GoValue {
  const m = d instanceof GoMap ? d.m : new Map<string, GoValue>();
  const get = (k: string): string => {
    const x = m.get(k);
    return x === undefined || x === null ? "" : strval(x);
  };
  let out = "";
  const scheme = get("scheme");
  if (scheme !== "") out += `${scheme}:`;
  const host = get("host");
  const user = get("userinfo");
  if (host !== "" || user !== "" || scheme !== "") {
    out += "//";
    if (user !== "") out += `${user}@`;
    out += host;
  }
  const path = get("path");
  if (path !== "" && !path.startsWith("/") && host !== "") out += "/";
  out += path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
  const q = get("query");
  if (q !== "") out += `?${q}`;
  const f = get("fragment");
  if (f !== "") out += `#${f}`;
  return out;
}

// ---- random ----

const ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUM = "0123456789";

function randFrom(chars: string): (n: GoValue) => GoValue {
  return (n) => {
    const count = n as number;
    if (count < 0) throw new FuncError("Requested random string length -1 is less than 0.");
    checkSize(count);
    let out = "";
    for (let i = 0; i < count; i++) out += chars[randomInt(chars.length)] ?? "";
    return out;
  };
}

function randAscii(n: GoValue): GoValue {
  let s = "";
  for (let i = 32; i <= 126; i++) s += String.fromCharCode(i);
  return randFrom(s)(n);
}

function shuffle(s: GoValue): GoValue {
  const rs = runes(s as string);
  for (let i = rs.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [rs[i], rs[j]] = [rs[j] ?? 0, rs[i] ?? 0];
  }
  return toBytes(String.fromCodePoint(...rs));
}

register({
  b64enc: fn([S], (s) => Buffer.from(s as string, "latin1").toString("base64")),
  b64dec: fn([S], b64dec),
  b32enc: fn([S], (s) => b32enc(s as string)),
  b32dec: fn([S], b32dec),
  hexdec: fn([S], (s) => {
    const str = s as string;
    if (!/^([0-9a-fA-F]{2})*$/.test(str)) {
      const bad = str.search(/[^0-9a-fA-F]/);
      return bad >= 0
        ? `encoding/hex: invalid byte: U+00${str.charCodeAt(bad).toString(16).toUpperCase().padStart(2, "0")}`
        : "encoding/hex: odd length hex string";
    }
    return Buffer.from(str, "hex").toString("latin1");
  }),
  toJson: fn([A], toJson({ escapeHTML: true })),
  mustToJson: fn([A], mustToJson({ escapeHTML: true })),
  toPrettyJson: fn([A], toJson({ escapeHTML: true, indent: "  " })),
  mustToPrettyJson: fn([A], mustToJson({ escapeHTML: true, indent: "  " })),
  toRawJson: fn([A], toJson({ escapeHTML: false })),
  mustToRawJson: fn([A], mustToJson({ escapeHTML: false })),
  fromJson: fn([S], fromJson),
  mustFromJson: fn([S], mustFromJson),
  typeOf: fn([A], (v) => typeName(v)),
  typeIs: fn([S, A], (t, v) => t === typeName(v)),
  typeIsLike: fn([S, A], (t, v) => t === typeName(v) || `*${t as string}` === typeName(v)),
  kindOf: fn([A], (v) => kindName(v)),
  kindIs: fn([S, A], (t, v) => t === kindName(v)),
  deepEqual: fn([A, A], deepEqual),
  base: fn([S], (s) => basePath(s as string)),
  dir: fn([S], (s) => dirPath(s as string)),
  clean: fn([S], (s) => cleanPath(s as string)),
  ext: fn([S], (s) => extPath(s as string)),
  isAbs: fn([S], (s) => (s as string).startsWith("/")),
  osBase: fn([S], (s) => basePath(s as string)),
  osDir: fn([S], (s) => dirPath(s as string)),
  osClean: fn([S], (s) => cleanPath(s as string)),
  osExt: fn([S], (s) => extPath(s as string)),
  osIsAbs: fn([S], (s) => (s as string).startsWith("/")),
  urlParse: fn([S], urlParse),
  urlJoin: fn(["map"], urlJoin),
  uuidv4: fn([], () => randomUUID()),
  randAlphaNum: fn([I], randFrom(ALPHA + NUM)),
  randAlpha: fn([I], randFrom(ALPHA)),
  randNumeric: fn([I], randFrom(NUM)),
  randAscii: fn([I], randAscii),
  randBytes: fn([I], (n) => {
    checkSize(n as number);
    return randomBytes(n as number).toString("base64");
  }),
  shuffle: fn([S], shuffle),
  fail: fn([S], (msg) => {
    throw new FuncError(msg as string);
  }),
});
