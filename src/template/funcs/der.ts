// A small DER (ASN.1) encoder and reader: just what building and reading
// X.509 certificates and private keys the way Go's crypto/x509 does needs.
// Reading keeps byte offsets, so a parsed field (a certificate's subject) can
// be reused verbatim, as Go reuses RawSubject.

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** A DER error: the input is not the ASN.1 the caller expects. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

// ---- encoding ----

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: tag, definite length, content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items));
}

export function set(...items: Uint8Array[]): Buffer {
  return tlv(TAG.set, Buffer.concat(items));
}

/** [n] EXPLICIT wrapper (constructed, context-specific). */
export function explicit(n: number, content: Uint8Array): Buffer {
  return tlv(0xa0 | n, content);
}

/** A non-negative INTEGER from its big-endian magnitude. */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const m = Buffer.from(magnitude.subarray(start));
  const body = m.length === 0 ? Buffer.from([0]) : m;
  return tlv(TAG.integer, (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}

export function smallInteger(n: number): Buffer {
  const hex = n.toString(16);
  return unsignedInteger(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, "hex"));
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift((v % 128) | (groups.length > 0 ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...groups);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

export const NULL = Buffer.from([TAG.null, 0]);
export const TRUE = Buffer.from([TAG.boolean, 1, 0xff]);

export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

export function octetString(bytes: Uint8Array): Buffer {
  return tlv(TAG.octetString, bytes);
}

// ---- reading ----

/** One element: its tag and where its header and content are in buf. */
export interface Element {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Reads the element at off (DER: definite lengths, low tag numbers). */
export function readElement(buf: Uint8Array, off: number, limit = buf.length): Element {
  const tag = buf[off];
  const first = buf[off + 1];
  if (tag === undefined || first === undefined || off + 2 > limit) throw new DerError("truncated");
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
  let len = first;
  let contentStart = off + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new DerError("unsupported length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[contentStart + i] ?? 0);
    contentStart += n;
  }
  const end = contentStart + len;
  if (end > limit) throw new DerError("truncated");
  return { tag, start: off, contentStart, end };
}

/** The elements inside a constructed element. */
export function children(buf: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let off = parent.contentStart; off < parent.end;) {
    const e = readElement(buf, off, parent.end);
    out.push(e);
    off = e.end;
  }
  return out;
}

export function content(buf: Uint8Array, e: Element): Buffer {
  return Buffer.from(buf.subarray(e.contentStart, e.end));
}

export function whole(buf: Uint8Array, e: Element): Buffer {
  return Buffer.from(buf.subarray(e.start, e.end));
}

/** Dotted form of an OBJECT IDENTIFIER element. */
export function readOid(buf: Uint8Array, e: Element): string {
  if (e.tag !== TAG.oid) throw new DerError("expected an object identifier");
  const b = content(buf, e);
  const arcs: number[] = [];
  let v = 0;
  for (const byte of b) {
    v = v * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
    else arcs.push(v);
    v = 0;
  }
  return arcs.join(".");
}

/** Children of a SEQUENCE, checking the tag. */
export function sequenceOf(buf: Uint8Array, e: Element): Element[] {
  if (e.tag !== TAG.sequence) throw new DerError("expected a sequence");
  return children(buf, e);
}
