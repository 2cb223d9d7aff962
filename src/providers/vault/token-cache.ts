// Vault logins, reused for their lease (performance.md §3 item 1). ESO logs
// in on every reconcile and revokes on Close, or with its experimental cache
// still calls lookup-self each time; here a login is kept while more than a
// fifth of its lease is left, renewed (renew-self) when renewable, revoked
// when the store's identity changes (a new store resourceVersion or auth
// Secret) and on close(). Concurrent first logins share one request.
import type { VaultStats } from "./client.ts";

export interface LoginResult {
  readonly token: string;
  /** auth.lease_duration in seconds; 0 means the token does not expire. */
  readonly leaseSeconds: number;
  readonly renewable: boolean;
}

/** How one store identity logs in, renews and revokes. */
export interface TokenOps {
  login(): Promise<LoginResult>;
  renew(token: string): Promise<LoginResult>;
  revoke(token: string): Promise<void>;
}

interface Entry {
  readonly key: string;
  readonly group: string;
  ops: TokenOps;
  current?: { result: LoginResult; obtainedAt: number; renewable: boolean } | undefined;
  inflight?: Promise<string> | undefined;
}

export interface TokenCacheOptions {
  readonly stats: VaultStats;
  readonly now?: () => number;
  /** Refresh when less than this fraction of the lease is left (default 0.2). */
  readonly refreshFraction?: number;
  readonly onError?: (msg: string, err: unknown) => void;
}

export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #stats: VaultStats;
  readonly #now: () => number;
  readonly #fraction: number;
  readonly #onError: (msg: string, err: unknown) => void;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: TokenCacheOptions) {
    this.#stats = options.stats;
    this.#now = options.now ?? Date.now;
    this.#fraction = options.refreshFraction ?? 0.2;
    this.#onError =
      options.onError ??
      ((): void => {
        // revocation failures are not fatal: the token expires anyway
      });
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * A token for `key`. Entries of the same `group` (one store, one referent
   * namespace) under another key are revoked: the store or its credentials
   * changed.
   */
  token(key: string, group: string, ops: TokenOps): Promise<string> {
    this.#evictGroup(group, key);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { key, group, ops };
      this.#entries.set(key, entry);
    } else {
      // the newest ops carry the newest transport; same credentials by key
      entry.ops = ops;
    }
    if (entry.inflight !== undefined) return entry.inflight;
    const fresh = this.#freshToken(entry);
    if (fresh !== undefined) return Promise.resolve(fresh);
    const work = this.#refresh(entry);
    entry.inflight = work;
    const clear = (): void => {
      if (entry.inflight === work) entry.inflight = undefined;
    };
    work.then(clear, clear);
    return work;
  }

  #remainingMs(entry: Entry): number {
    const current = entry.current;
    if (current === undefined) return 0;
    if (current.result.leaseSeconds === 0) return Number.POSITIVE_INFINITY;
    return current.obtainedAt + current.result.leaseSeconds * 1000 - this.#now();
  }

  #freshToken(entry: Entry): string | undefined {
    const current = entry.current;
    if (current === undefined) return undefined;
    const threshold = current.result.leaseSeconds * 1000 * this.#fraction;
    return this.#remainingMs(entry) > threshold ? current.result.token : undefined;
  }

  async #refresh(entry: Entry): Promise<string> {
    const current = entry.current;
    // A renewable token with time left is renewed; renewal keeps the token
    // (no new lease on the server) and costs the same one request.
    if (current?.renewable === true && this.#remainingMs(entry) > 1000) {
      try {
        this.#stats.renewals++;
        const renewed = await entry.ops.renew(current.result.token);
        const before = this.#remainingMs(entry);
        entry.current = {
          result: renewed,
          obtainedAt: this.#now(),
          // when max_ttl caps the renewal, stop renewing and log in next time
          renewable: renewed.renewable && renewed.leaseSeconds * 1000 > before,
        };
        return renewed.token;
      } catch (err) {
        this.#onError("vault token renewal failed; logging in again", err);
      }
    }
    try {
      this.#stats.logins++;
      const result = await entry.ops.login();
      entry.current = { result, obtainedAt: this.#now(), renewable: result.renewable };
      return result.token;
    } catch (err) {
      // a failed login is not cached: the next caller tries again
      if (entry.current === undefined) this.#entries.delete(entry.key);
      throw err;
    }
  }

  /** The token was refused (403): forget it so the next call logs in again. */
  invalidate(key: string, token: string): void {
    const entry = this.#entries.get(key);
    if (entry?.current?.result.token === token) entry.current = undefined;
  }

  #evictGroup(group: string, keep: string): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.group === group && entry.key !== keep) this.#evict(entry);
    }
  }

  #evict(entry: Entry): void {
    this.#entries.delete(entry.key);
    const token = entry.current?.result.token;
    if (token === undefined) return;
    const work = entry.ops
      .revoke(token)
      .then(
        () => {
          this.#stats.revocations++;
        },
        (err: unknown) => {
          this.#onError("vault token revocation failed", err);
        },
      )
      .finally(() => {
        this.#pending.delete(work);
      });
    this.#pending.add(work);
  }

  /** Revokes every cached token (provider shutdown). */
  async close(): Promise<void> {
    const inflight = [...this.#entries.values()].flatMap((e) =>
      e.inflight === undefined ? [] : [e.inflight],
    );
    await Promise.allSettled(inflight);
    for (const entry of [...this.#entries.values()]) this.#evict(entry);
    await Promise.allSettled([...this.#pending]);
  }
}
