// Go's net.ParseIP (netip.ParseAddr without zones), returning the bytes
// crypto/x509 writes into a certificate: 4 for IPv4 and IPv4-mapped IPv6
// addresses (net.IP.To4), 16 otherwise.

/** Parses "a.b.c.d" (no leading zeros, each ≤ 255) into out[at..at+4]; false when invalid. */
function parseIPv4Into(s: string, out: Uint8Array, at: number): boolean {
  const fields = s.split(".");
  if (fields.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const f = fields[i] ?? "";
    if (!/^[0-9]{1,3}$/.test(f)) return false;
    if (f.length > 1 && f.startsWith("0")) return false;
    const v = Number(f);
    if (v > 255) return false;
    out[at + i] = v;
  }
  return true;
}

interface V6State {
  readonly ip: Uint8Array;
  i: number;
  ellipsis: number;
  rest: string;
}

/** Parses one hex group (and an embedded IPv4 at the end); false when invalid. */
function v6Group(st: V6State): boolean {
  const m = /^[0-9a-fA-F]*/.exec(st.rest)?.[0] ?? "";
  if (m.length === 0 || m.length > 4) return false;
  if (st.rest[m.length] === ".") {
    if ((st.ellipsis < 0 && st.i !== 12) || st.i + 4 > 16) return false;
    if (!parseIPv4Into(st.rest, st.ip, st.i)) return false;
    st.i += 4;
    st.rest = "";
    return true;
  }
  const v = parseInt(m, 16);
  st.ip[st.i] = v >> 8;
  st.ip[st.i + 1] = v & 0xff;
  st.i += 2;
  st.rest = st.rest.slice(m.length);
  return true;
}

/** After a group: end, ":" then more, or "::". Returns false when invalid; "stop" at the end. */
function v6Separator(st: V6State): boolean | "stop" {
  if (st.rest === "") return "stop";
  if (!st.rest.startsWith(":") || st.rest.length === 1) return false;
  st.rest = st.rest.slice(1);
  if (!st.rest.startsWith(":")) return true;
  if (st.ellipsis >= 0) return false;
  st.ellipsis = st.i;
  st.rest = st.rest.slice(1);
  return st.rest === "" ? "stop" : true;
}

function parseIPv6(s: string): Uint8Array | null {
  const st: V6State = { ip: new Uint8Array(16), i: 0, ellipsis: -1, rest: s };
  if (s.startsWith("::")) {
    st.ellipsis = 0;
    st.rest = s.slice(2);
    if (st.rest === "") return st.ip;
  }
  while (st.i < 16) {
    if (!v6Group(st)) return null;
    const sep = v6Separator(st);
    if (sep === false) return null;
    if (sep === "stop") break;
  }
  if (st.rest !== "") return null;
  if (st.i < 16) {
    if (st.ellipsis < 0) return null;
    const n = 16 - st.i;
    st.ip.copyWithin(st.ellipsis + n, st.ellipsis, st.i);
    st.ip.fill(0, st.ellipsis, st.ellipsis + n);
  } else if (st.ellipsis >= 0) return null;
  return st.ip;
}

/** IPv4 (and IPv4-mapped IPv6) as 4 bytes, like net.IP.To4. */
function to4(ip: Uint8Array): Uint8Array | null {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return null;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : null;
}

/** net.ParseIP(s), encoded as crypto/x509 puts it in a SAN; null when Go returns nil. */
export function parseIPForSAN(s: string): Buffer | null {
  const first = /[.:%]/.exec(s)?.[0];
  let ip: Uint8Array | null = null;
  if (first === ".") {
    const v4 = new Uint8Array(4);
    if (parseIPv4Into(s, v4, 0)) return Buffer.from(v4);
  } else if (first === ":") {
    ip = parseIPv6(s); // a zone ("%...") is refused: '%' is never a hex digit or separator
  }
  if (ip === null) return null;
  return Buffer.from(to4(ip) ?? ip);
}
