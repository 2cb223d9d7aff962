// PushSecret for provider.vault (ESO's client_push.go): writes carry
// custom_metadata managed-by=external-secrets (inside the data on KV v1),
// secrets without it are never overwritten or deleted, unchanged data is
// not written again, and checkAndSet sends options.cas.
import { isDeepStrictEqual } from "node:util";
import { goJsonMarshal } from "../../esutils/go-json.ts";
import { NoSecretError, ProviderError } from "../errors.ts";
import type { PushSecretData, PushSecretRemoteRef, PushSource } from "../provider.ts";
import {
  buildMetadataPath,
  buildPath,
  readData,
  readMetadata,
  remove,
  write,
  type KvConfig,
  type KvTransport,
} from "./kv.ts";
import { secretValue, PropertyNotFoundError, type RawObject } from "./values.ts";

export const MANAGED_BY = "managed-by";
export const MANAGED_BY_VALUE = "external-secrets";
const CUSTOM_METADATA = "custom_metadata";

type JsonMap = Record<string, unknown>;

const isJsonMap = (v: unknown): v is JsonMap =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

/** The pushed value: one key, or every key of the Secret as a JSON object. */
export function pushValue(source: PushSource, data: PushSecretData): string {
  if (data.secretKey === "") {
    const all: Record<string, string> = {};
    for (const [k, v] of source.data) all[k] = text(v);
    return goJsonMarshal(all, false);
  }
  const value = source.data.get(data.secretKey);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidValue",
      `secret key ${JSON.stringify(data.secretKey)} does not exist in Secret ${source.namespace}/${source.name}`,
    );
  }
  return text(value);
}

async function readExisting(
  cfg: KvConfig,
  kv: KvTransport,
  key: string,
): Promise<JsonMap | undefined> {
  try {
    const obj = await readData(cfg, kv, key, { fresh: true });
    return JSON.parse(obj.text.slice(obj.span.start, obj.span.end)) as JsonMap;
  } catch (err) {
    if (err instanceof NoSecretError) return undefined;
    throw err;
  }
}

interface Reconciled {
  readonly data: JsonMap;
  readonly changed: boolean;
}

function reconcileData(existing: JsonMap | undefined, value: string, property: string): Reconciled {
  if (property === "") {
    let incoming: unknown;
    try {
      incoming = JSON.parse(value);
    } catch {
      incoming = undefined;
    }
    if (typeof incoming !== "object" || incoming === null || Array.isArray(incoming)) {
      throw new ProviderError(
        "InvalidValue",
        "error unmarshalling incoming secret value: invalid JSON format (a whole-secret push needs a JSON object)",
      );
    }
    return { data: incoming as JsonMap, changed: !isDeepStrictEqual(existing, incoming) };
  }
  const data: JsonMap = { ...existing };
  const changed = data[property] !== value;
  data[property] = value;
  return { data, changed };
}

function notManaged(): ProviderError {
  return new ProviderError("ProviderError", "secret not managed by external-secrets");
}

interface PushMetadataSpec {
  readonly customMetadata?: Record<string, string>;
  readonly mergePolicy?: string;
}

function pushMetadataSpec(metadata: unknown): PushMetadataSpec {
  if (typeof metadata !== "object" || metadata === null) return {};
  const spec = (metadata as { spec?: unknown }).spec;
  return typeof spec === "object" && spec !== null ? spec : {};
}

function desiredMetadata(
  existing: ReadonlyMap<string, string> | undefined,
  metadata: unknown,
): { custom: Record<string, string>; changed: boolean } {
  const spec = pushMetadataSpec(metadata);
  const policy = spec.mergePolicy ?? "Merge";
  if (policy !== "Merge" && policy !== "Replace") {
    throw new ProviderError(
      "InvalidValue",
      `unsupported merge policy ${JSON.stringify(policy)}, must be one of: Merge, Replace`,
    );
  }
  const desired = { ...spec.customMetadata, [MANAGED_BY]: MANAGED_BY_VALUE };
  if (existing === undefined) return { custom: desired, changed: true };
  if (existing.get(MANAGED_BY) !== MANAGED_BY_VALUE) throw notManaged();
  const custom = policy === "Merge" ? { ...Object.fromEntries(existing), ...desired } : desired;
  return { custom, changed: !isDeepStrictEqual(Object.fromEntries(existing), custom) };
}

async function pushV1(
  cfg: KvConfig,
  kv: KvTransport,
  data: PushSecretData,
  value: string,
): Promise<void> {
  const existing = await readExisting(cfg, kv, data.remoteKey);
  if (existing !== undefined) {
    const cm = existing[CUSTOM_METADATA];
    if (!isJsonMap(cm)) {
      throw new ProviderError(
        "ProviderError",
        "secret not managed by external-secrets (no custom_metadata found)",
      );
    }
    if (cm[MANAGED_BY] !== MANAGED_BY_VALUE) throw notManaged();
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a JSON map
    delete existing[CUSTOM_METADATA];
  }
  const merged = reconcileData(existing, value, data.property);
  if (existing !== undefined && !merged.changed) return;
  const body = { ...merged.data, [CUSTOM_METADATA]: { [MANAGED_BY]: MANAGED_BY_VALUE } };
  await write(kv, buildPath(cfg, data.remoteKey), body);
}

async function currentMetadata(
  cfg: KvConfig,
  kv: KvTransport,
  key: string,
): Promise<{ custom: ReadonlyMap<string, string>; currentVersion: number }> {
  const meta = await readMetadata(cfg, kv, key, true);
  return { custom: meta?.custom ?? new Map(), currentVersion: meta?.currentVersion ?? 1 };
}

async function pushV2(
  cfg: KvConfig,
  kv: KvTransport,
  data: PushSecretData,
  options: { readonly value: string; readonly checkAndSet: boolean },
): Promise<void> {
  const existing = await readExisting(cfg, kv, data.remoteKey);
  const merged = reconcileData(existing, options.value, data.property);
  // Only custom_metadata is merged (ESO also copies created_time and friends
  // into custom_metadata, which is a bug we do not repeat).
  const meta = existing === undefined ? undefined : await currentMetadata(cfg, kv, data.remoteKey);
  const desired = desiredMetadata(meta?.custom, data.metadata);
  if (!merged.changed && !desired.changed) return;
  // Metadata first: a new secret is marked as ours before it has data.
  if (desired.changed) {
    await write(kv, buildMetadataPath(cfg, data.remoteKey), { [CUSTOM_METADATA]: desired.custom });
  }
  if (!merged.changed) return;
  const body: JsonMap = { data: merged.data };
  // cas 0: create only; else the version we read (ESO assumes 1 if unknown)
  if (options.checkAndSet) body["options"] = { cas: meta === undefined ? 0 : meta.currentVersion };
  await write(kv, buildPath(cfg, data.remoteKey), body);
}

export async function pushSecret(
  cfg: KvConfig,
  kv: KvTransport,
  input: {
    readonly source: PushSource;
    readonly data: PushSecretData;
    readonly checkAndSet: boolean;
  },
): Promise<void> {
  const value = pushValue(input.source, input.data);
  if (cfg.version === "v1") return pushV1(cfg, kv, input.data, value);
  return pushV2(cfg, kv, input.data, { value, checkAndSet: input.checkAndSet });
}

async function isManaged(
  cfg: KvConfig,
  kv: KvTransport,
  key: string,
  existing: JsonMap,
): Promise<boolean> {
  if (cfg.version === "v1") {
    const cm = existing[CUSTOM_METADATA];
    return isJsonMap(cm) && cm[MANAGED_BY] === MANAGED_BY_VALUE;
  }
  const meta = await readMetadata(cfg, kv, key, true);
  return meta?.custom.get(MANAGED_BY) === MANAGED_BY_VALUE;
}

/** Deletes a managed secret (or one property of it); anything else is left alone. */
export async function deleteSecret(
  cfg: KvConfig,
  kv: KvTransport,
  ref: PushSecretRemoteRef,
): Promise<void> {
  const existing = await readExisting(cfg, kv, ref.remoteKey);
  if (existing === undefined) return;
  if (!(await isManaged(cfg, kv, ref.remoteKey, existing))) return;
  const path = buildPath(cfg, ref.remoteKey);
  if (ref.property !== "") {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a JSON map
    delete existing[ref.property];
    const keys = Object.keys(existing);
    const onlyMetadata = cfg.version === "v1" && keys.length === 1 && keys[0] === CUSTOM_METADATA;
    if (keys.length > 0 && !onlyMetadata) {
      await write(kv, path, cfg.version === "v2" ? { data: existing } : existing);
      return;
    }
  }
  await remove(kv, path);
  if (cfg.version === "v2") await remove(kv, buildMetadataPath(cfg, ref.remoteKey));
}

/** Whether the key (and property) exists. */
export async function secretExists(
  cfg: KvConfig,
  kv: KvTransport,
  ref: PushSecretRemoteRef,
): Promise<boolean> {
  let obj: RawObject;
  try {
    obj = await readData(cfg, kv, ref.remoteKey);
  } catch (err) {
    if (err instanceof NoSecretError) return false;
    throw err;
  }
  if (ref.property === "") return true;
  try {
    secretValue(obj, ref.property, ref.remoteKey);
    return true;
  } catch (err) {
    if (err instanceof PropertyNotFoundError) return false;
    throw err;
  }
}
