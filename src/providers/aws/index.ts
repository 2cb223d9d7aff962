// provider.aws: AWS Secrets Manager and SSM Parameter Store
// (eso-reference.md §9.1). One provider instance lives as long as the
// process and keeps, per credential identity (auth.ts), the SDK clients,
// the STS credentials and a short read memo (calls.ts), so N
// ExternalSecrets reading one key through one store cost one call per
// window instead of N, and STS is called once per credential lifetime
// instead of once per reconcile.
import { ReferentStoreClient } from "../referent-client.ts";
import type { AwsProvider as AwsProviderSpec } from "../../api/index.ts";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import { isReferent, ReferenceError, referenceNamespace } from "../../esutils/resolvers.ts";
import { storeDisplayName, type GenericStore } from "../../esutils/store.ts";
import { NotSupportedError, ProviderError, StoreValidationError } from "../errors.ts";
import type { Ctx, KubeAccess, Provider, SecretsClient } from "../provider.ts";
import {
  CredentialCache,
  planCredentials,
  usesReferentAuth,
  type AuthInput,
  type CredentialPlan,
  type Env,
} from "./auth.ts";
import {
  AwsStats,
  Coalescer,
  DEFAULT_RETRY,
  defaultSleep,
  instrument,
  type AwsCallEvent,
  type CallEnv,
  type PortTarget,
  type RetryPolicy,
} from "./calls.ts";
import { AWS_METRIC_FAMILIES, awsMetricSamples, type MetricSample } from "./metrics.ts";
import { ParameterStoreClient } from "./parameterstore.ts";
import { awsSdk } from "./sdk-aws.ts";
import type { ClientConfig, SdkFactory } from "./sdk.ts";
import { SecretsManagerClient } from "./secretsmanager.ts";

export { AwsStats, type AwsCallEvent } from "./calls.ts";
export { AWS_METRIC_FAMILIES, type MetricFamily, type MetricSample } from "./metrics.ts";
export type { SdkFactory } from "./sdk.ts";

export interface AwsProviderOptions {
  /** Where AWS_SECRETSMANAGER_ENDPOINT, AWS_SSM_ENDPOINT, AWS_STS_ENDPOINT are read (process.env). */
  readonly env?: Env;
  /** The SDK behind the ports (default: the real AWS SDK, loaded on first use). */
  readonly sdk?: SdkFactory;
  /** How long a fetched value is reused by identical reads (default 2000 ms; 0: in-flight sharing only). */
  readonly coalesceWindowMs?: number;
  /** Refresh STS credentials this long before they expire (default 5 minutes). */
  readonly credentialRefreshMarginMs?: number;
  /** Upper bound of pooled SDK clients (default 512; the oldest is closed first). */
  readonly maxClients?: number;
  /** Called after every AWS request attempt: the metrics hook. */
  readonly onCall?: (event: AwsCallEvent) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

function awsSpec(store: GenericStore): AwsProviderSpec {
  const spec = store.spec.provider.aws;
  if (spec === undefined) throw new StoreValidationError("missing store provider aws");
  return spec;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** ESO's retrySettings: maxRetries is the number of attempts (the SDK's MaxAttempts), retryInterval a fixed delay. */
function retryPolicy(store: GenericStore): RetryPolicy {
  const settings = store.spec.retrySettings;
  if (settings === undefined) return DEFAULT_RETRY;
  return {
    ...DEFAULT_RETRY,
    ...(settings.maxRetries === undefined ? {} : { maxAttempts: Math.max(1, settings.maxRetries) }),
    ...(settings.retryInterval === undefined
      ? {}
      : { fixedDelayMs: parseGoDuration(settings.retryInterval) }),
  };
}

interface NamedRef {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

function checkRef(store: GenericStore, ref: NamedRef, what: string): void {
  if ((ref.name ?? "") === "") throw new StoreValidationError(`${what}: name must be set`);
  try {
    // "" as source namespace: only the store-side rules apply here.
    if (!isReferent(store, ref)) referenceNamespace(store, ref, "");
  } catch (err) {
    if (err instanceof ReferenceError) throw new StoreValidationError(`${what}: ${err.message}`);
    throw err;
  }
}

function validateAuth(store: GenericStore, spec: AwsProviderSpec): void {
  const secretRef = spec.auth?.secretRef;
  if (secretRef !== undefined) {
    checkRef(store, secretRef.accessKeyIDSecretRef, "auth.secretRef.accessKeyIDSecretRef");
    checkRef(store, secretRef.secretAccessKeySecretRef, "auth.secretRef.secretAccessKeySecretRef");
    if (secretRef.sessionTokenSecretRef !== undefined) {
      checkRef(store, secretRef.sessionTokenSecretRef, "auth.secretRef.sessionTokenSecretRef");
    }
  }
  const saRef = spec.auth?.jwt?.serviceAccountRef;
  if (saRef !== undefined) checkRef(store, saRef, "auth.jwt.serviceAccountRef");
}

function validateSecretsManager(spec: AwsProviderSpec): void {
  const sm = spec.secretsManager;
  const window = sm?.recoveryWindowInDays ?? 0;
  if (window !== 0 && (window < 7 || window > 30)) {
    throw new StoreValidationError("secretsManager.recoveryWindowInDays must be between 7 and 30");
  }
  if (sm?.forceDeleteWithoutRecovery === true && window !== 0) {
    throw new StoreValidationError(
      "secretsManager: forceDeleteWithoutRecovery and recoveryWindowInDays exclude each other: set only one",
    );
  }
}

export class AwsSecretsProvider implements Provider {
  readonly name = "aws";
  readonly capabilities = "ReadWrite";
  readonly maintenance = "Maintained";
  /** Live counters: calls per operation, throttles, retries, coalesced reads, STS refreshes. */
  readonly stats = new AwsStats();
  /** The counter families metrics() reports, for registration before any sample exists. */
  readonly metricFamilies = AWS_METRIC_FAMILIES;
  readonly #env: Env;
  readonly #sdk: SdkFactory;
  readonly #calls: CallEnv;
  readonly #credentials: CredentialCache;
  readonly #coalescer: Coalescer;
  readonly #maxClients: number;
  readonly #clients = new Map<string, Promise<unknown>>();
  readonly #disposers = new Map<string, () => void>();

  constructor(options: AwsProviderOptions = {}) {
    const now = options.now ?? Date.now;
    this.#env = options.env ?? process.env;
    this.#sdk = options.sdk ?? awsSdk();
    this.#calls = {
      stats: this.stats,
      onCall: options.onCall,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
    };
    this.#credentials = new CredentialCache({
      now,
      marginMs: options.credentialRefreshMarginMs ?? 5 * 60_000,
      stats: this.stats,
    });
    this.#coalescer = new Coalescer({
      windowMs: options.coalesceWindowMs ?? 2_000,
      now,
      stats: this.stats,
    });
    this.#maxClients = options.maxClients ?? 512;
  }

  validateStore(store: GenericStore): { warnings: string[] } {
    const spec = awsSpec(store);
    const warnings: string[] = [];
    if (spec.region === "")
      throw new StoreValidationError("region is required: set spec.provider.aws.region");
    if (!REGION.test(spec.region)) {
      throw new StoreValidationError(
        `invalid region ${JSON.stringify(spec.region)}: expected e.g. eu-west-1`,
      );
    }
    if (spec.service === "CertificateManager") {
      warnings.push(
        "service CertificateManager is not supported by this version of Ferry: the store cannot be used",
      );
    }
    validateAuth(store, spec);
    validateSecretsManager(spec);
    try {
      retryPolicy(store);
    } catch (err) {
      throw new StoreValidationError(`retrySettings.retryInterval: ${(err as Error).message}`);
    }
    if (store.spec.retrySettings?.maxRetries === 0) {
      // ESO hands 0 to the AWS SDK, where it means "no attempt limit" (only
      // the SDK's retry quota stops it); a reconcile must end, so Ferry does not.
      warnings.push(
        "retrySettings.maxRetries 0: Ferry makes a single attempt per request (ESO retries without an attempt limit); set a positive number of attempts",
      );
    }
    return { warnings };
  }

  async newClient(
    _ctx: Ctx,
    store: GenericStore,
    kube: KubeAccess,
    namespace: string,
  ): Promise<SecretsClient> {
    const spec = awsSpec(store);
    const service = spec.service;
    if (service === "CertificateManager") {
      throw new NotSupportedError(
        `${storeDisplayName(store)}: service CertificateManager is not supported by this version of Ferry; use SecretsManager or ParameterStore`,
      );
    }
    if (namespace === "" && usesReferentAuth(store, spec)) return new ReferentStoreClient(store);
    const policy = retryPolicy(store);
    const plan = await this.#plan({ store, spec, kube, namespace }, policy);
    const endpoint =
      this.#env[service === "SecretsManager" ? "AWS_SECRETSMANAGER_ENDPOINT" : "AWS_SSM_ENDPOINT"];
    const clientKey = `${service}|${spec.region}|${endpoint ?? ""}|${plan.key}`;
    const config: ClientConfig = { region: spec.region, endpoint, credentials: plan.source };
    const prefix = spec.prefix ?? "";
    const refreshCredentials = plan.refresh;
    if (service === "SecretsManager") {
      const port = await this.#pooled(
        clientKey,
        { service: "SecretsManager", policy, refreshCredentials },
        () => this.#sdk.secretsManager(config),
      );
      return new SecretsManagerClient(port, {
        clientKey,
        coalescer: this.#coalescer,
        prefix,
        kube,
        namespace,
        ...(spec.secretsManager === undefined ? {} : { deletion: spec.secretsManager }),
      });
    }
    const port = await this.#pooled(clientKey, { service: "SSM", policy, refreshCredentials }, () =>
      this.#sdk.parameterStore(config),
    );
    return new ParameterStoreClient(port, { clientKey, coalescer: this.#coalescer, prefix });
  }

  async #plan(input: AuthInput, policy: RetryPolicy): Promise<CredentialPlan> {
    try {
      return await planCredentials(input, {
        cache: this.#credentials,
        env: this.#env,
        sts: (config, signer) =>
          this.#pooled(
            `STS|${config.region}|${config.endpoint ?? ""}|${signer?.key ?? "anonymous"}`,
            { service: "STS", policy, refreshCredentials: signer?.refresh },
            () => this.#sdk.sts(config),
          ),
      });
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw new ProviderError("AuthFailed", (err as Error).message, { cause: err });
    }
  }

  /** One instrumented SDK client per key, created once, shared by all clients. */
  #pooled<P extends object & Disposable>(
    key: string,
    target: PortTarget,
    create: () => Promise<P>,
  ): Promise<P> {
    const existing = this.#clients.get(key) as Promise<P> | undefined;
    if (existing !== undefined) return existing;
    this.stats.clientsCreated++;
    const created = create().then((port) => {
      this.#disposers.set(key, () => {
        port[Symbol.dispose]();
      });
      return instrument(port, target, this.#calls);
    });
    created.catch(() => this.#clients.delete(key));
    this.#clients.set(key, created);
    this.#evict();
    return created;
  }

  #evict(): void {
    for (const key of this.#clients.keys()) {
      if (this.#clients.size <= this.#maxClients) return;
      this.#clients.delete(key);
      this.#disposers.get(key)?.();
      this.#disposers.delete(key);
    }
  }

  /**
   * The provider's counters as metric samples (ESO's
   * externalsecret_provider_api_calls_count plus Ferry's throttling, retry,
   * coalescing and STS counters), for the composition root to export.
   */
  metrics(): MetricSample[] {
    return awsMetricSamples(this.stats);
  }

  /** Closes every pooled SDK client (process shutdown). */
  close(): Promise<void> {
    for (const dispose of this.#disposers.values()) dispose();
    this.#disposers.clear();
    this.#clients.clear();
    return Promise.resolve();
  }
}

/** The composition root's constructor: `registry.register(awsProvider())`. */
export function awsProvider(options: AwsProviderOptions = {}): AwsSecretsProvider {
  return new AwsSecretsProvider(options);
}
