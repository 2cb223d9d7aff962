// What Secrets Manager and Parameter Store share: property extraction with
// ESO's dotted-key rule, GetSecretMap decoding, PushSecret metadata
// parsing, JSON property writes, tag helpers and error mapping. No message
// built here contains a secret value.
import { get, resultString } from "../../esutils/gjson.ts";
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import { jsonObjectToStringMap } from "../../esutils/json-raw.ts";
import { NoSecretError, ProviderError } from "../errors.ts";
import type { PushSecretData, PushSource } from "../provider.ts";
import { errorCode, errorMessage, isAuthError, isTransient, type Tag } from "./sdk.ts";

export const MANAGED_BY = "managed-by";
export const EXTERNAL_SECRETS = "external-secrets";

export const encode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));
export const decodeUtf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

/**
 * ESO's property lookup: a property with dots is first tried as one literal
 * key (`a.b` the key "a.b"), then as a gjson path (`a.b` the key b in a).
 */
export function extractProperty(payload: string, property: string, key: string): Uint8Array {
  if (property.includes(".")) {
    const literal = get(payload, property.replaceAll(".", "\\."));
    if (literal.exists) return encode(resultString(literal));
  }
  const result = get(payload, property);
  if (!result.exists) {
    throw new ProviderError("PropertyNotFound", `key ${property} does not exist in secret ${key}`);
  }
  return encode(resultString(result));
}

/** GetSecretMap: a JSON object; strings unquoted, other values raw JSON. */
export function toSecretMap(value: Uint8Array, key: string): Map<string, Uint8Array> {
  let map: Map<string, string>;
  try {
    map = jsonObjectToStringMap(decodeUtf8(value));
  } catch {
    throw new ProviderError(
      "InvalidValue",
      `unable to unmarshal secret ${key}: the value of ${key} is not a valid JSON object`,
    );
  }
  return new Map([...map].map(([k, v]) => [k, encode(v)]));
}

/** Tags as ESO's SecretTagsToJSONString: a Go json.Marshal of a string map. */
export function tagsToJson(tags: readonly Tag[] | undefined): string {
  const object: Record<string, JsonValue> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) object[tag.Key] = tag.Value ?? "";
  return goJsonMarshal(object);
}

export function tagMap(tags: readonly Tag[] | undefined): Map<string, string> {
  return new Map((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

export function isManaged(tags: ReadonlyMap<string, string>): boolean {
  return tags.get(MANAGED_BY) === EXTERNAL_SECRETS;
}

export const notManaged = (name: string): ProviderError =>
  new ProviderError(
    "ProviderError",
    `secret not managed by external-secrets: ${name} exists without the tag ${MANAGED_BY}=${EXTERNAL_SECRETS}; Ferry does not overwrite it`,
  );

/** ESO's ExtractSecretData: one key, or the whole Secret as a JSON object of strings. */
export function extractPushValue(source: PushSource, data: PushSecretData): Uint8Array {
  if (data.secretKey === "") {
    const object: Record<string, JsonValue> = {};
    for (const [k, v] of source.data) object[k] = decodeUtf8(v);
    return encode(goJsonMarshal(object, false));
  }
  const value = source.data.get(data.secretKey);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidValue",
      `secret key ${data.secretKey} does not exist in Secret ${source.namespace}/${source.name}`,
    );
  }
  return value;
}

/**
 * The `spec` of a PushSecretMetadata envelope
 * ({apiVersion: kubernetes.external-secrets.io/v1alpha1, kind: PushSecretMetadata, spec}).
 */
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function metadataSpec(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined || metadata === null) return {};
  if (!isObject(metadata)) {
    throw new ProviderError("InvalidValue", "failed to parse metadata: expected an object");
  }
  const envelope = metadata;
  const kind = envelope["kind"];
  if (kind !== undefined && kind !== "PushSecretMetadata") {
    throw new ProviderError(
      "InvalidValue",
      `failed to parse metadata: unexpected kind ${JSON.stringify(kind)}, want PushSecretMetadata`,
    );
  }
  const spec = envelope["spec"];
  if (spec === undefined || spec === null) return {};
  if (!isObject(spec)) {
    throw new ProviderError("InvalidValue", "failed to parse metadata: spec must be an object");
  }
  return spec;
}

export function stringField(spec: Record<string, unknown>, field: string): string {
  const value = spec[field];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new ProviderError("InvalidValue", `failed to parse metadata: ${field} must be a string`);
  }
  return value;
}

/** Metadata tags, refusing a user-set managed-by tag (ESO), plus managed-by. */
export function metadataTags(spec: Record<string, unknown>): Map<string, string> {
  const raw = spec["tags"];
  const tags = new Map<string, string>();
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "object" || Array.isArray(raw)) {
      throw new ProviderError("InvalidValue", "failed to parse metadata: tags must be a map");
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (k === MANAGED_BY) {
        throw new ProviderError(
          "InvalidValue",
          `error parsing tags in metadata: Cannot specify a '${MANAGED_BY}' tag`,
        );
      }
      tags.set(k, String(v));
    }
  }
  tags.set(MANAGED_BY, EXTERNAL_SECRETS);
  return tags;
}

/** Splits a property path at unescaped dots (`a\.b.c` is ["a.b", "c"]). */
function splitProperty(property: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < property.length; i++) {
    const c = property.charAt(i);
    if (c === "\\" && i + 1 < property.length) current += property.charAt(++i);
    else if (c === ".") {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}

/**
 * sjson.Set(existing, property, value-as-string): writes one field of a JSON
 * object, creating intermediate objects. Existing content is kept (objects
 * re-serialised compactly with sorted keys, like Go).
 */
function parseObject(existing: string): Record<string, unknown> {
  if (existing.trim() === "") return {};
  let root: unknown;
  try {
    root = JSON.parse(existing);
  } catch {
    throw new ProviderError(
      "InvalidValue",
      "PushSecret with a property requires the remote secret to hold JSON, and its value is not valid JSON",
    );
  }
  if (!isObject(root)) {
    throw new ProviderError(
      "InvalidValue",
      "PushSecret with a property requires the remote secret to hold a JSON object",
    );
  }
  return root;
}

export function setProperty(existing: string, property: string, value: Uint8Array): string {
  const root = parseObject(existing);
  const parts = splitProperty(property);
  const last = parts.pop() ?? property;
  let node = root;
  for (const part of parts) {
    const child = node[part];
    const next = isObject(child) ? child : {};
    node[part] = next;
    node = next;
  }
  node[last] = decodeUtf8(value);
  return goJsonMarshal(root as JsonValue, false);
}

/** Tag keys present now but not wanted (ESO's FindTagKeysToRemove). */
export function tagKeysToRemove(
  current: ReadonlyMap<string, string>,
  wanted: ReadonlyMap<string, string>,
): string[] {
  return [...current.keys()].filter((k) => !wanted.has(k));
}

/** True when some wanted tag (other than managed-by) is new or changed. */
export function tagsModified(
  current: ReadonlyMap<string, string>,
  wanted: ReadonlyMap<string, string>,
): boolean {
  for (const [k, v] of wanted) if (k !== MANAGED_BY && current.get(k) !== v) return true;
  return false;
}

export const tagList = (tags: ReadonlyMap<string, string>): { Key: string; Value: string }[] =>
  [...tags].map(([Key, Value]) => ({ Key, Value }));

/**
 * An SDK error as a ProviderError with a stable code. AWS messages name
 * resources and causes, never values. ProviderErrors (RateLimited from the
 * retry loop, NoSecretError…) pass through.
 */
export function mapAwsError(err: unknown, what: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = errorCode(err);
  const detail = `${what}: ${code === "" ? "" : `${code}: `}${errorMessage(err)}`;
  if (isAuthError(err)) return new ProviderError("AuthFailed", detail, { cause: err });
  if (isTransient(err)) return new ProviderError("Unavailable", detail, { cause: err });
  return new ProviderError("ProviderError", detail, { cause: err });
}

export const missing = (what: string): NoSecretError => new NoSecretError(what);

/** Rejects as soon as `signal` aborts, without cancelling the shared work. */
export function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener("abort", onAbort);
    });
  });
}
