// What ESO's kubernetes provider makes of a remote Secret (client.go
// GetSecret / GetSecretMap / GetAllSecrets), as pure functions:
// - no property: the whole Secret as a JSON object of strings, or with
//   metadataPolicy Fetch its `{"annotations": …, "labels": …}`;
// - a property: the data key of that exact name first (`tls.crt`), else
//   `<key>.<gjson path>` into a JSON value; with Fetch `labels`,
//   `labels.<name>` or `annotations.<name>[.<gjson path>]`;
// - extract: the data map, or with a property the JSON object found there
//   (values re-encoded as JSON, as ESO does).
// JSON is written like ESO's esutils.JSONMarshal (Go's encoder, HTML not
// escaped). Error messages name keys and properties, never values.
import type { ExternalSecretDataRemoteRef } from "../../api/index.ts";
import { decode } from "../../esutils/decoding.ts";
import { get, resultString } from "../../esutils/gjson.ts";
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import { ProviderError } from "../errors.ts";
import type { RemoteSecret } from "./api.ts";

const META_LABELS = "labels";
const META_ANNOTATIONS = "annotations";

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const marshal = (v: JsonValue): string => goJsonMarshal(v, false);

function stringMap(map: Readonly<Record<string, string>> | undefined): JsonValue {
  return map === undefined ? null : { ...map };
}

function dataAsStrings(secret: RemoteSecret): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of secret.data) out[k] = text(v);
  return out;
}

/** `{"k": "<value as text>", …}`: GetSecret without property, and each find result. */
export function secretJson(secret: RemoteSecret): Uint8Array {
  return bytes(marshal(dataAsStrings(secret)));
}

/** metadataPolicy Fetch without property. */
export function metadataJson(secret: RemoteSecret): Uint8Array {
  return bytes(
    marshal({
      [META_ANNOTATIONS]: stringMap(secret.annotations),
      [META_LABELS]: stringMap(secret.labels),
    }),
  );
}

function metadataOf(
  secret: RemoteSecret,
  part: string,
): Readonly<Record<string, string>> | undefined | "none" {
  if (part === META_LABELS) return secret.labels;
  if (part === META_ANNOTATIONS) return secret.annotations;
  return "none";
}

/** `name` or `name.<gjson path>` inside one labels/annotations map. */
function fromMetadataMap(map: Readonly<Record<string, string>>, rest: string): string | undefined {
  // Ferry first tries the rest as one name, so dotted label keys
  // (`labels.app.kubernetes.io/name`) work; ESO splits at every dot.
  const whole = map[rest];
  if (whole !== undefined) return whole;
  const [name = "", ...path] = rest.split(".");
  const value = map[name];
  if (value === undefined || path.length === 0) return value;
  // ESO joins the remaining parts without separator before the gjson lookup.
  const result = get(value, path.join(""));
  return result.exists ? resultString(result) : undefined;
}

/** labels / annotations, by property; undefined when not found. */
function fromMetadata(secret: RemoteSecret, property: string): Uint8Array | undefined {
  const dot = property.indexOf(".");
  const part = dot === -1 ? property : property.slice(0, dot);
  const map = metadataOf(secret, part);
  if (map === "none") return undefined;
  if (dot === -1) return bytes(marshal(stringMap(map)));
  const value = fromMetadataMap(map ?? {}, property.slice(dot + 1));
  return value === undefined ? undefined : bytes(value);
}

/** A data key; `key.path` into a JSON value when no key has the whole name. */
function fromData(secret: RemoteSecret, property: string): Uint8Array | undefined {
  const exact = secret.data.get(property);
  if (exact !== undefined) return exact;
  const idx = property.indexOf(".");
  if (idx <= 0 || idx === property.length - 1) return undefined;
  const value = secret.data.get(property.slice(0, idx));
  if (value === undefined) return undefined;
  const result = get(text(value), property.slice(idx + 1));
  return result.exists ? bytes(resultString(result)) : undefined;
}

const isFetch = (ref: ExternalSecretDataRemoteRef): boolean => ref.metadataPolicy === "Fetch";

/** GetSecret on a Secret that exists. */
export function secretValue(secret: RemoteSecret, ref: ExternalSecretDataRemoteRef): Uint8Array {
  const property = ref.property ?? "";
  if (property === "") return isFetch(ref) ? metadataJson(secret) : secretJson(secret);
  if (isFetch(ref)) {
    const value = fromMetadata(secret, property);
    if (value === undefined) {
      throw new ProviderError(
        "PropertyNotFound",
        `property ${property} does not exist in metadata of secret "${ref.key}"`,
      );
    }
    return value;
  }
  const value = fromData(secret, property);
  if (value === undefined) {
    throw new ProviderError(
      "PropertyNotFound",
      `property ${property} does not exist in data of secret "${ref.key}"`,
    );
  }
  return value;
}

/** With Fetch, extract sees `labels` and `annotations` as JSON values. */
function extractSource(
  secret: RemoteSecret,
  ref: ExternalSecretDataRemoteRef,
): Map<string, Uint8Array> {
  if (!isFetch(ref)) return new Map(secret.data);
  return new Map([
    [META_LABELS, bytes(marshal(stringMap(secret.labels)))],
    [META_ANNOTATIONS, bytes(marshal(stringMap(secret.annotations)))],
  ]);
}

function isPlainObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** ESO's getMapFromValues: gjson on {key: base64(value)}, then the JSON object found there. */
function mapAt(json: string, property: string): Map<string, Uint8Array> | undefined {
  const result = get(json, property);
  if (!result.exists) return undefined;
  const decoded = text(decode("Base64", bytes(resultString(result))));
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw new ProviderError("InvalidValue", "failed to unmarshal secret: invalid JSON format");
  }
  // Go's json.Unmarshal of `null` into a map leaves it empty.
  if (parsed === null) return new Map();
  if (!isPlainObject(parsed)) {
    throw new ProviderError("InvalidValue", "failed to unmarshal secret: invalid JSON format");
  }
  return new Map(Object.entries(parsed).map(([k, v]) => [k, bytes(marshal(v))]));
}

/** GetSecretMap on a Secret that exists. */
export function secretMap(
  secret: RemoteSecret,
  ref: ExternalSecretDataRemoteRef,
): Map<string, Uint8Array> {
  const source = extractSource(secret, ref);
  const property = ref.property ?? "";
  if (property === "") return source;
  const encoded: Record<string, JsonValue> = {};
  for (const [k, v] of source) encoded[k] = Buffer.from(v).toString("base64");
  const json = marshal(encoded);
  // A key with dots is looked up as one name first.
  if (property.includes(".")) {
    const found = mapAt(json, property.replaceAll(".", "\\."));
    if (found !== undefined) return found;
  }
  const found = mapAt(json, property);
  if (found === undefined) {
    throw new ProviderError(
      "PropertyNotFound",
      `property ${property} does not exist in key ${ref.key}`,
    );
  }
  return found;
}
