// provider.vault and provider.openBao (eso-reference.md §9.2, §8): HashiCorp
// Vault / OpenBao KV v1 and v2. One class serves both keys; the openBao
// instance reads `spec.provider.openBao` with ESO's narrower feature set
// (token, AppRole and userpass auth; no tags; read only).
//
// Unlike ESO, a login is kept for its lease in the provider instance (see
// token-cache.ts) and identical concurrent reads are coalesced
// (coalesce.ts). The composition root builds one instance per key,
// registers it and calls close() on shutdown to revoke the cached tokens.
import { readFile } from "node:fs/promises";
import type { Agent } from "undici";
import { storeKey, isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { ProviderError } from "../errors.ts";
import type { Ctx, KubeAccess, Provider, SecretsClient } from "../provider.ts";
import type { AuthInput, PreparedAuth } from "./auth/common.ts";
import { renewSelf, revokeSelf } from "./auth/common.ts";
import type { Env } from "./auth/iam-credentials.ts";
import { prepareAuth, type PrepareOptions } from "./auth/index.ts";
import { sdkSts, type StsFactory } from "./auth/sts.ts";
import { newStats, undici, VaultHttp, type VaultStats } from "./client.ts";
import { SingleFlight } from "../../esutils/single-flight.ts";
import type { Flavor } from "./kv.ts";
import { retryPolicy, type RetryPolicy } from "./retry.ts";
import { ReferentStoreClient } from "../referent-client.ts";
import { VaultSecretsClient } from "./secrets-client.ts";
import { Session, type TokenHandle } from "./session.ts";
import { isReferentSpec, validateVaultStore, vaultSpec, type VaultSpec } from "./spec.ts";
import { TokenCache, type TokenOps } from "./token-cache.ts";
import { resolveTls, type TlsMaterial } from "./tls.ts";

export type { VaultStats } from "./client.ts";

/**
 * The store's identity for the token cache: a new spec (generation) is a
 * new login. Not the resourceVersion: the store controller's status writes
 * change it, and the old token would be revoked after every status update.
 */
function storeVersion(store: GenericStore): string {
  const m = store.metadata;
  return `${m.uid ?? ""}@${m.generation === undefined ? (m.resourceVersion ?? "") : String(m.generation)}`;
}

export interface VaultProviderOptions {
  /** How long a successful read is shared with identical reads (ms, default 2000; 0 disables). */
  readonly coalesceWindowMs?: number;
  /** Log in again when less than this fraction of the lease is left (default 0.2). */
  readonly refreshFraction?: number;
  /** Per-request timeout (ms, default 30000). */
  readonly requestTimeoutMs?: number;
  /** The pod's ServiceAccount token, for kubernetes auth without references. */
  readonly serviceAccountTokenFile?: string;
  /**
   * Environment of iam auth (AWS_STS_ENDPOINT, AWS_WEB_IDENTITY_TOKEN_FILE,
   * AWS_CONTAINER_CREDENTIALS_FULL_URI); default process.env.
   */
  readonly env?: Env;
  /** STS for iam auth; default the AWS SDK. */
  readonly sts?: StsFactory;
  /** The wait between retries (tests count them instead of waiting). */
  readonly retrySleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

const STATIC: Omit<TokenHandle, "token"> = { isStatic: true, refused: () => undefined };

export class VaultSecretsProvider implements Provider {
  readonly name: "vault" | "openBao";
  readonly capabilities: "ReadWrite" | "ReadOnly";
  readonly maintenance = "Maintained";
  /** Logins, renewals, revocations and KV requests of this instance. */
  readonly stats: VaultStats = newStats();
  readonly #flavor: Flavor;
  readonly #options: VaultProviderOptions;
  readonly #tokens: TokenCache;
  readonly #reads: SingleFlight;
  readonly #agents = new Map<string, Agent>();
  #closed = false;

  constructor(flavor: Flavor = "vault", options: VaultProviderOptions = {}) {
    this.#flavor = flavor;
    this.name = flavor;
    this.capabilities = flavor === "vault" ? "ReadWrite" : "ReadOnly";
    this.#options = options;
    this.#tokens = new TokenCache({
      stats: this.stats,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.refreshFraction === undefined
        ? {}
        : { refreshFraction: options.refreshFraction }),
    });
    this.#reads = new SingleFlight({
      windowMs: options.coalesceWindowMs ?? 2000,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }

  validateStore(store: GenericStore): { warnings: string[] } {
    return validateVaultStore(store, this.#flavor);
  }

  async newClient(
    ctx: Ctx,
    store: GenericStore,
    kube: KubeAccess,
    namespace: string,
  ): Promise<SecretsClient> {
    if (this.#closed) throw new ProviderError("Unavailable", "the vault provider is shut down");
    const spec = vaultSpec(store, this.#flavor);
    const retry = retryPolicy(store.spec.retrySettings);
    const referent = isClusterStore(store) && isReferentSpec(spec);
    if (referent && namespace === "") return new ReferentStoreClient(store);
    const refs = { store, kube, namespace };
    const tls = await resolveTls(refs, {
      caBundle: spec.caBundle,
      caProvider: spec.caProvider,
      tls: spec.tls,
      certAuth: spec.auth?.cert,
    });
    const dispatcher = tls === undefined ? undefined : await this.#agent(tls);
    const http = this.#http(spec, dispatcher, retry);
    const authNamespace = spec.auth?.namespace ?? spec.namespace;
    const input: AuthInput = { ...refs, http, authNamespace, signal: ctx.signal };
    const prepared = await prepareAuth(input, spec, this.#prepareOptions(tls));
    const group = `${storeKey(store)}|${referent ? namespace : ""}`;
    const cacheKey = [group, storeVersion(store), spec.server, prepared.fingerprint].join("|");
    const handle = this.#handle(prepared, { cacheKey, group, http, authNamespace });
    // Log in now (or reuse the cached login), so wrong credentials fail
    // here, as in ESO.
    await handle.token();
    ctx.log.debug("vault client ready", { store: storeKey(store), auth: prepared.description });
    const session = new Session({
      http,
      handle,
      coalescer: this.#reads,
      cacheKey,
      stats: this.stats,
      authDescription: prepared.description,
      signal: ctx.signal,
    });
    const kv = { flavor: this.#flavor, mount: spec.mount, version: spec.version };
    const staticToken = prepared.staticToken !== undefined;
    return new VaultSecretsClient({ kv, checkAndSet: spec.checkAndSet, staticToken }, session);
  }

  #prepareOptions(tls: TlsMaterial | undefined): PrepareOptions {
    const file = this.#options.serviceAccountTokenFile;
    return {
      iam: {
        env: this.#options.env ?? process.env,
        sts: this.#options.sts ?? sdkSts,
        readFile: (path) => readFile(path, "utf8"),
        now: this.#options.now ?? Date.now,
      },
      tlsFingerprint: tls?.fingerprint ?? "",
      ...(file === undefined ? {} : { tokenFile: file }),
    };
  }

  #http(spec: VaultSpec, dispatcher: Agent | undefined, retry: RetryPolicy): VaultHttp {
    return new VaultHttp({
      retry,
      sleep: this.#options.retrySleep,
      address: spec.server,
      namespace: spec.namespace,
      headers: spec.headers,
      readYourWrites: spec.readYourWrites,
      forwardInconsistent: spec.forwardInconsistent,
      dispatcher,
      timeoutMs: this.#options.requestTimeoutMs,
    });
  }

  /** One Agent (connection pool) per distinct CA / client certificate. */
  async #agent(tls: TlsMaterial): Promise<Agent> {
    // undici loads with the first client (start-up memory); no await between
    // the lookup and the insertion below, so one Agent per digest.
    const { Agent } = await undici();
    let agent = this.#agents.get(tls.digest);
    if (agent === undefined) {
      agent = new Agent({
        connect: {
          ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
        },
      });
      this.#agents.set(tls.digest, agent);
    }
    return agent;
  }

  #handle(
    prepared: PreparedAuth,
    where: { cacheKey: string; group: string; http: VaultHttp; authNamespace: string | undefined },
  ): TokenHandle {
    const staticToken = prepared.staticToken;
    const login = prepared.login;
    if (login === undefined) {
      const token = staticToken ?? "";
      return { ...STATIC, token: () => Promise.resolve(token) };
    }
    const ops: TokenOps = {
      login,
      renew: (token) => renewSelf(where.http, token, where.authNamespace),
      revoke: (token) => revokeSelf(where.http, token, where.authNamespace),
    };
    return {
      isStatic: false,
      token: () => this.#tokens.token(where.cacheKey, where.group, ops),
      refused: (token) => {
        this.#tokens.invalidate(where.cacheKey, token);
      },
    };
  }

  /** Revokes every cached login and closes the connection pools. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#tokens.close();
    this.#reads.clear();
    await Promise.allSettled([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }
}

export function newVaultProvider(options: VaultProviderOptions = {}): VaultSecretsProvider {
  return new VaultSecretsProvider("vault", options);
}

export function newOpenBaoProvider(options: VaultProviderOptions = {}): VaultSecretsProvider {
  return new VaultSecretsProvider("openBao", options);
}
