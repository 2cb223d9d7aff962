// What ESO makes of a Vault secret's `data` map. The Vault Go client decodes
// responses with json.Number, ESO marshals the map again with encoding/json,
// so a whole-secret read is: keys sorted by bytes, no spaces, HTML characters
// escaped, numbers exactly as Vault stored them. We rebuild that text from
// the raw response instead of going through JavaScript numbers, which would
// turn 1.0 into 1 and round large integers.
import { formatFloatF, get, resultString } from "../../esutils/gjson.ts";
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import {
  arrayElements,
  decodeString,
  objectMembers,
  type RawValue,
} from "../../esutils/json-raw.ts";
import { ProviderError } from "../errors.ts";

/** A JSON object inside a response body, by its raw span. */
export interface RawObject {
  readonly text: string;
  readonly span: RawValue;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The members of an object, later duplicates winning (as Go's decoder). */
export function members(obj: RawObject): Map<string, RawValue> {
  const out = new Map<string, RawValue>();
  for (const m of objectMembers(obj.text, obj.span.start)) out.set(m.key, m.value);
  return out;
}

/** Go's json.Marshal of the value at `span` after a json.Number decode. */
export function canonicalJson(text: string, span: RawValue): string {
  const first = text.charAt(span.start);
  if (first === "{") {
    const byKey = members({ text, span });
    const keys = [...byKey.keys()].sort(compareUtf8);
    const parts = keys.map((k) => {
      const v = byKey.get(k) ?? span;
      return `${goJsonMarshal(k)}:${canonicalJson(text, v)}`;
    });
    return `{${parts.join(",")}}`;
  }
  if (first === "[") {
    const items = arrayElements(text, span.start).map((v) => canonicalJson(text, v));
    return `[${items.join(",")}]`;
  }
  if (first === '"') return goJsonMarshal(decodeString(text, span.start, span.end));
  return text.slice(span.start, span.end);
}

/** ESO's GetByteValue for one member of the data map (a json.Number decode). */
function memberValue(text: string, span: RawValue): string {
  const first = text.charAt(span.start);
  if (first === '"') return decodeString(text, span.start, span.end);
  if (first === "{" || first === "[") return canonicalJson(text, span);
  const raw = text.slice(span.start, span.end);
  return raw === "null" ? "" : raw;
}

export class PropertyNotFoundError extends ProviderError {
  constructor(property: string, key: string) {
    super(
      "PropertyNotFound",
      `cannot find secret data for key: ${JSON.stringify(property)} in ${JSON.stringify(key)}`,
    );
    this.name = "PropertyNotFoundError";
  }
}

/**
 * GetSecret's value: the whole map as JSON, a top-level key (which wins over
 * gjson syntax, for keys containing dots), or a gjson path.
 */
export function secretValue(data: RawObject, property: string, key: string): string {
  const canonical = canonicalJson(data.text, data.span);
  if (property === "") return canonical;
  const direct = members(data).get(property);
  if (direct !== undefined) return memberValue(data.text, direct);
  const result = get(canonical, property);
  if (!result.exists) throw new PropertyNotFoundError(property, key);
  return resultString(result);
}

/** A string map (metadata) as a RawObject, for the same property rules. */
export function stringMapObject(map: ReadonlyMap<string, string>): RawObject {
  const obj: Record<string, JsonValue> = {};
  for (const [k, v] of map) obj[k] = v;
  const text = goJsonMarshal(obj);
  return { text, span: { start: 0, end: text.length } };
}

/** ESO's GetByteValue after a plain json.Unmarshal (float64 numbers). */
function plainValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatFloatF(v);
  if (typeof v === "boolean") return String(v);
  if (v === null) return "";
  return goJsonMarshal(v as JsonValue);
}

/** GetSecretMap: the JSON object that GetSecret returned, one entry per key. */
export function secretMap(value: string, key: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ProviderError("InvalidValue", `the value of ${JSON.stringify(key)} is not JSON`);
  }
  if (parsed === null) return new Map();
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ProviderError(
      "InvalidValue",
      `the value of ${JSON.stringify(key)} is not a JSON object`,
    );
  }
  return new Map(Object.entries(parsed).map(([k, v]) => [k, plainValue(v)]));
}
