// Shares provider reads between ExternalSecrets (performance.md §3 item 2):
// identical concurrent reads through one provider client become one call,
// and a result may serve later reads for a short window. ESO reads the
// provider once per ExternalSecret per refresh; with a ClusterExternalSecret
// fanned out to 1,000 namespaces that is 1,000 reads of the same key.
//
// Only reads are shared, never errors, and never across clients: a client
// is per store identity (and per namespace when the store authenticates per
// namespace), so nothing crosses a tenancy boundary.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import type { Ctx, SecretsClient } from "../../providers/provider.ts";

interface Entry {
  readonly promise: Promise<unknown>;
  settledAt: number | undefined;
  bytes: number;
}

export interface CoalescingOptions {
  readonly now: () => number;
  /** Upper bound on memory held by remembered results. */
  readonly maxBytes?: number;
  /** Results older than this are never reused, whatever a caller asks. */
  readonly maxAgeMs?: number;
}

export interface ReadStats {
  /** Calls that reached the provider. */
  providerReads: number;
  /** Calls served by a shared in-flight call or a remembered result. */
  sharedReads: number;
}

function sizeOf(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Map) {
    let total = 0;
    for (const [k, v] of value as Map<string, Uint8Array>) total += k.length + v.byteLength;
    return total;
  }
  return 0;
}

/** Remembered reads of one provider client. */
export class ReadCoalescer {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<CoalescingOptions>;
  readonly stats: ReadStats = { providerReads: 0, sharedReads: 0 };
  #bytes = 0;

  constructor(options: CoalescingOptions) {
    this.#options = { maxBytes: 64 * 1024 * 1024, maxAgeMs: 5 * 60_000, ...options };
  }

  /**
   * Runs `read` unless an identical read is in flight, or finished less than
   * `maxAgeMs` ago (0: only join in-flight reads).
   */
  read<T>(key: string, maxAgeMs: number, read: () => Promise<T>): Promise<T> {
    const now = this.#options.now();
    const existing = this.#entries.get(key);
    if (existing !== undefined && this.#usable(existing, now, maxAgeMs)) {
      this.stats.sharedReads++;
      return existing.promise as Promise<T>;
    }
    this.#forget(key);
    this.stats.providerReads++;
    const entry: Entry = { promise: read(), settledAt: undefined, bytes: 0 };
    this.#entries.set(key, entry);
    entry.promise.then(
      (value) => {
        entry.settledAt = this.#options.now();
        entry.bytes = sizeOf(value);
        this.#bytes += entry.bytes;
        this.#evictOverflow();
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.promise as Promise<T>;
  }

  #usable(entry: Entry, now: number, maxAgeMs: number): boolean {
    if (entry.settledAt === undefined) return true;
    const age = now - entry.settledAt;
    return age < Math.min(maxAgeMs, this.#options.maxAgeMs);
  }

  #forget(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(key);
  }

  #evictOverflow(): void {
    // Oldest first: Map iteration order is insertion order.
    for (const [key, entry] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes) return;
      if (entry.settledAt !== undefined) this.#forget(key);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

function refKey(ref: ExternalSecretDataRemoteRef): string {
  // The value is fetched whole and properties are cheap to re-apply, but
  // providers apply `property` themselves, so it is part of the key.
  return JSON.stringify([ref.key, ref.version ?? "", ref.property ?? "", ref.metadataPolicy ?? ""]);
}

function findKey(find: ExternalSecretFind): string {
  const tags = Object.entries(find.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([
    find.path ?? "",
    find.name?.regexp ?? "",
    tags,
    find.conversionStrategy ?? "",
  ]);
}

/** A SecretsClient whose reads go through a shared ReadCoalescer. */
export function coalescedClient(
  client: SecretsClient,
  coalescer: ReadCoalescer,
  maxAgeMs: number,
): SecretsClient {
  return {
    getSecret: (ctx: Ctx, ref) =>
      coalescer.read(`get:${refKey(ref)}`, maxAgeMs, () => client.getSecret(ctx, ref)),
    getSecretMap: (ctx: Ctx, ref) =>
      coalescer.read(`map:${refKey(ref)}`, maxAgeMs, () => client.getSecretMap(ctx, ref)),
    getAllSecrets: (ctx: Ctx, find) =>
      coalescer.read(`find:${findKey(find)}`, maxAgeMs, () => client.getAllSecrets(ctx, find)),
    pushSecret: (ctx, source, data) => client.pushSecret(ctx, source, data),
    deleteSecret: (ctx, ref) => client.deleteSecret(ctx, ref),
    secretExists: (ctx, ref) => client.secretExists(ctx, ref),
    validate: (ctx) => client.validate(ctx),
    // The shared client is closed by its owner, not by each user.
    close: () => Promise.resolve(),
  };
}
