// Fetching an ExternalSecret's data from its providers, as ESO's
// GetProviderSecretData does: dataFrom entries in order (later ones win),
// then data[] entries on top. A remote secret that does not exist is skipped
// with an Event when deletionPolicy is Delete or Merge (so the key can go),
// and is an error under Retain (so nothing is lost).
import type {
  ExternalSecretData,
  ExternalSecretDataFromRemoteRef,
  ExternalSecretSpec,
  SecretStoreRef,
} from "../../api/index.ts";
import { decode, decodeMap } from "../../esutils/decoding.ts";
import { checkNullBytes, convertKeys, validateKeys } from "../../esutils/keys.ts";
import { rewriteMap, type TransformRenderer } from "../../esutils/rewrite.ts";
import { isNoSecretError, NotSupportedError, ProviderError } from "../../providers/errors.ts";
import type { Ctx, SecretsClient } from "../../providers/provider.ts";

export type SecretMap = Map<string, Uint8Array>;

/** Gives the provider client for the ES's store, or for an entry's own storeRef. */
export type ClientSource = (storeRef: SecretStoreRef | undefined) => Promise<SecretsClient>;

export interface FetchEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export interface FetchOptions {
  readonly ctx: Ctx;
  readonly clients: ClientSource;
  readonly renderTransform: TransformRenderer;
  readonly onEvent: (event: FetchEvent) => void;
}

/**
 * Why a fetch failed, with the entry that failed (`spec.data[1]`) and a
 * stable code; the message never contains a value.
 */
export class FetchError extends Error {
  readonly entry: string;
  readonly code: string;

  constructor(entry: string, cause: unknown) {
    const code = cause instanceof ProviderError ? cause.code : errorCode(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`${entry}: [${code}] ${detail}`, { cause });
    this.name = "FetchError";
    this.entry = entry;
    this.code = code;
  }
}

function errorCode(cause: unknown): string {
  if (!(cause instanceof Error)) return "ProviderError";
  const byName: Readonly<Record<string, string>> = {
    KeyError: "InvalidKey",
    RewriteError: "RewriteFailed",
    DecodingError: "DecodingFailed",
    RegexpError: "InvalidRegexp",
    ReferenceError: "InvalidReference",
    TemplateError: "TemplateError",
  };
  return byName[cause.name] ?? "ProviderError";
}

const MISSING = "MissingProviderSecret";

async function fetchDataFrom(
  entry: ExternalSecretDataFromRemoteRef,
  opts: FetchOptions,
): Promise<SecretMap> {
  if (entry.sourceRef?.generatorRef !== undefined) {
    throw new NotSupportedError(
      `generators are not supported by this version of Ferry yet (generatorRef ${entry.sourceRef.generatorRef.kind}/${entry.sourceRef.generatorRef.name})`,
    );
  }
  const client = await opts.clients(entry.sourceRef?.storeRef);
  let map: SecretMap;
  let conversion: string | undefined;
  let decoding: string | undefined;
  let nullBytePolicy: string | undefined;
  if (entry.find !== undefined) {
    map = await client.getAllSecrets(opts.ctx, entry.find);
    ({ conversionStrategy: conversion, decodingStrategy: decoding, nullBytePolicy } = entry.find);
  } else if (entry.extract !== undefined) {
    map = await client.getSecretMap(opts.ctx, entry.extract);
    ({
      conversionStrategy: conversion,
      decodingStrategy: decoding,
      nullBytePolicy,
    } = entry.extract);
  } else {
    throw new NotSupportedError("dataFrom entry has neither extract, find nor generatorRef");
  }
  const rewrites = entry.rewrite ?? [];
  // ESO applies conversionStrategy only when there is no rewrite.
  map =
    rewrites.length > 0
      ? rewriteMap(rewrites, map, opts.renderTransform)
      : convertKeys(map, conversion);
  map = decodeMap(decoding, validateKeys(map));
  checkNullBytes(map, nullBytePolicy, "dataFrom");
  return map;
}

async function fetchData(entry: ExternalSecretData, opts: FetchOptions): Promise<Uint8Array> {
  const client = await opts.clients(entry.sourceRef?.storeRef);
  const value = decode(
    entry.remoteRef.decodingStrategy,
    await client.getSecret(opts.ctx, entry.remoteRef),
  );
  checkNullBytes(new Map([[entry.secretKey, value]]), entry.remoteRef.nullBytePolicy, "data");
  return value;
}

/** Runs one entry; a tolerated NoSecretError becomes an Event instead. */
async function guarded<T>(
  where: string,
  tolerateMissing: boolean,
  opts: FetchOptions,
  fetch: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (err) {
    if (!(tolerateMissing && isNoSecretError(err))) throw new FetchError(where, err);
    opts.onEvent({
      type: "Normal",
      reason: MISSING,
      message: `secret does not exist at provider using ${where}`,
    });
    return undefined;
  }
}

/**
 * The merged data of every dataFrom and data entry. Throws FetchError for
 * the first entry that fails; NoSecretError is tolerated (skipped, with an
 * Event) only when deletionPolicy is not Retain.
 */
export async function fetchProviderData(
  spec: ExternalSecretSpec,
  opts: FetchOptions,
): Promise<SecretMap> {
  const tolerate = (spec.target?.deletionPolicy ?? "Retain") !== "Retain";
  const data: SecretMap = new Map();
  for (const [i, entry] of (spec.dataFrom ?? []).entries()) {
    const map = await guarded(`spec.dataFrom[${i}]`, tolerate, opts, () =>
      fetchDataFrom(entry, opts),
    );
    for (const [k, v] of map ?? []) data.set(k, v);
  }
  for (const [i, entry] of (spec.data ?? []).entries()) {
    // ESO's event for data[] also says "dataFrom"; Ferry names the real entry.
    const where = `spec.data[${i}] (key=${entry.remoteRef.key})`;
    const value = await guarded(where, tolerate, opts, () => fetchData(entry, opts));
    if (value !== undefined) data.set(entry.secretKey, value);
  }
  return data;
}
