// Key/value engine paths and requests, v1 and v2, with ESO's path rules
// (providers/v1/vault/client_get.go buildPath / buildMetadataPath) for
// `provider.vault`, and the OpenBao provider's simpler ones (keys are always
// relative to the mount, which defaults to "kv").
import { rootValue, type RawValue } from "../../esutils/json-raw.ts";
import { NoSecretError, ProviderError } from "../errors.ts";
import { parseBody, type VaultRequest, type VaultResponse } from "./client.ts";
import { members, type RawObject } from "./values.ts";

export type Flavor = "vault" | "openBao";

export interface KvConfig {
  readonly flavor: Flavor;
  /** The store's `path` (the KV mount), if set. */
  readonly mount: string | undefined;
  readonly version: "v1" | "v2";
}

/**
 * A key that already starts with the mount (and data/ on v2) is taken as a
 * full path, as ESO does (which misreads keys named like their mount).
 */
function stripMount(mountPath: string, key: string, v2: boolean): string {
  const cut = `${mountPath}/`;
  if (!key.startsWith(cut)) return key;
  const out = key.slice(cut.length);
  return v2 && out.startsWith("data/") ? out.slice("data/".length) : out;
}

/** ESO's buildPath: where a key's data is read and written. */
export function buildPath(cfg: KvConfig, key: string): string {
  if (cfg.flavor === "openBao") {
    const mount = cfg.mount ?? "kv";
    return cfg.version === "v2" ? `${mount}/data/${key}` : `${mount}/${key}`;
  }
  const v2 = cfg.version === "v2";
  if (cfg.mount !== undefined) {
    const out = stripMount(cfg.mount, key, v2);
    return v2 ? `${cfg.mount}/data/${out}` : `${cfg.mount}/${out}`;
  }
  if (v2 && !key.includes("/data/")) {
    const [first = "", ...rest] = key.split("/");
    return [first, "data", ...rest].join("/");
  }
  return key;
}

/** ESO's buildMetadataPath: where a v2 key's metadata lives (and LIST goes). */
export function buildMetadataPath(cfg: KvConfig, key: string): string {
  if (cfg.flavor === "openBao") {
    const mount = cfg.mount ?? "kv";
    return cfg.version === "v2" ? `${mount}/metadata/${key}` : `${mount}/${key}`;
  }
  if (cfg.version === "v1") {
    if (cfg.mount === undefined) {
      throw new ProviderError(
        "InvalidStore",
        "listing a KV v1 engine needs the store's path (the mount) to be set",
      );
    }
    return `${cfg.mount}/${key}`;
  }
  if (cfg.mount === undefined) {
    if (!key.includes("data")) {
      throw new ProviderError("InvalidStore", "provided Path isn't a valid kv v2 path");
    }
    return key.replace("/data/", "/metadata/");
  }
  return `${cfg.mount}/metadata/${stripMount(cfg.mount, key, true)}`;
}

/** What KV operations need from the client: authenticated requests. */
export interface KvTransport {
  request(req: Omit<VaultRequest, "token">, what: string): Promise<VaultResponse>;
  /** A read that identical concurrent readers share. */
  read(
    path: string,
    query: Readonly<Record<string, string>>,
    what: string,
    fresh?: boolean,
  ): Promise<VaultResponse>;
  /** Forget remembered reads of these paths (after a write or delete). */
  forget(paths: readonly string[]): void;
}

function memberSpan(obj: RawObject, name: string): RawValue | undefined {
  return members(obj).get(name);
}

function isObjectAt(text: string, span: RawValue | undefined): span is RawValue {
  return span !== undefined && text.charAt(span.start) === "{";
}

/** The `data` object of a read (the inner one on v2), or undefined when none. */
export function dataObject(cfg: KvConfig, text: string): RawObject | undefined {
  const root: RawObject = { text, span: rootValue(text) };
  if (text.charAt(root.span.start) !== "{") return undefined;
  const outer = memberSpan(root, "data");
  if (!isObjectAt(text, outer)) return undefined;
  if (cfg.version === "v1") return { text, span: outer };
  const inner = memberSpan({ text, span: outer }, "data");
  if (inner === undefined) {
    throw new ProviderError("ProviderError", "failed to find data field");
  }
  return isObjectAt(text, inner) ? { text, span: inner } : undefined;
}

/** Reads a secret's data; NoSecretError when it does not exist (or is deleted). */
export async function readData(
  cfg: KvConfig,
  kv: KvTransport,
  key: string,
  options: { readonly version?: string | undefined; readonly fresh?: boolean } = {},
): Promise<RawObject> {
  const path = buildPath(cfg, key);
  const version = options.version ?? "";
  const query: Record<string, string> = version === "" ? {} : { version };
  const what = `read of ${path}`;
  const response = await kv.read(path, query, what, options.fresh);
  if (response.status === 404) throw new NoSecretError(`${JSON.stringify(key)} at ${path}`);
  if (response.status !== 200) throw kvFailure(response, what);
  const data = dataObject(cfg, response.text);
  if (data === undefined) throw new NoSecretError(`${JSON.stringify(key)} at ${path}`);
  return data;
}

/** Raised as a plain error by ESO too: a metadata read of a missing key. */
const SYSTEM_METADATA = ["created_time", "current_version", "delete_version_after"];

function scalarText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export interface Metadata {
  /** System keys (v2) and custom_metadata, as ESO's readSecretMetadata merges them. */
  readonly all: Map<string, string>;
  /** custom_metadata alone. */
  readonly custom: Map<string, string>;
  readonly currentVersion: number | undefined;
}

/** Reads a v2 key's metadata; undefined when the key has none. */
export async function readMetadata(
  cfg: KvConfig,
  kv: KvTransport,
  key: string,
  fresh = false,
): Promise<Metadata | undefined> {
  const path = buildMetadataPath(cfg, key);
  const what = `metadata read of ${path}`;
  const response = await kv.read(path, {}, what, fresh);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw kvFailure(response, what);
  return parseMetadata((parseBody(response, what)["data"] ?? {}) as Record<string, unknown>);
}

function parseMetadata(data: Record<string, unknown>): Metadata {
  const all = new Map<string, string>();
  for (const k of SYSTEM_METADATA) {
    const v = data[k];
    if (v !== undefined && v !== null) all.set(k, scalarText(v));
  }
  const custom = new Map<string, string>();
  const raw = data["custom_metadata"];
  if (typeof raw === "object" && raw !== null) {
    for (const [k, v] of Object.entries(raw)) custom.set(k, scalarText(v));
  }
  for (const [k, v] of custom) all.set(k, v);
  const cv = data["current_version"];
  return { all, custom, currentVersion: typeof cv === "number" ? cv : undefined };
}

/** Recursive LIST below `prefix` ("" or ending in "/"): full key names. */
export async function listKeys(cfg: KvConfig, kv: KvTransport, prefix: string): Promise<string[]> {
  const path = buildMetadataPath(cfg, prefix);
  const what = `list of ${path}`;
  const response = await kv.read(path, { list: "true" }, what);
  if (response.status === 404) throw new NoSecretError(`nothing to list at ${path}`);
  if (response.status !== 200) throw kvFailure(response, what);
  const body = parseBody(response, what);
  const keys = (body["data"] as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return [];
  const out: string[] = [];
  for (const entry of keys) {
    if (typeof entry !== "string") continue;
    const full = prefix + entry;
    if (entry.endsWith("/")) out.push(...(await listKeys(cfg, kv, full)));
    else out.push(full);
  }
  return out;
}

/** OpenBao's provider: one LIST, no recursion; keys carry the listed prefix. */
export async function listOneLevel(
  cfg: KvConfig,
  kv: KvTransport,
  prefix: string,
): Promise<string[]> {
  const path = buildMetadataPath(cfg, prefix).replace(/\/+$/, "");
  const what = `list of ${path}`;
  const response = await kv.read(path, { list: "true" }, what);
  if (response.status === 404) return [];
  if (response.status !== 200) throw kvFailure(response, what);
  const keys = (parseBody(response, what)["data"] as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) return [];
  const base = prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`;
  return keys
    .filter((k): k is string => typeof k === "string" && !k.endsWith("/"))
    .map((k) => base + k);
}

export function kvFailure(response: VaultResponse, what: string): ProviderError {
  const detail = (() => {
    try {
      const parsed = JSON.parse(response.text) as { errors?: unknown };
      return Array.isArray(parsed.errors)
        ? parsed.errors.filter((e) => typeof e === "string").join("; ")
        : "";
    } catch {
      return "";
    }
  })();
  return new ProviderError(
    "ProviderError",
    `vault returned ${response.status} on ${what}${detail === "" ? "" : `: ${detail.slice(0, 300)}`}`,
  );
}

/** Writes (POST) and checks for success. */
export async function write(kv: KvTransport, path: string, body: unknown): Promise<void> {
  const what = `write of ${path}`;
  kv.forget([path]);
  const response = await kv.request({ method: "POST", path, body }, what);
  kv.forget([path]);
  if (response.status !== 200 && response.status !== 204) throw kvFailure(response, what);
}

/** Deletes; a missing path is fine. */
export async function remove(kv: KvTransport, path: string): Promise<void> {
  const what = `delete of ${path}`;
  kv.forget([path]);
  const response = await kv.request({ method: "DELETE", path }, what);
  kv.forget([path]);
  if (response.status !== 200 && response.status !== 204 && response.status !== 404) {
    throw kvFailure(response, what);
  }
}
