// How every AWS call is made: counted, retried on throttling/transient
// failures with full-jitter exponential backoff (or the store's fixed
// retryInterval), retried once with fresh STS credentials when AWS says the
// session expired, and reported to an optional hook, so the composition
// root can export the counts as metrics and tests can count calls. Also the
// single-flight + short memo used to coalesce reads.
import { SingleFlight } from "../../esutils/single-flight.ts";
import { ProviderError } from "../errors.ts";
import { errorMessage, isExpiredCredentials, isThrottling, isTransient } from "./sdk.ts";

export type AwsService = "SecretsManager" | "SSM" | "STS";
/** "expired": the request was refused because its STS session had expired. */
export type CallOutcome = "ok" | "error" | "throttled" | "expired";

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
  /** Attempts by "Service.Operation.outcome". */
  readonly outcomes = new Map<string, number>();
  throttled = 0;
  /** Retries after throttling or a transient failure (backoff). */
  retries = 0;
  /** Retries with fresh STS credentials after an expired-session error. */
  credentialRetries = 0;
  /** Reads answered by an in-flight or memoised fetch instead of a new call. */
  coalesced = 0;
  credentialRefreshes = 0;
  credentialCacheHits = 0;
  clientsCreated = 0;

  count(service: AwsService, operation: string): number {
    return this.calls.get(`${service}.${operation}`) ?? 0;
  }

  outcome(service: AwsService, operation: string, outcome: CallOutcome): number {
    return this.outcomes.get(`${service}.${operation}.${outcome}`) ?? 0;
  }

  record(event: AwsCallEvent): void {
    const key = `${event.service}.${event.operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const detailed = `${key}.${event.outcome}`;
    this.outcomes.set(detailed, (this.outcomes.get(detailed) ?? 0) + 1);
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

function outcomeOf(err: unknown): CallOutcome {
  if (isThrottling(err)) return "throttled";
  return isExpiredCredentials(err) ? "expired" : "error";
}

export interface CallTarget {
  readonly service: AwsService;
  /** The AWS operation name, e.g. GetSecretValue. */
  readonly operation: string;
  readonly policy: RetryPolicy;
  /**
   * Drops the cached STS credentials a request started at `startedAt` was
   * signed with (kept when newer ones were fetched meanwhile). Absent for
   * long-lived keys and the SDK default chain: new credentials cannot help.
   */
  readonly refreshCredentials?: ((startedAt: number) => void) | undefined;
}

function finalError(err: unknown, target: CallTarget, attempt: number): unknown {
  if (!isThrottling(err)) return err;
  return new ProviderError(
    "RateLimited",
    `${target.service} ${target.operation} was throttled ${attempt} times in a row (${errorMessage(err)}); the sync is retried later with backoff`,
    { cause: err },
  );
}

interface AttemptState {
  readonly attempt: number;
  readonly refreshed: boolean;
  readonly signal: AbortSignal | undefined;
}

/** What to do after a failed attempt. */
function nextStep(
  err: unknown,
  target: CallTarget,
  state: AttemptState,
): "refresh" | "backoff" | "fail" {
  if (state.signal?.aborted === true) return "fail";
  if (!state.refreshed && target.refreshCredentials !== undefined && isExpiredCredentials(err)) {
    return "refresh";
  }
  const retryable = isThrottling(err) || isTransient(err);
  if (!retryable || state.attempt >= Math.max(1, target.policy.maxAttempts)) return "fail";
  return "backoff";
}

/**
 * One AWS operation with counting and bounded retries: throttling and
 * transient failures back off (retrySettings), an expired STS session is
 * retried once, at once, with fresh credentials (not one of the attempts).
 */
export async function callAws<T>(
  env: CallEnv,
  target: CallTarget,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const { service, operation } = target;
  let refreshed = false;
  for (let attempt = 1; ;) {
    const started = env.now();
    try {
      const result = await fn();
      report(env, { service, operation, outcome: "ok", durationMs: env.now() - started });
      return result;
    } catch (err) {
      report(env, { service, operation, outcome: outcomeOf(err), durationMs: env.now() - started });
      const step = nextStep(err, target, { attempt, refreshed, signal });
      if (step === "fail") throw finalError(err, target, attempt);
      if (step === "refresh") {
        refreshed = true;
        env.stats.credentialRetries++;
        target.refreshCredentials?.(started);
        continue;
      }
      env.stats.retries++;
      await env.sleep(backoff(target.policy, attempt, env.random), signal);
      attempt++;
    }
  }
}

const operationName = (method: string): string => method.charAt(0).toUpperCase() + method.slice(1);

/** How the calls of one pooled port are made. */
export interface PortTarget {
  readonly service: AwsService;
  readonly policy: RetryPolicy;
  readonly refreshCredentials?: ((startedAt: number) => void) | undefined;
}

/**
 * Wraps every method of a port (except checkCredentials and disposal) in
 * callAws. The last argument of a port method is its AbortSignal.
 */
export function instrument<P extends object>(port: P, target: PortTarget, env: CallEnv): P {
  return new Proxy(port, {
    get(wrapped, prop, receiver): unknown {
      const value: unknown = Reflect.get(wrapped, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "checkCredentials") {
        return value;
      }
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => {
        const last = args.at(-1);
        const signal = last instanceof AbortSignal ? last : undefined;
        return callAws(
          env,
          { ...target, operation: operationName(prop) },
          () => method.apply(port, args),
          signal,
        );
      };
    },
  });
}

/**
 * Identical reads share one request, and a success is reused for
 * `windowMs` (esutils' SingleFlight), counted in the AWS stats.
 */
export class Coalescer {
  readonly #flight: SingleFlight;
  readonly #stats: AwsStats;

  constructor(options: {
    windowMs: number;
    now: () => number;
    stats: AwsStats;
    maxEntries?: number;
  }) {
    this.#flight = new SingleFlight({
      windowMs: options.windowMs,
      now: options.now,
      ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    });
    this.#stats = options.stats;
  }

  run<T>(key: string, fetch: () => Promise<T>): Promise<T> {
    const { promise, shared } = this.#flight.run(key, fetch);
    if (shared) this.#stats.coalesced++;
    return promise;
  }

  /** Drops memoised reads whose key starts with `prefix` (after a write). */
  forget(prefix: string): void {
    this.#flight.forget(prefix);
  }

  get size(): number {
    return this.#flight.size;
  }
}
