// ServiceAccount tokens from the TokenRequest API (auth.serviceAccount),
// kept for most of their lifetime. ESO requests a new token on every
// reconcile (one TokenRequest write per ExternalSecret per refresh); Ferry
// requests one per ServiceAccount and audience set and renews it after two
// thirds of its lifetime, or at once when the remote apiserver refused it.
//
// The cache is keyed by the resolved ServiceAccount: callers resolve the
// reference with the store's namespace rules before asking, so a token is
// only handed to a store that may use that ServiceAccount.
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { ProviderError } from "../errors.ts";

/** ESO's TokenRequest expirationSeconds for this provider. */
export const TOKEN_EXPIRATION_SECONDS = 3600;

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
  readonly audiences: readonly string[];
}

interface Entry {
  readonly token: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

export interface TokenStats {
  tokenRequests: number;
}

function keyOf(ref: ServiceAccountRef): string {
  return `${ref.namespace}/${ref.name}|${[...ref.audiences].sort().join(",")}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class ServiceAccountTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  readonly stats: TokenStats = { tokenRequests: 0 };

  constructor(now: () => number = Date.now, maxEntries = 4096) {
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  /** A valid token for `ref`, requested through `kube` when none is cached. */
  token(kube: KubeAccess, ref: ServiceAccountRef): Promise<string> {
    const key = keyOf(ref);
    const entry = this.#entries.get(key);
    if (entry !== undefined && this.#now() < entry.refreshAt) return Promise.resolve(entry.token);
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending;
    const request = this.#request(kube, ref, key).finally(() => {
      this.#pending.delete(key);
    });
    this.#pending.set(key, request);
    return request;
  }

  /** The remote apiserver refused `token`: the next caller requests a new one. */
  refused(ref: ServiceAccountRef, token: string): void {
    const key = keyOf(ref);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }

  async #request(kube: KubeAccess, ref: ServiceAccountRef, key: string): Promise<string> {
    const issuedAt = this.#now();
    this.stats.tokenRequests++;
    let created;
    try {
      created = await kube.createServiceAccountToken(ref.namespace, ref.name, {
        audiences: ref.audiences,
        expirationSeconds: TOKEN_EXPIRATION_SECONDS,
      });
    } catch (err) {
      throw new ProviderError(
        "AuthFailed",
        `could not fetch Auth.ServiceAccount: cannot create a token for ServiceAccount "${ref.namespace}/${ref.name}" (TokenRequest): ${describe(err)}`,
        { cause: err },
      );
    }
    if (created.token === "") {
      throw new ProviderError(
        "AuthFailed",
        `the TokenRequest for ServiceAccount "${ref.namespace}/${ref.name}" returned no token`,
      );
    }
    const lifetime = Math.max(0, created.expiresAt - issuedAt);
    this.#remember(key, {
      token: created.token,
      expiresAt: created.expiresAt,
      refreshAt: issuedAt + (lifetime * 2) / 3,
    });
    return created.token;
  }

  #remember(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    for (const [k, e] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && e.expiresAt > this.#now()) break;
      this.#entries.delete(k);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
