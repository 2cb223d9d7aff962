// Finds the store an ExternalSecret (or one of its entries) refers to,
// applies ESO's gates — controller class, ClusterSecretStore conditions,
// the "flood gate" (store must be Ready) — and hands out provider clients.
//
// Better than ESO: clients are kept across reconciles per store identity
// (uid + generation, and namespace when the store authenticates per
// namespace) instead of being built and closed on every reconcile, and
// their reads go through a ReadCoalescer shared by every ExternalSecret
// that uses the same client.
import type { SecretStoreRef } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import {
  isClusterStore,
  storeKey,
  type GenericStore,
  type StoreKind,
} from "../../esutils/store.ts";
import type { Ctx, SecretsClient } from "../../providers/provider.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import { coalescedClient, ReadCoalescer } from "./coalescing-client.ts";
import { selectorMatches, type LabelSelector } from "./label-selector.ts";

export type StoreErrorCode = "StoreNotFound" | "StoreNotAllowed" | "StoreNotReady";

export class StoreAccessError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = "StoreAccessError";
    this.code = code;
  }
}

export interface StoreLookup {
  get(kind: StoreKind, namespace: string, name: string): GenericStore | undefined;
  /** Ready condition status of the store ("True", "False", "Unknown", or undefined). */
  readyStatus(store: GenericStore): string | undefined;
  /** The Ready condition's message (the store controller's, never a value). */
  readyMessage?(store: GenericStore): string | undefined;
}

export interface ClientManagerOptions {
  readonly registry: ProviderRegistry;
  readonly stores: StoreLookup;
  /** Labels of a namespace, for ClusterSecretStore conditions. */
  readonly namespaceLabels: (
    namespace: string,
  ) => Promise<Readonly<Record<string, string>> | undefined>;
  readonly kube: KubeAccess;
  readonly controllerClass: string;
  /** ESO's --enable-flood-gate: refuse stores that are not Ready. */
  readonly floodGate: boolean;
  readonly now: () => number;
  /** How long a provider client is reused before a new one is built. */
  readonly clientTtlMs?: number;
}

interface CachedClient {
  readonly client: Promise<SecretsClient>;
  readonly coalescer: ReadCoalescer;
  readonly createdAt: number;
  readonly identity: string;
}

function storeName(kind: StoreKind, namespace: string, name: string): string {
  return kind === "ClusterSecretStore"
    ? `ClusterSecretStore "${name}"`
    : `SecretStore "${namespace}/${name}"`;
}

/**
 * True when any reference-like object in the provider spec (an object with
 * a string `name`) omits `namespace`: the store then resolves it in the
 * namespace of the object that uses it, so its client may not be shared
 * across namespaces. Deliberately wider than the `*Ref` keys (the
 * kubernetes provider's `auth.serviceAccount`, `bearerToken`, `clientCert`
 * are references too): a false positive only costs sharing, a miss would
 * let one namespace use credentials resolved in another.
 */
function hasReferentRefs(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => hasReferentRefs(item));
  const obj = value as Record<string, unknown>;
  if (typeof obj["name"] === "string" && obj["namespace"] === undefined) return true;
  return Object.values(obj).some((v) => hasReferentRefs(v));
}

export class ClientManager {
  readonly #options: ClientManagerOptions;
  readonly #clients = new Map<string, CachedClient>();
  /** Counters of clients already replaced, so readStats() stays cumulative. */
  readonly #retiredStats = { providerReads: 0, sharedReads: 0 };

  constructor(options: ClientManagerOptions) {
    this.#options = options;
  }

  /** The store `ref` names from an object in `namespace` (kind defaults to SecretStore). */
  resolveStore(ref: SecretStoreRef | undefined, namespace: string): GenericStore {
    const kind: StoreKind = ref?.kind ?? "SecretStore";
    const name = ref?.name ?? "";
    const store = this.#options.stores.get(
      kind,
      kind === "ClusterSecretStore" ? "" : namespace,
      name,
    );
    if (store === undefined) {
      throw new StoreAccessError(
        "StoreNotFound",
        `${storeName(kind, namespace, name)} does not exist`,
      );
    }
    return store;
  }

  /** Stores of another controller class are not ours to use (ESO skips the object). */
  isOurs(store: GenericStore): boolean {
    const cls = store.spec.controller ?? "";
    return cls === "" || cls === this.#options.controllerClass;
  }

  /** ESO's ClusterSecretStore `conditions`: namespaces, namespaceSelector, namespaceRegexes (ORed). */
  async checkNamespaceAllowed(store: GenericStore, namespace: string): Promise<void> {
    const conditions = store.spec.conditions ?? [];
    if (!isClusterStore(store) || conditions.length === 0) return;
    const labels = (await this.#options.namespaceLabels(namespace)) ?? {};
    const allowed = conditions.some((c) => {
      const selectors: LabelSelector[] = [
        ...(c.namespaceSelector === undefined ? [] : [c.namespaceSelector]),
        ...(c.namespaces ?? []).map((n) => ({ matchLabels: { "kubernetes.io/metadata.name": n } })),
      ];
      if (selectors.some((s) => selectorMatches(s, labels))) return true;
      return (c.namespaceRegexes ?? []).some((re) => compileGoRegexp(re).test(namespace));
    });
    if (!allowed) {
      throw new StoreAccessError(
        "StoreNotAllowed",
        `using cluster store "${store.metadata.name}" is not allowed from namespace "${namespace}": denied by spec.condition`,
      );
    }
  }

  #checkReady(store: GenericStore, namespace: string): void {
    if (!this.#options.floodGate) return;
    if (this.#options.stores.readyStatus(store) === "True") return;
    const display = storeName(
      store.kind,
      store.metadata.namespace ?? namespace,
      store.metadata.name,
    );
    // Say why, so the ExternalSecret's status names the store's problem
    // ("vault is sealed") and not only the flood gate.
    const why = this.#options.stores.readyMessage?.(store) ?? "";
    throw new StoreAccessError(
      "StoreNotReady",
      why === "" ? `${display} is not ready` : `${display} is not ready: ${why}`,
    );
  }

  /**
   * A client of `store` for an object in `namespace`, whose reads may be
   * served from results younger than `maxAgeMs` (0: fresh, but concurrent
   * identical reads still share one call).
   */
  async client(
    ctx: Ctx,
    store: GenericStore,
    namespace: string,
    maxAgeMs: number,
  ): Promise<SecretsClient> {
    await this.checkNamespaceAllowed(store, namespace);
    this.#checkReady(store, namespace);
    const cached = this.#cached(ctx, store, namespace);
    return coalescedClient(await cached.client, cached.coalescer, maxAgeMs);
  }

  /** One client per store, or per store and namespace when auth depends on the namespace. */
  #cacheKey(store: GenericStore, namespace: string): string {
    // One client per namespace for a ClusterSecretStore whose credentials
    // resolve in the ExternalSecret's namespace (referent), or whose provider
    // shows the namespace to the remote side (webhook's .remoteRef.namespace).
    const perNamespace =
      isClusterStore(store) &&
      (hasReferentRefs(store.spec.provider) ||
        this.#options.registry.forStore(store).clientPerNamespace === true);
    return perNamespace ? `${storeKey(store)}|${namespace}` : storeKey(store);
  }

  #cached(ctx: Ctx, store: GenericStore, namespace: string): CachedClient {
    const key = this.#cacheKey(store, namespace);
    const identity = `${store.metadata.uid ?? ""}/${store.metadata.generation ?? 0}`;
    const now = this.#options.now();
    const existing = this.#clients.get(key);
    const ttl = this.#options.clientTtlMs ?? 5 * 60_000;
    if (existing?.identity === identity && now - existing.createdAt < ttl) return existing;
    if (existing !== undefined) this.#retire(existing);
    const provider = this.#options.registry.forStore(store);
    const clientNamespace = isClusterStore(store)
      ? namespace
      : (store.metadata.namespace ?? namespace);
    const client = provider.newClient(ctx, store, this.#options.kube, clientNamespace);
    const entry: CachedClient = {
      client,
      coalescer: new ReadCoalescer({ now: this.#options.now }),
      createdAt: now,
      identity,
    };
    this.#clients.set(key, entry);
    client.catch(() => {
      if (this.#clients.get(key) === entry) this.#clients.delete(key);
    });
    return entry;
  }

  #retire(entry: CachedClient): void {
    this.#retiredStats.providerReads += entry.coalescer.stats.providerReads;
    this.#retiredStats.sharedReads += entry.coalescer.stats.sharedReads;
    entry.coalescer.clear();
    // Let reads already handed out finish before the client goes away.
    setTimeout(() => {
      entry.client.then((c) => c.close()).catch(() => undefined);
    }, 30_000).unref();
  }

  /** Provider read counters since start, over every client (for metrics and tests). */
  readStats(): { providerReads: number; sharedReads: number } {
    let { providerReads, sharedReads } = this.#retiredStats;
    for (const entry of this.#clients.values()) {
      providerReads += entry.coalescer.stats.providerReads;
      sharedReads += entry.coalescer.stats.sharedReads;
    }
    return { providerReads, sharedReads };
  }

  async close(): Promise<void> {
    const entries = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(entries.map((e) => e.client.then((c) => c.close()).catch(() => undefined)));
  }
}

export function isStoreAccessError(err: unknown): err is StoreAccessError {
  return err instanceof StoreAccessError;
}
