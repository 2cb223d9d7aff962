// Go's fmt formatting of template values: %v, Sprint, Sprintln, Sprintf.
// Inputs and outputs are byte strings (see value.ts).
import {
  GoMap,
  GoNum,
  GoSlice,
  decodeRune,
  runeCount,
  runeToBytes,
  runes,
  sortedKeys,
  toBytes,
  typeName,
} from "./value.ts";
import type { GoValue, GoObject } from "./value.ts";

// ---- floats ----

interface Digits {
  /** significant decimal digits, no leading zeros ("" for zero) */
  d: string;
  /** decimal point position: value = 0.d × 10^dp */
  dp: number;
}

/** The exact decimal expansion of a finite non-negative double. */
function exactDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  return trimDigits({ d: digits, dp });
}

function trimDigits(x: Digits): Digits {
  let end = x.d.length;
  while (end > 0 && x.d[end - 1] === "0") end--;
  let start = 0;
  while (start < end && x.d[start] === "0") start++;
  if (start === end) return { d: "", dp: 0 };
  return { d: x.d.slice(start, end), dp: x.dp - start };
}

/** Shortest digits that round-trip (what Go's strconv uses for precision -1). */
function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "", dp: 0 };
  const s = x.toExponential();
  const [mant = "", exp = "0"] = s.split("e");
  const d = mant.replace(".", "");
  return trimDigits({ d, dp: Number(exp) + 1 });
}

/** Rounds to nd significant digits, half to even on exact ties. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: x.dp };
  if (nd >= x.d.length) return x;
  const c = x.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (c > 5) up = true;
  else if (c < 5) up = false;
  else if (nd + 1 < x.d.length) up = true;
  else up = nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  let d = x.d.slice(0, nd);
  if (!up) return trimDigits({ d, dp: x.dp });
  let i = d.length - 1;
  while (i >= 0 && d[i] === "9") i--;
  if (i < 0) return { d: "1", dp: x.dp + 1 };
  d = d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1);
  return trimDigits({ d, dp: x.dp });
}

function digitAt(x: Digits, i: number): string {
  return i >= 0 && i < x.d.length ? (x.d[i] ?? "0") : "0";
}

function fmtE(x: Digits, prec: number, e: string): string {
  let s = digitAt(x, 0);
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) s += digitAt(x, i);
  }
  const exp = x.d === "" ? 0 : x.dp - 1;
  const ae = Math.abs(exp);
  return `${s}${e}${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
}

function fmtF(x: Digits, prec: number): string {
  let s = "";
  if (x.dp > 0) for (let i = 0; i < x.dp; i++) s += digitAt(x, i);
  else s = "0";
  if (prec > 0) {
    s += ".";
    for (let i = 0; i < prec; i++) s += digitAt(x, x.dp + i);
  }
  return s;
}

/** strconv.FormatFloat for finite |x| with verb e/E/f/g/G and prec (-1 = shortest). */
function formatAbs(ax: number, verb: string, prec: number): string {
  const shortest = prec < 0;
  let digs: Digits;
  if (shortest) digs = shortestDigits(ax);
  else {
    const exact = exactDigits(ax);
    if (verb === "e" || verb === "E") digs = roundDigits(exact, prec + 1);
    else if (verb === "f" || verb === "F") digs = roundDigits(exact, exact.dp + prec);
    else digs = roundDigits(exact, prec === 0 ? 1 : prec);
  }
  switch (verb) {
    case "e":
    case "E":
      return fmtE(digs, shortest ? Math.max(digs.d.length - 1, 0) : prec, verb);
    case "f":
    case "F":
      return fmtF(digs, shortest ? Math.max(digs.d.length - digs.dp, 0) : prec);
    default: {
      let eprec = shortest ? 6 : prec === 0 ? 1 : prec;
      const nd = digs.d.length;
      if (!shortest && eprec > nd && nd >= digs.dp) eprec = nd;
      const exp = digs.dp - 1;
      if (digs.d !== "" && (exp < -4 || exp >= eprec)) {
        return fmtE(digs, Math.max(nd - 1, 0), verb === "G" ? "E" : "e");
      }
      return fmtF(digs, Math.max(nd - digs.dp, 0));
    }
  }
}

/** strconv.FormatFloat(x, verb, prec, 64). */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const s = formatAbs(Math.abs(x), verb, prec);
  return neg ? `-${s}` : s;
}

// ---- quoting ----

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function isPrint(r: number): boolean {
  if (r < 0x20 || r === 0x7f) return false;
  if (r < 0x7f) return true;
  return PRINTABLE.test(String.fromCodePoint(r));
}

const ESCAPES: Readonly<Record<number, string>> = {
  7: "\\a",
  8: "\\b",
  12: "\\f",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  11: "\\v",
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function escapeRune(r: number, quote: number): string {
  if (r === quote || r === 0x5c) return `\\${String.fromCharCode(r)}`;
  if (isPrint(r)) return runeToBytes(r);
  const esc = ESCAPES[r];
  if (esc !== undefined) return esc;
  if (r < 0x20 || r === 0x7f) return `\\x${hex(r, 2)}`;
  if (r < 0x10000) return `\\u${hex(r, 4)}`;
  return `\\U${hex(r, 8)}`;
}

/** strconv.Quote of a byte string (result is ASCII/UTF-8 bytes). */
export function goQuote(b: string, quote = 0x22): string {
  let out = String.fromCharCode(quote);
  let i = 0;
  while (i < b.length) {
    const [r, size] = decodeRune(b, i);
    if (size === 1 && r === 0xfffd) out += `\\x${hex(b.charCodeAt(i), 2)}`;
    else out += escapeRune(r, quote);
    i += size;
  }
  return out + String.fromCharCode(quote);
}

export function quoteRune(r: number): string {
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return `'${escapeRune(r, 0x27)}'`;
}

function canBackquote(b: string): boolean {
  for (const r of runes(b)) {
    if (r === 0x60 || r === 0xfffd) return false;
    if ((r < 0x20 && r !== 9) || r === 0x7f) return false;
  }
  return true;
}

// ---- the printer ----

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number; // -1 = none
  prec: number; // -1 = none
  verb: string;
  /** %+v: ASCII-only quoting is off, sign flag off */
  plusV?: boolean;
}

const PLAIN: Spec = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: -1,
  prec: -1,
  verb: "v",
};

function pad(s: string, spec: Spec, zeroOk = true): string {
  if (spec.width < 0) return s;
  const n = spec.width - runeCount(s);
  if (n <= 0) return s;
  if (spec.minus) return s + " ".repeat(n);
  if (spec.zero && zeroOk) {
    const sign = s.startsWith("-") || s.startsWith("+") ? s.slice(0, 1) : "";
    return sign + "0".repeat(n) + s.slice(sign.length);
  }
  return " ".repeat(n) + s;
}

function fmtInt(n: number, spec: Spec, unsigned: boolean): string {
  const neg = n < 0;
  let a = Math.abs(n);
  if (unsigned && neg) a = n; // not reachable for our unsigned values
  let digits: string;
  let prefix = "";
  switch (spec.verb) {
    case "b":
      digits = a.toString(2);
      if (spec.sharp) prefix = "0b";
      break;
    case "o":
    case "O":
      digits = a.toString(8);
      if (spec.verb === "O") prefix = "0o";
      else if (spec.sharp && digits !== "0") prefix = "0";
      break;
    case "x":
      digits = a.toString(16);
      if (spec.sharp) prefix = "0x";
      break;
    case "X":
      digits = a.toString(16).toUpperCase();
      if (spec.sharp) prefix = "0X";
      break;
    default:
      digits = BigInt(a).toString();
  }
  if (spec.prec >= 0) {
    if (spec.prec === 0 && a === 0) digits = "";
    digits = digits.padStart(spec.prec, "0");
  } else if (spec.zero && spec.width > 0 && !spec.minus) {
    const signLen = neg || spec.plus || spec.space ? 1 : 0;
    digits = digits.padStart(spec.width - signLen - prefix.length, "0");
  }
  let sign = "";
  if (neg) sign = "-";
  else if (spec.plus) sign = "+";
  else if (spec.space) sign = " ";
  return pad(sign + prefix + digits, { ...spec, zero: false });
}

function fmtFloatSpec(x: number, spec: Spec): string {
  let verb = spec.verb;
  let prec = spec.prec;
  if (verb === "v") {
    verb = "g";
    prec = -1;
  } else if (verb === "F") verb = "f";
  if (prec < 0 && (verb === "e" || verb === "E" || verb === "f")) prec = 6;
  let s = formatFloat(x, verb, prec);
  if (spec.plus && !s.startsWith("-") && !s.startsWith("+")) s = `+${s}`;
  else if (spec.space && !s.startsWith("-") && !s.startsWith("+")) s = ` ${s}`;
  else if (s === "+Inf" && !spec.plus) s = "+Inf";
  if (!Number.isFinite(x)) return pad(s, spec, false);
  return pad(s, spec);
}

function fmtString(b: string, spec: Spec): string {
  switch (spec.verb) {
    case "q":
      if (spec.sharp && canBackquote(b)) return pad(`\`${b}\``, spec);
      return pad(
        spec.plus
          ? asciiOnly(goQuote(truncRunes(b, spec.prec)))
          : goQuote(truncRunes(b, spec.prec)),
        spec,
      );
    case "x":
    case "X":
      return pad(hexBytes(truncBytes(b, spec.prec), spec), spec);
    default:
      return pad(truncRunes(b, spec.prec), spec);
  }
}

function asciiOnly(q: string): string {
  let out = "";
  let i = 0;
  while (i < q.length) {
    const [r, size] = decodeRune(q, i);
    if (r < 0x80) out += q[i] ?? "";
    else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
    else out += `\\U${hex(r, 8)}`;
    i += size;
  }
  return out;
}

function truncRunes(b: string, prec: number): string {
  if (prec < 0) return b;
  let i = 0;
  let n = 0;
  while (i < b.length && n < prec) {
    i += decodeRune(b, i)[1];
    n++;
  }
  return b.slice(0, i);
}

function truncBytes(b: string, prec: number): string {
  return prec < 0 ? b : b.slice(0, prec);
}

function hexBytes(b: string, spec: Spec): string {
  const parts: string[] = [];
  for (let i = 0; i < b.length; i++) {
    let h = hex(b.charCodeAt(i), 2);
    if (spec.verb === "X") h = h.toUpperCase();
    parts.push(h);
  }
  const prefix = spec.sharp ? (spec.verb === "X" ? "0X" : "0x") : "";
  if (spec.space) return parts.map((h) => prefix + h).join(" ");
  return prefix + parts.join("");
}

function badVerb(v: GoValue, spec: Spec): string {
  if (v === null || v === undefined) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${typeName(v)}=${printArg(v, PLAIN)})`;
}

const INT_VERBS = new Set(["v", "d", "b", "o", "O", "x", "X", "c", "q", "U"]);
const FLOAT_VERBS = new Set(["v", "b", "g", "G", "x", "X", "f", "F", "e", "E"]);
const STRING_VERBS = new Set(["v", "s", "x", "X", "q"]);

function fmtIntegerValue(n: number, spec: Spec, unsigned: boolean): string {
  switch (spec.verb) {
    case "c":
      return pad(runeToBytes(n), spec);
    case "q":
      return pad(quoteRune(n), spec);
    case "U": {
      const u = `U+${n.toString(16).toUpperCase().padStart(4, "0")}`;
      return pad(spec.sharp && isPrint(n) ? `${u} '${runeToBytes(n)}'` : u, spec);
    }
    case "v":
      return fmtInt(n, { ...spec, verb: "d" }, unsigned);
    default:
      return fmtInt(n, spec, unsigned);
  }
}

/** fmt's fmtComplex: (real±imag i), each part formatted as a float, the imaginary one signed. */
function printComplex(v: GoNum, spec: Spec): string {
  if (!"vbgGxXfFeE".includes(spec.verb)) return badVerb(v, spec);
  const part = (x: number, plus: boolean): string =>
    fmtFloatSpec(x, { ...spec, sharp: spec.sharp && spec.verb !== "v", plus });
  return `(${part(v.v, spec.plus)}${part(v.im, true)}i)`;
}

function printNum(v: GoNum, spec: Spec): string {
  if (v.t === "complex128") return printComplex(v, spec);
  if (v.t.startsWith("float")) {
    if (
      !FLOAT_VERBS.has(spec.verb) ||
      spec.verb === "x" ||
      spec.verb === "X" ||
      spec.verb === "b"
    ) {
      return badVerb(v, spec);
    }
    if (spec.sharp && spec.verb === "v") return fmtFloatSpec(v.v, { ...spec, sharp: false });
    return fmtFloatSpec(v.v, spec);
  }
  if (!INT_VERBS.has(spec.verb)) return badVerb(v, spec);
  return fmtIntegerValue(v.v, spec, v.t.startsWith("uint"));
}

function printSlice(v: GoSlice, spec: Spec): string {
  if (spec.sharp && spec.verb === "v") {
    return `[]${v.elem}{${v.items.map((x) => goSyntax(x, v.elem)).join(", ")}}`;
  }
  return `[${v.items.map((x) => printArg(x, spec)).join(" ")}]`;
}

function printMap(v: GoMap, spec: Spec): string {
  if (spec.sharp && spec.verb === "v") {
    const parts = sortedKeys(v).map((k) => `${goQuote(k)}:${goSyntax(v.m.get(k), v.elem)}`);
    return `map[string]${v.elem}{${parts.join(", ")}}`;
  }
  const parts = sortedKeys(v).map((k) => `${printArg(k, spec)}:${printArg(v.m.get(k), spec)}`);
  return `map[${parts.join(" ")}]`;
}

/** %#v of an element whose static type is elemType. */
function goSyntax(v: GoValue, elemType: string): string {
  const sharp: Spec = { ...PLAIN, sharp: true };
  if (v === null || v === undefined)
    return elemType === "interface {}" ? "interface {}(nil)" : "nil";
  if (typeof v === "string") return goQuote(v);
  return printArg(v, sharp);
}

/** Formats one operand with a verb spec (Go's printArg/printValue). */
export function printArg(v: GoValue, spec: Spec): string {
  if (spec.verb === "T") return pad(typeName(v), spec);
  if (v === null || v === undefined) {
    if (spec.verb === "v") return pad(spec.sharp ? "interface {}(nil)" : "<nil>", spec);
    return badVerb(v, spec);
  }
  switch (typeof v) {
    case "string":
      if (spec.sharp && spec.verb === "v") return goQuote(v);
      return STRING_VERBS.has(spec.verb) ? fmtString(v, spec) : badVerb(v, spec);
    case "number":
      return INT_VERBS.has(spec.verb) ? fmtIntegerValue(v, spec, false) : badVerb(v, spec);
    case "boolean":
      return spec.verb === "v" || spec.verb === "t" ? pad(String(v), spec) : badVerb(v, spec);
    default:
      break;
  }
  if (v instanceof GoNum) return printNum(v, spec);
  if (v instanceof GoSlice) return printSlice(v, spec);
  if (v instanceof GoMap) return printMap(v, spec);
  return printObject(v, spec);
}

function printObject(v: GoObject, spec: Spec): string {
  if (STRING_VERBS.has(spec.verb) && !(spec.sharp && spec.verb === "v")) {
    return fmtString(toBytes(v.str()), spec.verb === "v" ? { ...spec, verb: "s" } : spec);
  }
  return badVerb(v, spec);
}

/** %v of a value: how the template prints it. */
export function formatValue(v: GoValue): string {
  if (typeof v === "string") return v;
  return printArg(v, PLAIN);
}

/** fmt.Sprint. */
export function sprint(args: readonly GoValue[]): string {
  let out = "";
  let prevString = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const isStr = typeof a === "string";
    if (i > 0 && !isStr && !prevString) out += " ";
    out += formatValue(a);
    prevString = isStr;
  }
  return out;
}

/** fmt.Sprintln. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map(formatValue).join(" ")}\n`;
}

// ---- Sprintf ----

interface Cursor {
  i: number;
  argNum: number;
  reordered: boolean;
  goodArgNum: boolean;
}

function parseNum(f: string, c: Cursor): number {
  let n = -1;
  while (c.i < f.length) {
    const ch = f.charCodeAt(c.i);
    if (ch < 48 || ch > 57) break;
    n = (n < 0 ? 0 : n) * 10 + (ch - 48);
    if (n > 1e6) return -2;
    c.i++;
  }
  return n;
}

function parseArgIndex(f: string, c: Cursor, nargs: number): void {
  if (f[c.i] !== "[") return;
  c.reordered = true;
  const close = f.indexOf("]", c.i);
  if (close < 0) {
    c.goodArgNum = false;
    c.i = f.length;
    return;
  }
  const idx = Number(f.slice(c.i + 1, close));
  if (!/^\d+$/.test(f.slice(c.i + 1, close)) || idx < 1 || idx > nargs) c.goodArgNum = false;
  else c.argNum = idx - 1;
  c.i = close + 1;
}

function parseFlags(f: string, c: Cursor, spec: Spec): void {
  for (; c.i < f.length; c.i++) {
    switch (f[c.i]) {
      case "-":
        spec.minus = true;
        spec.zero = false;
        break;
      case "+":
        spec.plus = true;
        break;
      case "#":
        spec.sharp = true;
        break;
      case " ":
        spec.space = true;
        break;
      case "0":
        spec.zero = !spec.minus;
        break;
      default:
        return;
    }
  }
}

function starArg(args: readonly GoValue[], c: Cursor): number | undefined {
  const a = args[c.argNum];
  c.argNum++;
  if (typeof a === "number") return a;
  if (a instanceof GoNum && !a.t.startsWith("float")) return a.v;
  return undefined;
}

interface Directive {
  spec: Spec;
  out: string;
}

function parseDirective(f: string, c: Cursor, args: readonly GoValue[]): Directive {
  const spec: Spec = { ...PLAIN, verb: "" };
  let out = "";
  parseFlags(f, c, spec);
  parseArgIndex(f, c, args.length);
  if (f[c.i] === "*") {
    c.i++;
    const w = starArg(args, c);
    if (w === undefined) out += "%!(BADWIDTH)";
    else {
      spec.width = Math.abs(w);
      if (w < 0) {
        spec.minus = true;
        spec.zero = false;
      }
    }
  } else spec.width = parseNum(f, c);
  if (f[c.i] === ".") {
    c.i++;
    parseArgIndex(f, c, args.length);
    if (f[c.i] === "*") {
      c.i++;
      const p = starArg(args, c);
      if (p === undefined || p < 0) out += "%!(BADPREC)";
      else spec.prec = p;
    } else spec.prec = Math.max(parseNum(f, c), 0);
  }
  parseArgIndex(f, c, args.length);
  if (c.i >= f.length) {
    spec.verb = "";
    return { spec, out: `${out}%!(NOVERB)` };
  }
  const [r, size] = decodeRune(f, c.i);
  spec.verb = f.slice(c.i, c.i + size);
  c.i += size;
  if (r === 0x25) return { spec, out: `${out}%` };
  if (!c.goodArgNum) return { spec, out: `${out}%!${spec.verb}(BADINDEX)` };
  if (c.argNum >= args.length) return { spec, out: `${out}%!${spec.verb}(MISSING)` };
  const arg = args[c.argNum];
  c.argNum++;
  if (spec.verb === "w") spec.verb = "v";
  if (spec.verb === "v" && spec.plus) {
    spec.plus = false;
    spec.plusV = true;
  }
  return { spec, out: out + printArg(arg, spec) };
}

/** fmt.Sprintf. */
export function sprintf(f: string, args: readonly GoValue[]): string {
  let out = "";
  const c: Cursor = { i: 0, argNum: 0, reordered: false, goodArgNum: true };
  while (c.i < f.length) {
    const next = f.indexOf("%", c.i);
    if (next < 0) {
      out += f.slice(c.i);
      break;
    }
    out += f.slice(c.i, next);
    c.i = next + 1;
    c.goodArgNum = true;
    out += parseDirective(f, c, args).out;
  }
  if (!c.reordered && c.argNum < args.length) {
    const extra = args
      .slice(c.argNum)
      .map((a) => (a === null || a === undefined ? "<nil>" : `${typeName(a)}=${formatValue(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
