// Go's encoding/json output for values decoded from JSON (map[string]any,
// []any, float64, string, bool, nil): object keys sorted, no spaces, floats
// as Go prints them, and optional HTML escaping (json.Marshal escapes <, >
// and & as \u003c, \u003e, \u0026; an Encoder with SetEscapeHTML(false)
// does not). Used where ESO writes JSON it built itself into a Secret, so
// the bytes match ESO's.

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Go's float64 formatting in encoding/json ('f', or 'e' for tiny and huge magnitudes). */
export function goJsonNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error("json: unsupported value: non-finite number");
  const abs = Math.abs(n);
  // Go switches to exponent form below 1e-6 and from 1e21, and trims "e-07"
  // to "e-7"; JavaScript's shortest forms are then the same characters.
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential();
  return String(n);
}

function goJsonString(s: string, escapeHtml: boolean): string {
  let out = JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  if (escapeHtml)
    out = out.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
  return out;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** json.Marshal (escapeHtml true) or Encoder.SetEscapeHTML(false) without the trailing newline. */
export function goJsonMarshal(value: JsonValue, escapeHtml = true): string {
  if (value === null) return "null";
  if (typeof value === "string") return goJsonString(value, escapeHtml);
  if (typeof value === "number") return goJsonNumber(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => goJsonMarshal(v, escapeHtml)).join(",")}]`;
  const keys = Object.keys(value).sort(compareUtf8);
  const members = keys.map(
    (k) => `${goJsonString(k, escapeHtml)}:${goJsonMarshal(value[k] ?? null, escapeHtml)}`,
  );
  return `{${members.join(",")}}`;
}
