// Turning a webhook response into secret values, as ESO's webhook provider
// does after encoding/json has decoded it (objects are map[string]any,
// numbers float64):
// - getSecret with a jsonPath: strings as they are, numbers without
//   decimals (strconv.FormatFloat(v, 'f', 0, 64), which rounds half to
//   even), booleans as true/false, null as empty, an object as its JSON,
//   and a list (what a wildcard or filter yields) as its first element;
// - getSecretMap: a JSON object (or a string holding one) whose values are
//   strings as they are, numbers in their shortest form, objects and lists
//   as JSON, null as empty.
// Parse errors never quote the response: a value must not reach a message.
import { formatFloatF } from "../../esutils/gjson.ts";
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import { ProviderError } from "../errors.ts";
import { goTypeName } from "./jsonpath.ts";

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));

/** Decodes a JSON response; a body that is not JSON is an error that does not echo it. */
export function parseJsonResponse(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString("utf8")) as unknown;
  } catch {
    throw new ProviderError(
      "InvalidValue",
      "response is not valid JSON (result.jsonPath and dataFrom.extract need a JSON response)",
    );
  }
}

/**
 * Go's strconv.FormatFloat(v, 'f', 0, 64): the nearest integer, ties to
 * even, the sign of negative values kept ("-0"), never an exponent.
 */
export function formatFloatNoDecimals(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const floor = Math.floor(v);
  const fraction = v - floor;
  let n = floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0)) n = floor + 1;
  const negative = v < 0 || Object.is(v, -0);
  const digits = BigInt(Math.abs(n)).toString();
  return negative ? `-${digits}` : digits;
}

/** ESO's extractSecretData: the value a jsonPath selected, as bytes. */
export function singleValue(value: unknown): Uint8Array {
  if (value === null || value === undefined) return new Uint8Array();
  if (typeof value === "string") return utf8(value);
  if (typeof value === "boolean") return utf8(String(value));
  if (typeof value === "number") return utf8(formatFloatNoDecimals(value));
  if (Array.isArray(value)) {
    // ESO keeps this for backwards compatibility: a list yields its first element.
    if (value.length === 0) {
      throw new ProviderError("PropertyNotFound", "filter worked but didn't get any result");
    }
    return singleValue(value[0]);
  }
  return utf8(goJsonMarshal(value as JsonValue));
}

/** ESO's GetByteValue for one value of an extracted map. */
function mapValue(value: unknown): Uint8Array {
  if (value === null || value === undefined) return new Uint8Array();
  if (typeof value === "string") return utf8(value);
  if (typeof value === "boolean") return utf8(String(value));
  if (typeof value === "number") return utf8(formatFloatF(value));
  return utf8(goJsonMarshal(value as JsonValue));
}

/** The map of dataFrom.extract from the (jsonPath-selected) response value. */
export function secretMap(selected: unknown): Map<string, Uint8Array> {
  let value = selected;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new ProviderError(
        "InvalidValue",
        "failed to parse response json from jsonpath: the selected string is not valid JSON",
      );
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProviderError(
      "InvalidValue",
      `failed to get response (wrong type: ${goTypeName(value)}): dataFrom.extract needs a JSON object`,
    );
  }
  const out = new Map<string, Uint8Array>();
  for (const [key, v] of Object.entries(value as Record<string, unknown>))
    out.set(key, mapValue(v));
  return out;
}
