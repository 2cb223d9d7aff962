// The store's retrySettings, as ESO's Vault client applies them (Vault's Go
// API client over go-retryablehttp):
// - no retrySettings: Vault's defaults, 2 retries, waits between 1 s and
//   1.5 s times the attempt number;
// - retrySettings without maxRetries: no retries ("rely on the
//   reconciliation", as ESO says);
// - retryInterval: the wait is exactly interval × attempt number (the
//   linear backoff with min = max).
// What is retried: transport failures (but not an untrusted certificate,
// which no retry can fix), 429 and 5xx except 501. Logins, KV requests,
// renewals and revocations all go through the same policy.
import type { RetrySettings } from "../../api/index.ts";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import { ProviderError } from "../errors.ts";

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  readonly minWaitMs: number;
  readonly maxWaitMs: number;
}

export const VAULT_DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, minWaitMs: 1000, maxWaitMs: 1500 };

/** The policy of a store's `spec.retrySettings`; a bad retryInterval is an InvalidStore error. */
export function retryPolicy(settings: RetrySettings | undefined): RetryPolicy {
  if (settings === undefined) return VAULT_DEFAULT_RETRY;
  const maxRetries = Math.max(0, settings.maxRetries ?? 0);
  if (settings.retryInterval === undefined) return { ...VAULT_DEFAULT_RETRY, maxRetries };
  let interval: number;
  try {
    interval = parseGoDuration(settings.retryInterval);
  } catch (err) {
    throw new ProviderError(
      "InvalidStore",
      `retrySettings.retryInterval: ${(err as Error).message}`,
    );
  }
  const wait = Math.max(0, interval);
  return { maxRetries, minWaitMs: wait, maxWaitMs: wait };
}

/** The wait before retry number `retry` (1-based): a random point of [min, max], times `retry`. */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const spread = Math.max(0, policy.maxWaitMs - policy.minWaitMs);
  return Math.round((policy.minWaitMs + random() * spread) * retry);
}

export function retryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

// Node's names for certificate verification failures: retrying cannot help.
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/** A transport failure worth another attempt (refused, reset, timeout), not a TLS trust error. */
export function retryableTransportError(err: unknown): boolean {
  // the code sits a few causes down: ProviderError → fetch's TypeError → socket error
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CERTIFICATE_ERROR.test(code)) return false;
  }
  return true;
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
