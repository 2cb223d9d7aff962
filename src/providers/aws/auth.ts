// Credentials of an AWS store (eso-reference.md §9.1, auth order of ESO's
// auth.go): jwt.serviceAccountRef (IRSA: TokenRequest then
// AssumeRoleWithWebIdentity) or secretRef (static keys) or the SDK default
// chain; then additionalRoles in order, then role (with externalID, session
// tags, transitive tag keys).
//
// Unlike ESO, which builds a fresh credentials chain per reconcile (one STS
// call per ExternalSecret refresh), every STS result is cached under a key
// naming everything it depends on, reused until shortly before it expires,
// and concurrent first requests share one STS call.
import { createHash } from "node:crypto";
import type { AwsProvider } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { isReferent, referenceNamespace, resolveSecretKey } from "../../esutils/resolvers.ts";
import { storeKey, type GenericStore } from "../../esutils/store.ts";
import { ProviderError } from "../errors.ts";
import type { AwsStats } from "./calls.ts";
import {
  errorMessage,
  type AwsCredentials,
  type ClientConfig,
  type CredentialSource,
  type StsCredentialsOutput,
  type StsPort,
} from "./sdk.ts";

export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
export const AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience";
export const DEFAULT_AUDIENCE = "sts.amazonaws.com";
export const SESSION_NAME = "external-secrets-provider-aws";

/** Environment variables as ESO reads them (endpoint overrides). */
export type Env = Readonly<Record<string, string | undefined>>;

interface CacheEntry {
  credentials?: AwsCredentials;
  /** When `credentials` arrived (provider clock). */
  fetchedAt: number;
  refreshAt: number;
  inflight?: Promise<AwsCredentials> | undefined;
}

/**
 * Temporary credentials by key. A value is reused until `marginMs` before
 * its expiry (at most half of its remaining lifetime, for short sessions);
 * concurrent misses share one fetch; failures are not cached.
 */
export class CredentialCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #now: () => number;
  readonly #marginMs: number;
  readonly #stats: AwsStats;

  constructor(options: { now: () => number; marginMs: number; stats: AwsStats }) {
    this.#now = options.now;
    this.#marginMs = options.marginMs;
    this.#stats = options.stats;
  }

  get(key: string, fetch: () => Promise<AwsCredentials>): Promise<AwsCredentials> {
    const entry = this.#entries.get(key);
    if (entry?.credentials !== undefined && this.#now() < entry.refreshAt) {
      this.#stats.credentialCacheHits++;
      return Promise.resolve(entry.credentials);
    }
    if (entry?.inflight !== undefined) {
      this.#stats.credentialCacheHits++;
      return entry.inflight;
    }
    const next: CacheEntry = entry ?? { fetchedAt: 0, refreshAt: 0 };
    this.#stats.credentialRefreshes++;
    const inflight = fetch().then(
      (credentials) => {
        next.credentials = credentials;
        next.fetchedAt = this.#now();
        next.refreshAt = this.#refreshAt(credentials);
        next.inflight = undefined;
        return credentials;
      },
      (err: unknown) => {
        next.inflight = undefined;
        throw err;
      },
    );
    next.inflight = inflight;
    this.#evictExpired();
    this.#entries.set(key, next);
    return inflight;
  }

  #refreshAt(credentials: AwsCredentials): number {
    const now = this.#now();
    if (credentials.expiration === undefined) return Number.POSITIVE_INFINITY;
    const left = credentials.expiration.getTime() - now;
    return now + left - Math.min(this.#marginMs, left / 2);
  }

  #evictExpired(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.inflight === undefined && entry.refreshAt <= now) this.#entries.delete(key);
    }
  }

  /**
   * Drops the credentials of `key` when AWS refused them as expired. Only
   * credentials that were already cached when the refused request started
   * are dropped: when many requests fail together, the first one fetches
   * new credentials and the others reuse them instead of fetching again.
   */
  invalidate(key: string, requestStartedAt = Number.POSITIVE_INFINITY): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.inflight !== undefined) return;
    if (entry.fetchedAt <= requestStartedAt) this.#entries.delete(key);
  }
}

export interface AuthInput {
  readonly store: GenericStore;
  readonly spec: AwsProvider;
  readonly kube: KubeAccess;
  /** Namespace of the ExternalSecret/PushSecret; "" while validating a ClusterSecretStore. */
  readonly namespace: string;
}

export interface CredentialPlan {
  /** Same key, same credentials: the identity used for client reuse and coalescing. */
  readonly key: string;
  /** Undefined: the SDK default chain. */
  readonly source: CredentialSource | undefined;
  /**
   * For STS credentials: drops them after AWS refused a request started at
   * `startedAt` as expired, so the next request fetches new ones.
   */
  readonly refresh?: ((startedAt: number) => void) | undefined;
}

export interface AuthDeps {
  readonly cache: CredentialCache;
  readonly env: Env;
  /**
   * An (instrumented, pooled) STS port signing with `config.credentials`,
   * which are those of `signer` (undefined: the web identity call, unsigned).
   */
  readonly sts: (config: ClientConfig, signer: CredentialPlan | undefined) => Promise<StsPort>;
}

/** True when the store's auth resolves per ExternalSecret namespace (referent). */
export function usesReferentAuth(store: GenericStore, spec: AwsProvider): boolean {
  const auth = spec.auth;
  if (auth?.jwt?.serviceAccountRef !== undefined)
    return isReferent(store, auth.jwt.serviceAccountRef);
  if (auth?.secretRef !== undefined) {
    const refs = [auth.secretRef.accessKeyIDSecretRef, auth.secretRef.secretAccessKeySecretRef];
    return refs.some((ref) => isReferent(store, ref));
  }
  return false;
}

const fingerprint = (parts: readonly string[]): string =>
  createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 24);

function stsCredentials(out: StsCredentialsOutput, what: string): AwsCredentials {
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
    throw new ProviderError("AuthFailed", `${what} returned no credentials`);
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration ?? new Date(Date.now() + 15 * 60_000),
  };
}

function authFailure(what: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError("AuthFailed", `${what} failed: ${errorMessage(err)}`, { cause: err });
}

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

async function staticPlan(input: AuthInput): Promise<CredentialPlan> {
  const ref = input.spec.auth?.secretRef;
  if (ref === undefined) throw new Error("unreachable: no secretRef");
  const read = async (selector: typeof ref.accessKeyIDSecretRef, what: string): Promise<string> => {
    try {
      return utf8(await resolveSecretKey(input.kube, input.store, selector, input.namespace));
    } catch (err) {
      throw new ProviderError(
        "AuthFailed",
        `could not fetch ${what} secret: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  };
  const secretAccessKey = await read(ref.secretAccessKeySecretRef, "SecretAccessKey");
  const accessKeyId = await read(ref.accessKeyIDSecretRef, "accessKeyID");
  const sessionToken =
    ref.sessionTokenSecretRef === undefined
      ? undefined
      : await read(ref.sessionTokenSecretRef, "SessionToken");
  // The key holds a digest of the keys, never the keys: a rotated Secret
  // gives a new key, so old clients and cached results are not reused.
  const key = `static:${fingerprint([accessKeyId, secretAccessKey, sessionToken ?? ""])}`;
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey, sessionToken };
  return { key, source: () => Promise.resolve(credentials) };
}

async function webIdentityPlan(
  input: AuthInput,
  deps: AuthDeps,
  scope: string,
): Promise<CredentialPlan> {
  const saRef = input.spec.auth?.jwt?.serviceAccountRef;
  if (saRef === undefined) throw new Error("unreachable: no serviceAccountRef");
  const namespace = referenceNamespace(input.store, saRef, input.namespace);
  const sa = await input.kube.getServiceAccount(namespace, saRef.name);
  if (sa === undefined) {
    throw new ProviderError(
      "AuthFailed",
      `ServiceAccount "${namespace}/${saRef.name}" referenced by auth.jwt.serviceAccountRef does not exist`,
    );
  }
  const roleArn = sa.annotations[ROLE_ARN_ANNOTATION] ?? "";
  if (roleArn === "") {
    throw new ProviderError(
      "AuthFailed",
      `an IAM role must be associated with service account ${saRef.name} (namespace: ${namespace}): set the annotation ${ROLE_ARN_ANNOTATION}`,
    );
  }
  const audiences = [
    sa.annotations[AUDIENCE_ANNOTATION] ?? DEFAULT_AUDIENCE,
    ...(saRef.audiences ?? []),
  ];
  const key = `${scope}|irsa:${namespace}/${saRef.name}|${roleArn}|${audiences.join(",")}`;
  const { kube, spec } = input;
  const fetch = async (): Promise<AwsCredentials> => {
    try {
      const token = await kube.createServiceAccountToken(namespace, saRef.name, {
        audiences,
        expirationSeconds: 600,
      });
      const sts = await deps.sts(stsConfig(spec, deps.env, undefined), undefined);
      const out = await sts.assumeRoleWithWebIdentity({
        RoleArn: roleArn,
        RoleSessionName: SESSION_NAME,
        WebIdentityToken: token.token,
      });
      return stsCredentials(out, `AssumeRoleWithWebIdentity ${roleArn}`);
    } catch (err) {
      throw authFailure(
        `AssumeRoleWithWebIdentity ${roleArn} for ServiceAccount ${namespace}/${saRef.name}`,
        err,
      );
    }
  };
  return cachedPlan(key, fetch, deps.cache);
}

/** A plan whose credentials come from STS through the cache. */
function cachedPlan(
  key: string,
  fetch: () => Promise<AwsCredentials>,
  cache: CredentialCache,
): CredentialPlan {
  return {
    key,
    source: () => cache.get(key, fetch),
    refresh: (startedAt) => {
      cache.invalidate(key, startedAt);
    },
  };
}

function stsConfig(
  spec: AwsProvider,
  env: Env,
  credentials: CredentialSource | undefined,
): ClientConfig {
  return {
    region: spec.region,
    endpoint: env["AWS_STS_ENDPOINT"],
    credentials,
  };
}

interface Tag {
  Key: string;
  Value: string;
}

/** sessionTags plus what sessionTagsPolicy injects (ESO's buildSessionTags). */
export function sessionTags(input: AuthInput): Tag[] {
  const { spec, store } = input;
  const tags = (spec.sessionTags ?? []).map((t) => ({ Key: t.key, Value: t.value }));
  const policy = spec.sessionTagsPolicy ?? "None";
  if (policy === "None") return tags;
  tags.push(
    { Key: "esoNamespace", Value: input.namespace },
    { Key: "esoStoreName", Value: store.metadata.name },
    { Key: "esoStoreKind", Value: store.kind },
  );
  if (policy === "Custom") {
    for (const [k, v] of Object.entries(spec.customSessionTags ?? {}))
      tags.push({ Key: k, Value: v });
  }
  return tags;
}

function assumeRolePlan(
  previous: CredentialPlan,
  role: {
    arn: string;
    externalId?: string | undefined;
    tags?: Tag[] | undefined;
    transitive?: string[] | undefined;
  },
  input: AuthInput,
  deps: AuthDeps,
): CredentialPlan {
  const key = `${previous.key}>role:${role.arn}|${role.externalId ?? ""}|${fingerprint(
    (role.tags ?? []).map((t) => `${t.Key}=${t.Value}`).concat(role.transitive ?? []),
  )}`;
  const fetch = async (): Promise<AwsCredentials> => {
    try {
      const sts = await deps.sts(stsConfig(input.spec, deps.env, previous.source), previous);
      const out = await sts.assumeRole({
        RoleArn: role.arn,
        RoleSessionName: SESSION_NAME,
        ...(role.externalId === undefined || role.externalId === ""
          ? {}
          : { ExternalId: role.externalId }),
        ...(role.tags === undefined || role.tags.length === 0 ? {} : { Tags: role.tags }),
        ...(role.tags !== undefined && role.tags.length > 0 && (role.transitive ?? []).length > 0
          ? { TransitiveTagKeys: role.transitive }
          : {}),
      });
      return stsCredentials(out, `AssumeRole ${role.arn}`);
    } catch (err) {
      throw authFailure(`AssumeRole ${role.arn}`, err);
    }
  };
  return cachedPlan(key, fetch, deps.cache);
}

/** Where credentials of this store are valid: the store, its spec, and the namespace for referent auth. */
function scopeOf(input: AuthInput): string {
  const { store } = input;
  const revision = store.metadata.generation ?? store.metadata.resourceVersion ?? "";
  const referent = usesReferentAuth(store, input.spec) ? `@${input.namespace}` : "";
  return `${storeKey(store)}#${String(revision)}${referent}`;
}

/**
 * The credentials of a store for one namespace. Reads the auth Secret or
 * ServiceAccount now (so a rotation is seen on the next reconcile); STS
 * calls happen lazily, on first use, through the cache.
 */
export async function planCredentials(input: AuthInput, deps: AuthDeps): Promise<CredentialPlan> {
  const scope = scopeOf(input);
  const auth = input.spec.auth;
  let plan: CredentialPlan;
  if (auth?.jwt?.serviceAccountRef !== undefined) {
    plan = await webIdentityPlan(input, deps, scope);
  } else if (auth?.secretRef !== undefined) {
    const base = await staticPlan(input);
    plan = { key: `${scope}|${base.key}`, source: base.source };
  } else {
    plan = { key: `${scope}|default`, source: undefined };
  }
  for (const arn of input.spec.additionalRoles ?? []) {
    plan = assumeRolePlan(plan, { arn }, input, deps);
  }
  const role = input.spec.role ?? "";
  if (role !== "") {
    const tags = sessionTags(input);
    plan = assumeRolePlan(
      plan,
      {
        arn: role,
        externalId: input.spec.externalID,
        tags,
        transitive: input.spec.transitiveTagKeys,
      },
      input,
      deps,
    );
  }
  return plan;
}
