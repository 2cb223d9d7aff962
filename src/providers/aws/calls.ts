// How every AWS call is made: counted, retried on throttling/transient
// failures with full-jitter exponential backoff (or the store's fixed
// retryInterval), and reported to an optional hook, so the composition root
// can export `provider_api_calls{service,operation,outcome}` and tests can
// count calls. Also the single-flight + short memo used to coalesce reads.
import { ProviderError } from "../errors.ts";
import { errorMessage, isThrottling, isTransient } from "./sdk.ts";

export type AwsService = "SecretsManager" | "SSM" | "STS";
export type CallOutcome = "ok" | "error" | "throttled";

export interface AwsCallEvent {
  readonly service: AwsService;
  /** The AWS operation name, e.g. GetSecretValue. */
  readonly operation: string;
  readonly outcome: CallOutcome;
  readonly durationMs: number;
}

/**
 * Live counters of one provider instance. `calls` counts attempts that
 * reached the SDK (one per HTTP request), keyed "Service.Operation".
 */
export class AwsStats {
  readonly calls = new Map<string, number>();
  throttled = 0;
  retries = 0;
  /** Reads answered by an in-flight or memoised fetch instead of a new call. */
  coalesced = 0;
  credentialRefreshes = 0;
  credentialCacheHits = 0;
  clientsCreated = 0;

  count(service: AwsService, operation: string): number {
    return this.calls.get(`${service}.${operation}`) ?? 0;
  }

  record(event: AwsCallEvent): void {
    const key = `${event.service}.${event.operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (event.outcome === "throttled") this.throttled++;
  }
}

export interface RetryPolicy {
  /** Total attempts, first one included (ESO: retrySettings.maxRetries, default 3). */
  readonly maxAttempts: number;
  /** Fixed delay between attempts (retrySettings.retryInterval); else full jitter. */
  readonly fixedDelayMs?: number | undefined;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000 };

export interface CallEnv {
  readonly stats: AwsStats;
  readonly onCall?: ((event: AwsCallEvent) => void) | undefined;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function backoff(policy: RetryPolicy, attempt: number, random: () => number): number {
  if (policy.fixedDelayMs !== undefined) return policy.fixedDelayMs;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

function report(env: CallEnv, event: AwsCallEvent): void {
  env.stats.record(event);
  env.onCall?.(event);
}

function finalError(
  err: unknown,
  target: { readonly service: AwsService; readonly operation: string },
  attempt: number,
): unknown {
  if (!isThrottling(err)) return err;
  return new ProviderError(
    "RateLimited",
    `${target.service} ${target.operation} was throttled ${attempt} times in a row (${errorMessage(err)}); the sync is retried later with backoff`,
    { cause: err },
  );
}

/** One AWS operation with counting and bounded retries. */
export async function callAws<T>(
  env: CallEnv,
  target: {
    readonly service: AwsService;
    readonly operation: string;
    readonly policy: RetryPolicy;
  },
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const attempts = Math.max(1, target.policy.maxAttempts);
  for (let attempt = 1; ; attempt++) {
    const started = env.now();
    try {
      const result = await fn();
      report(env, { ...target, outcome: "ok", durationMs: env.now() - started });
      return result;
    } catch (err) {
      const throttled = isThrottling(err);
      report(env, {
        service: target.service,
        operation: target.operation,
        outcome: throttled ? "throttled" : "error",
        durationMs: env.now() - started,
      });
      const retryable = throttled || isTransient(err);
      if (!retryable || attempt >= attempts || signal?.aborted === true) {
        throw finalError(err, target, attempt);
      }
      env.stats.retries++;
      await env.sleep(backoff(target.policy, attempt, env.random), signal);
    }
  }
}

const operationName = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1);

/**
 * Wraps every method of a port (except checkCredentials and disposal) in
 * callAws. The last argument of a port method is its AbortSignal.
 */
export function instrument<P extends object>(
  port: P,
  service: AwsService,
  env: CallEnv,
  policy: RetryPolicy,
): P {
  return new Proxy(port, {
    get(target, prop, receiver): unknown {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "checkCredentials") {
        return value;
      }
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        const last = args.at(-1);
        const signal = last instanceof AbortSignal ? last : undefined;
        return callAws(
          env,
          { service, operation: operationName(prop), policy },
          () => method.apply(target, args),
          signal,
        );
      };
    },
  });
}

interface MemoEntry {
  readonly promise: Promise<unknown>;
  /** When the settled value stops being reusable; Infinity while in flight. */
  expiresAt: number;
}

/**
 * Single-flight plus a short result memo. Identical concurrent reads share
 * one request; a successful result is reused for `windowMs` (0: only
 * in-flight sharing). Failures are never memoised.
 */
export class Coalescer {
  readonly #entries = new Map<string, MemoEntry>();
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #stats: AwsStats;
  readonly #maxEntries: number;
  #runs = 0;

  constructor(options: {
    windowMs: number;
    now: () => number;
    stats: AwsStats;
    maxEntries?: number;
  }) {
    this.#windowMs = options.windowMs;
    this.#now = options.now;
    this.#stats = options.stats;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  run<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const now = this.#now();
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing.expiresAt > now) {
      this.#stats.coalesced++;
      return existing.promise as Promise<T>;
    }
    this.#sweep(now);
    const promise = fetch();
    const entry: MemoEntry = { promise, expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(key, entry);
    promise.then(
      () => {
        if (this.#windowMs <= 0) this.#drop(key, entry);
        else entry.expiresAt = this.#now() + this.#windowMs;
      },
      () => {
        this.#drop(key, entry);
      },
    );
    return promise;
  }

  #drop(key: string, entry: MemoEntry): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }

  // Expired values are dropped so secret bytes do not linger past the window.
  #sweep(now: number): void {
    this.#runs++;
    if (this.#entries.size < this.#maxEntries && this.#runs % 64 !== 0) return;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }

  /** Drops memoised reads whose key starts with `prefix` (after a write). */
  forget(prefix: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}
