// PushSecret for the kubernetes provider (ESO's client.go PushSecret and
// metadata.go): the PushSecretMetadata envelope, the label/annotation merge
// policies and the remote Secret a push should leave behind.
//
// - no property: the remote Secret's data becomes the source's data (the
//   whole Secret, replacing what was there, as ESO since 2.9);
// - property without secretKey: the whole source as a JSON object of
//   strings, written into that key;
// - property and secretKey: that one value written into that key.
// The remote type is the source's (default Opaque). Unlike ESO, a secretKey
// missing in the source is an error instead of an empty value.
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import { ProviderError } from "../errors.ts";
import type { PushSecretData, PushSource } from "../provider.ts";
import type { RemoteSecret, SecretResource } from "./api.ts";
import { encodeData } from "./api.ts";

export const METADATA_API_VERSION = "kubernetes.external-secrets.io/v1alpha1";
export const METADATA_KIND = "PushSecretMetadata";

const TARGET_POLICIES = ["Merge", "Replace", "Ignore"] as const;
const SOURCE_POLICIES = ["Merge", "Replace"] as const;
type TargetPolicy = (typeof TARGET_POLICIES)[number];
type SourcePolicy = (typeof SOURCE_POLICIES)[number];

export interface PushMetadata {
  readonly targetMergePolicy: TargetPolicy;
  readonly sourceMergePolicy: SourcePolicy;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  readonly remoteNamespace: string;
}

type Obj = Record<string, unknown>;
type StringMap = Record<string, string>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(message: string): ProviderError {
  return new ProviderError(
    "InvalidValue",
    `failed to parse ${METADATA_API_VERSION} ${METADATA_KIND}: ${message}`,
  );
}

function onlyKeys(obj: Obj, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw fail(`unknown field "${where}${key}"`);
  }
}

function stringMapField(spec: Obj, field: string): StringMap | undefined {
  const value = spec[field];
  if (value === undefined || value === null) return undefined;
  if (!isObj(value) || Object.values(value).some((v) => typeof v !== "string")) {
    throw fail(`spec.${field} must be a map of strings`);
  }
  return value as StringMap;
}

function policy<T extends string>(spec: Obj, field: string, allowed: readonly [T, ...T[]]): T {
  const value = spec[field];
  if (value === undefined || value === null || value === "") return allowed[0];
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const kind = field === "targetMergePolicy" ? "target" : "source";
    throw new ProviderError(
      "InvalidValue",
      `unexpected ${kind} merge policy ${JSON.stringify(value)} (allowed: ${allowed.join(", ")})`,
    );
  }
  return value as T;
}

function envelope(raw: unknown): Obj {
  let value = raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw fail("not JSON");
    }
  }
  if (!isObj(value)) throw fail("expected an object");
  onlyKeys(value, ["apiVersion", "kind", "spec"], "");
  if (value["apiVersion"] !== METADATA_API_VERSION) {
    throw new ProviderError(
      "InvalidValue",
      `unexpected apiVersion ${JSON.stringify(value["apiVersion"] ?? "")}, expected "${METADATA_API_VERSION}"`,
    );
  }
  if (value["kind"] !== METADATA_KIND) {
    throw new ProviderError(
      "InvalidValue",
      `unexpected kind ${JSON.stringify(value["kind"] ?? "")}, expected "${METADATA_KIND}"`,
    );
  }
  return value;
}

/** ESO's ParseMetadataParameters (unknown fields refused); undefined without metadata. */
export function parsePushMetadata(raw: unknown): PushMetadata | undefined {
  if (raw === undefined || raw === null) return undefined;
  const spec = envelope(raw)["spec"] ?? {};
  if (!isObj(spec)) throw fail("spec must be an object");
  onlyKeys(
    spec,
    ["targetMergePolicy", "sourceMergePolicy", "labels", "annotations", "remoteNamespace"],
    "spec.",
  );
  const remoteNamespace = spec["remoteNamespace"] ?? "";
  if (typeof remoteNamespace !== "string") throw fail("spec.remoteNamespace must be a string");
  return {
    targetMergePolicy: policy(spec, "targetMergePolicy", TARGET_POLICIES),
    sourceMergePolicy: policy(spec, "sourceMergePolicy", SOURCE_POLICIES),
    labels: stringMapField(spec, "labels"),
    annotations: stringMapField(spec, "annotations"),
    remoteNamespace,
  };
}

interface Meta {
  readonly labels: StringMap | undefined;
  readonly annotations: StringMap | undefined;
}

/** ESO's mergeSourceMetadata: the source's metadata and the push metadata. */
function sourceMetadata(source: PushSource, meta: PushMetadata | undefined): Meta {
  if (meta === undefined) {
    return { labels: { ...source.labels }, annotations: { ...source.annotations } };
  }
  if (meta.sourceMergePolicy === "Replace") {
    return { labels: meta.labels, annotations: meta.annotations };
  }
  return {
    labels: { ...source.labels, ...meta.labels },
    annotations: { ...source.annotations, ...meta.annotations },
  };
}

/** ESO's mergeTargetMetadata: what the remote Secret ends up with. */
function targetMetadata(remote: RemoteSecret | undefined, from: Meta, policy: TargetPolicy): Meta {
  const labels = { ...remote?.labels };
  const annotations = { ...remote?.annotations };
  if (policy === "Replace") return from;
  if (policy === "Ignore") return { labels, annotations };
  return {
    labels: { ...labels, ...from.labels },
    annotations: { ...annotations, ...from.annotations },
  };
}

/** ESO's marshalData: every key of the source as a JSON object of strings. */
export function sourceAsJson(source: PushSource): Uint8Array {
  const object: Record<string, JsonValue> = {};
  for (const [k, v] of source.data) object[k] = Buffer.from(v).toString("utf8");
  return new Uint8Array(Buffer.from(goJsonMarshal(object, false), "utf8"));
}

/** The source's type; PushSource carries it once the controller passes it (default Opaque). */
export function sourceType(source: PushSource): string {
  const type = (source as PushSource & { readonly type?: string }).type;
  return type === undefined || type === "" ? "Opaque" : type;
}

/** What goes into the remote data, checked before anything is written. */
export function pushedData(
  source: PushSource,
  data: PushSecretData,
  remote: RemoteSecret | undefined,
): Map<string, Uint8Array> {
  if (data.property === "") return new Map(source.data);
  const out = new Map(remote?.data ?? []);
  if (data.secretKey === "") {
    out.set(data.property, sourceAsJson(source));
    return out;
  }
  const value = source.data.get(data.secretKey);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidValue",
      `secret key ${data.secretKey} does not exist in Secret ${source.namespace}/${source.name}`,
    );
  }
  out.set(data.property, value);
  return out;
}

export interface DesiredSecret {
  readonly resource: SecretResource;
  readonly type: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
  readonly labels: StringMap | undefined;
  readonly annotations: StringMap | undefined;
}

/** The remote Secret after the push; everything else of an existing Secret is kept. */
export function desiredSecret(
  input: { namespace: string; name: string; source: PushSource; data: PushSecretData },
  meta: PushMetadata | undefined,
  remote: RemoteSecret | undefined,
): DesiredSecret {
  const data = pushedData(input.source, input.data, remote);
  const merged = targetMetadata(
    remote,
    sourceMetadata(input.source, meta),
    meta?.targetMergePolicy ?? "Merge",
  );
  const type = sourceType(input.source);
  const base: SecretResource = remote?.resource ?? {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: input.name, namespace: input.namespace },
  };
  const metadata = { ...base.metadata };
  if (merged.labels === undefined) delete metadata.labels;
  else metadata.labels = merged.labels;
  if (merged.annotations === undefined) delete metadata.annotations;
  else metadata.annotations = merged.annotations;
  const resource: SecretResource = { ...base, metadata, type, data: encodeData(data) };
  return { resource, type, data, labels: merged.labels, annotations: merged.annotations };
}

function sameMap(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => b?.[k] === v);
}

function sameData(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const other = b.get(k);
    if (other === undefined || Buffer.compare(Buffer.from(v), Buffer.from(other)) !== 0) {
      return false;
    }
  }
  return true;
}

/** ESO skips the update when nothing changes (equality.Semantic.DeepEqual). */
export function unchanged(remote: RemoteSecret, desired: DesiredSecret): boolean {
  return (
    remote.type === desired.type &&
    sameData(remote.data, desired.data) &&
    sameMap(remote.labels, desired.labels) &&
    sameMap(remote.annotations, desired.annotations)
  );
}
