// Go values as the template engine sees them.
//
// Go strings are byte sequences; the engine represents them as "byte
// strings": JS strings whose code units are all in 0..255, one per byte.
// That keeps len, slicing and binary data (PKCS#12, decoded base64) exact.
// Functions that need characters decode with fromBytes and encode back with
// toBytes.
//
// JS `number` is Go `int`. Other numeric types are GoNum. `null` is a nil
// interface; `undefined` is Go's invalid reflect.Value ("<no value>").

export type NumType =
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint"
  | "uint64"
  | "uint32"
  | "uint16"
  | "uint8"
  | "float64"
  | "float32"
  | "complex128";

export class GoNum {
  readonly t: NumType;
  readonly v: number;
  /** Imaginary part (complex128 only; v is the real part). */
  readonly im: number;
  constructor(t: NumType, v: number, im = 0) {
    this.t = t;
    this.v = v;
    this.im = im;
  }
}

/** A Go slice; elem is the Go name of the element type. */
export class GoSlice {
  readonly elem: string;
  readonly items: GoValue[];
  constructor(elem: string, items: GoValue[]) {
    this.elem = elem;
    this.items = items;
  }
}

/** A Go map with string keys; elem is the Go name of the value type. */
export class GoMap {
  readonly elem: string;
  readonly m: Map<string, GoValue>;
  constructor(elem: string, m: Map<string, GoValue>) {
    this.elem = elem;
    this.m = m;
  }
}

/** Any other Go value (time.Time, *semver.Version, ...): named methods and a String(). */
export class GoObject {
  readonly typeName: string;
  readonly kind: string;
  readonly methods: Readonly<Record<string, (...args: GoValue[]) => GoValue>>;
  readonly str: () => string;
  readonly json: () => GoValue;
  readonly payload: unknown;
  constructor(init: {
    typeName: string;
    kind: string;
    methods: Readonly<Record<string, (...args: GoValue[]) => GoValue>>;
    str: () => string;
    json: () => GoValue;
    payload: unknown;
  }) {
    this.typeName = init.typeName;
    this.kind = init.kind;
    this.methods = init.methods;
    this.str = init.str;
    this.json = init.json;
    this.payload = init.payload;
  }
}

export type GoValue =
  string | number | boolean | null | undefined | GoNum | GoSlice | GoMap | GoObject;

export const ANY = "interface {}";

// ---- byte strings ----

const NON_ASCII = /[\u0080-\uffff]/;

/** Unicode JS string → byte string (UTF-8 bytes). */
export function toBytes(s: string): string {
  if (!NON_ASCII.test(s)) return s;
  return Buffer.from(s, "utf8").toString("latin1");
}

/** Byte string → Unicode JS string (invalid UTF-8 becomes U+FFFD). */
export function fromBytes(b: string): string {
  if (!NON_ASCII.test(b)) return b;
  return Buffer.from(b, "latin1").toString("utf8");
}

export function bytesOf(b: string): Buffer {
  return Buffer.from(b, "latin1");
}

export function bufToBytes(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1");
}

/** Runes of a byte string, as Go decodes them (invalid bytes → U+FFFD, one per byte). */
export function runes(b: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < b.length) {
    const [r, size] = decodeRune(b, i);
    out.push(r);
    i += size;
  }
  return out;
}

function contByte(b: string, i: number): number {
  const c = i < b.length ? b.charCodeAt(i) : -1;
  return (c & 0xc0) === 0x80 ? c & 0x3f : -1;
}

/** Decodes one rune at i: [rune, byte length]. */
export function decodeRune(b: string, i: number): [number, number] {
  const c0 = b.charCodeAt(i);
  if (c0 < 0x80) return [c0, 1];
  if (c0 >= 0xc2 && c0 < 0xe0) {
    const c1 = contByte(b, i + 1);
    if (c1 >= 0) return [((c0 & 0x1f) << 6) | c1, 2];
  } else if (c0 >= 0xe0 && c0 < 0xf0) {
    const c1 = contByte(b, i + 1);
    const c2 = contByte(b, i + 2);
    const r = ((c0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (c1 >= 0 && c2 >= 0 && r >= 0x800 && (r < 0xd800 || r > 0xdfff)) return [r, 3];
  } else if (c0 >= 0xf0 && c0 < 0xf5) {
    const c1 = contByte(b, i + 1);
    const c2 = contByte(b, i + 2);
    const c3 = contByte(b, i + 3);
    const r = ((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (c1 >= 0 && c2 >= 0 && c3 >= 0 && r >= 0x10000 && r <= 0x10ffff) return [r, 4];
  }
  return [0xfffd, 1];
}

export function runeToBytes(r: number): string {
  return toBytes(
    String.fromCodePoint(r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) ? 0xfffd : r),
  );
}

export function runeCount(b: string): number {
  if (!NON_ASCII.test(b)) return b.length;
  return runes(b).length;
}

/** Applies a Unicode string function to a byte string. */
export function mapUnicode(b: string, f: (s: string) => string): string {
  return toBytes(f(fromBytes(b)));
}

// ---- types and kinds ----

export function isInt(v: GoValue): v is number {
  return typeof v === "number";
}

export function typeName(v: GoValue): string {
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return "int";
    case "boolean":
      return "bool";
    case "undefined":
      return "<nil>";
    default:
      break;
  }
  if (v === null) return "<nil>";
  if (v instanceof GoNum) return v.t;
  if (v instanceof GoSlice) return `[]${v.elem}`;
  if (v instanceof GoMap) return `map[string]${v.elem}`;
  return v.typeName;
}

/** reflect.Kind name. */
export function kindName(v: GoValue): string {
  if (v === null || v === undefined) return "invalid";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "int";
  if (typeof v === "boolean") return "bool";
  if (v instanceof GoNum) return v.t;
  if (v instanceof GoSlice) return "slice";
  if (v instanceof GoMap) return "map";
  return v.kind;
}

export type BasicKind = "bool" | "int" | "uint" | "float" | "complex" | "string" | "invalid";

export function basicKind(v: GoValue): BasicKind {
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "int";
  if (typeof v === "boolean") return "bool";
  if (v instanceof GoNum) {
    if (v.t === "complex128") return "complex";
    if (v.t.startsWith("float")) return "float";
    return v.t.startsWith("uint") ? "uint" : "int";
  }
  return "invalid";
}

/** Numeric value of an int/uint/float Go value. */
export function numValue(v: GoValue): number {
  if (typeof v === "number") return v;
  if (v instanceof GoNum) return v.v;
  return 0;
}

export function isTrue(v: GoValue): boolean {
  if (v === null || v === undefined) return false;
  switch (typeof v) {
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "boolean":
      return v;
    default:
      break;
  }
  if (v instanceof GoNum) return v.v !== 0 || v.im !== 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  if (v instanceof GoMap) return v.m.size > 0;
  return true;
}

export function int64(n: number): GoNum {
  return new GoNum("int64", n);
}

export function float64(n: number): GoNum {
  return new GoNum("float64", n);
}

export function anySlice(items: GoValue[]): GoSlice {
  return new GoSlice(ANY, items);
}

export function stringSlice(items: string[]): GoSlice {
  return new GoSlice("string", items);
}

export function anyMap(m?: Map<string, GoValue>): GoMap {
  return new GoMap(ANY, m ?? new Map<string, GoValue>());
}

/** Go's zero value for a type name. */
export function zeroOf(type: string): GoValue {
  switch (type) {
    case "string":
      return "";
    case "int":
      return 0;
    case "bool":
      return false;
    case "float64":
    case "int64":
    case "uint8":
    case "int32":
      return new GoNum(type, 0);
    default:
      return null;
  }
}

export function sortedKeys(m: GoMap): string[] {
  return [...m.m.keys()].sort(compareBytes);
}

export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
