// provider.kubernetes (eso-reference.md §9.5): Secrets of a remote (or the
// same) cluster, read and written with the store's own credentials: a
// bearer token, a client certificate, a ServiceAccount token from the
// TokenRequest API, or a kubeconfig in a Secret (authRef).
//
// One instance lives as long as the process and keeps, across the clients
// it hands out:
// - sessions (resolved server, CA and credentials) per store identity and,
//   for ClusterSecretStores, per ExternalSecret namespace, for a short TTL,
//   so N clients of one store do not re-read its Secrets N times;
// - one undici Agent (connection pool) per distinct TLS setup;
// - ServiceAccount tokens for most of their lifetime (tokens.ts);
// - the reads in flight, shared by identical reads (inflight.ts).
// The composition root registers it as `kubernetes: () => newKubernetesProvider()`
// and calls close() at shutdown.
import type { Agent } from "undici";
import { isClusterStore, storeKey, type GenericStore } from "../../esutils/store.ts";
import { ProviderError } from "../errors.ts";
import type { Ctx, KubeAccess, Provider, SecretsClient } from "../provider.ts";
import { KubeApi, undici, type Authorizer, type Verb } from "./api.ts";
import { resolveConnection, type Connection, type TlsMaterial } from "./connection.ts";
import { InFlight, type InFlightStats } from "./inflight.ts";
import { ReferentStoreClient } from "../referent-client.ts";
import { KubernetesSecretsClient } from "./secrets-client.ts";
import { isReferentSpec, kubernetesSpec, validateKubernetesStore } from "./spec.ts";
import { ServiceAccountTokens, type ServiceAccountRef, type TokenStats } from "./tokens.ts";

export interface KubernetesProviderOptions {
  /** Per-request timeout (ms, default 30000). */
  readonly requestTimeoutMs?: number;
  /** How long a resolved session (server, CA, credentials) is reused (ms, default 60000). */
  readonly sessionTtlMs?: number;
  /** Upper bound of connection pools kept (default 256; the oldest is closed first). */
  readonly maxAgents?: number;
  readonly now?: () => number;
}

export interface KubernetesStats {
  /** Requests sent to remote apiservers, by verb. */
  readonly requests: Record<Verb, number>;
  /** Reads that reached the apiserver vs. joined one in flight. */
  readonly reads: InFlightStats;
  /** TokenRequests made for auth.serviceAccount. */
  readonly tokens: TokenStats;
}

interface Session {
  readonly api: KubeApi;
  readonly connection: Connection;
  readonly createdAt: number;
}

const MAX_SESSIONS = 4096;

/** A new generation (or resourceVersion) of the store is a new session. */
function storeVersion(store: GenericStore): string {
  const m = store.metadata;
  return `${m.uid ?? ""}@${m.resourceVersion ?? String(m.generation ?? "")}`;
}

function usesDefaults(tls: TlsMaterial): boolean {
  return (
    tls.ca === undefined &&
    tls.cert === undefined &&
    !tls.insecureSkipTlsVerify &&
    tls.servername === undefined
  );
}

interface ConnectOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string | undefined;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

function connectOptions(tls: TlsMaterial): ConnectOptions {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    // Only a kubeconfig in authRef can ask for this (insecure-skip-tls-verify).
    rejectUnauthorized: !tls.insecureSkipTlsVerify,
  };
}

export class KubernetesSecretsProvider implements Provider {
  readonly name = "kubernetes";
  readonly capabilities = "ReadWrite";
  readonly maintenance = "Maintained";
  readonly stats: KubernetesStats;
  readonly #options: KubernetesProviderOptions;
  readonly #now: () => number;
  readonly #reads = new InFlight();
  readonly #tokens: ServiceAccountTokens;
  readonly #agents = new Map<string, Agent>();
  readonly #sessions = new Map<string, Session>();
  readonly #requests: Record<Verb, number> = { get: 0, list: 0, create: 0, update: 0, delete: 0 };
  #closed = false;

  constructor(options: KubernetesProviderOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#tokens = new ServiceAccountTokens(this.#now);
    this.stats = { requests: this.#requests, reads: this.#reads.stats, tokens: this.#tokens.stats };
  }

  validateStore(store: GenericStore): { warnings: string[] } {
    return validateKubernetesStore(store);
  }

  async newClient(
    ctx: Ctx,
    store: GenericStore,
    kube: KubeAccess,
    namespace: string,
  ): Promise<SecretsClient> {
    if (this.#closed)
      throw new ProviderError("Unavailable", "the kubernetes provider is shut down");
    const spec = kubernetesSpec(store);
    if (isReferentSpec(store, spec) && namespace === "") {
      return new ReferentStoreClient(store);
    }
    const session = await this.#session(store, kube, namespace);
    const c = session.connection.credentials;
    // As ESO, a ServiceAccount that cannot get a token fails here, not on the first read.
    if (c.kind === "serviceAccount") await this.#tokens.token(kube, c);
    ctx.log.debug("kubernetes provider client ready", {
      store: storeKey(store),
      server: session.api.server,
      auth: session.connection.description,
    });
    return new KubernetesSecretsClient({
      api: session.api,
      reads: this.#reads,
      identity: session.connection.identity,
      remoteNamespace: spec.remoteNamespace,
      clusterStore: isClusterStore(store),
      description: session.connection.description,
    });
  }

  async #session(store: GenericStore, kube: KubeAccess, namespace: string): Promise<Session> {
    const key = `${storeKey(store)}|${storeVersion(store)}|${isClusterStore(store) ? namespace : ""}`;
    const now = this.#now();
    const cached = this.#sessions.get(key);
    if (cached !== undefined && now - cached.createdAt < (this.#options.sessionTtlMs ?? 60_000)) {
      return cached;
    }
    const connection = await resolveConnection({ store, kube, namespace }, kubernetesSpec(store));
    const dispatcher = await this.#agent(connection.tls);
    const session: Session = {
      api: new KubeApi({
        server: connection.server,
        dispatcher,
        authorizer: this.#authorizer(connection, kube),
        description: connection.description,
        timeoutMs: this.#options.requestTimeoutMs,
        onRequest: (verb) => {
          this.#requests[verb]++;
        },
      }),
      connection,
      createdAt: now,
    };
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    while (this.#sessions.size > MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next();
      if (oldest.done === true) break;
      this.#sessions.delete(oldest.value);
    }
    return session;
  }

  #authorizer(connection: Connection, kube: KubeAccess): Authorizer {
    const c = connection.credentials;
    switch (c.kind) {
      case "none":
        return { header: () => Promise.resolve(undefined), refused: () => false };
      case "bearer": {
        const header = `Bearer ${c.token}`;
        return { header: () => Promise.resolve(header), refused: () => false };
      }
      case "serviceAccount": {
        const ref: ServiceAccountRef = c;
        return {
          header: async () => `Bearer ${await this.#tokens.token(kube, ref)}`,
          refused: (header) => {
            this.#tokens.refused(ref, (header ?? "").replace(/^Bearer /, ""));
            return true;
          },
        };
      }
    }
  }

  /** One Agent per distinct CA / client certificate; the system defaults need none. */
  async #agent(tls: TlsMaterial): Promise<Agent | undefined> {
    if (usesDefaults(tls)) return undefined;
    // undici loads with the first client (start-up memory); no await between
    // the lookup and the insertion below, so one Agent per digest.
    const { Agent } = await undici();
    const existing = this.#agents.get(tls.digest);
    if (existing !== undefined) return existing;
    const agent = new Agent({ connect: connectOptions(tls) });
    this.#agents.set(tls.digest, agent);
    // Forgotten, not closed: clients handed out may still use it; its idle
    // keep-alive sockets close on their own and the Agent is then collected.
    while (this.#agents.size > (this.#options.maxAgents ?? 256)) {
      const oldest = this.#agents.keys().next();
      if (oldest.done === true) break;
      this.#agents.delete(oldest.value);
    }
    return agent;
  }

  /** Closes the connection pools and forgets tokens and sessions. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#sessions.clear();
    this.#tokens.clear();
    await Promise.allSettled([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }
}

export function newKubernetesProvider(
  options: KubernetesProviderOptions = {},
): KubernetesSecretsProvider {
  return new KubernetesSecretsProvider(options);
}
