// The provider contract (architecture.md §5.1), ESO's Provider and
// SecretsClient in TypeScript: values are bytes, maps are Maps, Close is
// async dispose, and the Kubernetes access a provider gets is KubeAccess,
// which enforces the namespace rules of references.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../api/index.ts";
import type { ProviderName } from "../api/index.ts";
import type { GenericStore } from "../esutils/store.ts";
import type { KubeAccess } from "../esutils/kube-access.ts";

export type { GenericStore } from "../esutils/store.ts";
export type { KubeAccess } from "../esutils/kube-access.ts";

/** The logging a provider may do; values must never be passed in. */
export interface ProviderLogger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface Ctx {
  readonly signal: AbortSignal;
  readonly log: ProviderLogger;
}

export type Capabilities = "ReadOnly" | "WriteOnly" | "ReadWrite";
export type MaintenanceStatus = "Maintained" | "NotMaintained" | "Deprecated";
export type ValidationResult = "Ready" | "Unknown" | "Error";

/** What PushSecret hands a provider for one entry. */
export interface PushSecretData {
  /** Empty: push the whole Secret as a JSON object. */
  readonly secretKey: string;
  readonly remoteKey: string;
  readonly property: string;
  /** Provider-specific PushSecretMetadata (already validated JSON), if any. */
  readonly metadata?: unknown;
}

export interface PushSecretRemoteRef {
  readonly remoteKey: string;
  readonly property: string;
}

/** The source Secret of a push. */
export interface PushSource {
  readonly name: string;
  readonly namespace: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface SecretsClient {
  /** One value. Throws NoSecretError when the remote secret is missing. */
  getSecret(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array>;
  /** dataFrom.extract: a JSON object (optionally at `property`) as a map. */
  getSecretMap(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Map<string, Uint8Array>>;
  /** dataFrom.find: keys are remote names. */
  getAllSecrets(ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>>;
  pushSecret(ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void>;
  /** Idempotent: a missing secret is success. */
  deleteSecret(ctx: Ctx, ref: PushSecretRemoteRef): Promise<void>;
  secretExists(ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean>;
  validate(ctx: Ctx): Promise<ValidationResult>;
  close(): Promise<void>;
}

/** A counter a provider reports (e.g. ESO's externalsecret_provider_api_calls_count). */
export interface ProviderMetricFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** One cumulative value of a ProviderMetricFamily; labels never carry values. */
export interface ProviderMetricSample {
  readonly name: string;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Provider {
  readonly name: ProviderName;
  readonly capabilities: Capabilities;
  readonly maintenance: MaintenanceStatus;
  /**
   * A client built for one namespace must not serve another, even for a
   * ClusterSecretStore without namespace-relative references (the webhook
   * provider puts the ExternalSecret's namespace into its requests).
   */
  readonly clientPerNamespace?: boolean;
  /** Static checks, no network. Returns warnings; throws StoreValidationError. */
  validateStore(store: GenericStore): { warnings: string[] };
  /**
   * A client for `store` acting for an object in `namespace` ("" while a
   * ClusterSecretStore is validated: referent providers then return a client
   * whose validate() says Unknown).
   */
  newClient(
    ctx: Ctx,
    store: GenericStore,
    kube: KubeAccess,
    namespace: string,
  ): Promise<SecretsClient>;
  /** The counters metrics() reports, registered on /metrics before any sample exists. */
  readonly metricFamilies?: readonly ProviderMetricFamily[];
  /** Cumulative samples of metricFamilies, read at each scrape. */
  metrics?(): readonly ProviderMetricSample[];
  /** Releases what the provider keeps across clients (logins, connection pools) at shutdown. */
  close?(): Promise<void>;
}
