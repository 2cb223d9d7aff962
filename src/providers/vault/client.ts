// The HTTP side of the Vault provider: one request, Vault's headers, and the
// mapping of transport and status failures to the provider error codes. No
// SDK: Vault's API is small, and owning the transport lets one undici Agent
// (custom CA, client certificate) keep its connections across ExternalSecrets.
//
// Errors never carry response bodies: only Vault's `errors` strings, which
// are messages ("permission denied"), never data.
import type { Dispatcher, RequestInit, Response } from "undici";
import { lazy } from "../../esutils/lazy.ts";
import { ProviderError } from "../errors.ts";
import {
  backoffMs,
  retryableStatus,
  retryableTransportError,
  sleep,
  VAULT_DEFAULT_RETRY,
  type RetryPolicy,
} from "./retry.ts";

export interface VaultStats {
  logins: number;
  renewals: number;
  revocations: number;
  /** KV requests that reached the server (reads, lists, writes, deletes). */
  kvRequests: number;
  /** Reads answered by another caller's in-flight or recent request. */
  coalescedReads: number;
}

export function newStats(): VaultStats {
  return { logins: 0, renewals: 0, revocations: 0, kvRequests: 0, coalescedReads: 0 };
}

export interface HttpOptions {
  readonly address: string;
  /** X-Vault-Namespace of KV requests (Vault Enterprise / OpenBao namespaces). */
  readonly namespace?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Vault's read-your-writes: echo the newest X-Vault-Index back. */
  readonly readYourWrites?: boolean | undefined;
  readonly forwardInconsistent?: boolean | undefined;
  readonly dispatcher?: Dispatcher | undefined;
  readonly timeoutMs?: number | undefined;
  /** The store's retrySettings (default: Vault's client defaults, see retry.ts). */
  readonly retry?: RetryPolicy | undefined;
  /** For tests: the jitter source and the wait between attempts. */
  readonly random?: (() => number) | undefined;
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

export interface VaultRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below /v1/, without a leading slash. */
  readonly path: string;
  readonly token?: string | undefined;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string>> | undefined;
  /** Overrides the KV namespace (auth.namespace for logins). */
  readonly namespace?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** A different transport for this request only (cert auth login). */
  readonly dispatcher?: Dispatcher | undefined;
}

export interface VaultResponse {
  readonly status: number;
  /** The raw body (JSON text, or "" for 204). */
  readonly text: string;
}

/**
 * undici (100+ modules), imported by the first Vault client or request rather
 * than at start-up: an idle controller without such stores does not need it
 * (start-up memory). Memoized; `import type` from undici stays free.
 */
export const undici = lazy(() => import("undici"));

const DEFAULT_TIMEOUT_MS = 30_000;
const INDEX_RETRIES = 3;

/** Vault's `errors` array, as one line, cut short. Never data. */
export function vaultErrors(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) {
      const line = parsed.errors.filter((e) => typeof e === "string").join("; ");
      return line.length > 300 ? `${line.slice(0, 300)}…` : line;
    }
  } catch {
    // not JSON (a proxy's HTML page): say nothing about it
  }
  return "";
}

function causeText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return "request timed out";
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  }
  return err.message;
}

export class VaultHttp {
  readonly address: string;
  readonly #options: HttpOptions;
  #index: string | undefined;

  constructor(options: HttpOptions) {
    this.#options = options;
    this.address = options.address.replace(/\/+$/, "");
  }

  #headers(req: VaultRequest): Record<string, string> {
    const headers: Record<string, string> = { ...this.#options.headers, "X-Vault-Request": "true" };
    if (req.token !== undefined && req.token !== "") headers["X-Vault-Token"] = req.token;
    const namespace = req.namespace ?? this.#options.namespace;
    if (namespace !== undefined && namespace !== "") headers["X-Vault-Namespace"] = namespace;
    if (req.body !== undefined) headers["Content-Type"] = "application/json";
    if (this.#readYourWrites()) this.#consistencyHeaders(headers);
    return headers;
  }

  #consistencyHeaders(headers: Record<string, string>): void {
    if (this.#index !== undefined) headers["X-Vault-Index"] = this.#index;
    // as ESO: the forwarding header needs both flags
    if (this.#options.forwardInconsistent === true && this.#options.readYourWrites === true) {
      headers["X-Vault-Inconsistent"] = "forward-active-node";
    }
  }

  #readYourWrites(): boolean {
    return this.#options.readYourWrites === true || this.#options.forwardInconsistent === true;
  }

  #url(req: VaultRequest): string {
    const url = new URL(`${this.address}/v1/${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  #init(req: VaultRequest): RequestInit {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
    const dispatcher = req.dispatcher ?? this.#options.dispatcher;
    return {
      method: req.method,
      headers: this.#headers(req),
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal,
      // undici's own fetch: Node's bundled one is another undici major,
      // whose fetch cannot drive this package's Agent.
      ...(dispatcher === undefined ? {} : { dispatcher }),
    };
  }

  /**
   * One request, retried as the store's retrySettings say (transport
   * failures, 429, 5xx); a 412 (replica behind the index we sent) is
   * retried briefly on its own.
   */
  async send(req: VaultRequest): Promise<VaultResponse> {
    const policy = this.#options.retry ?? VAULT_DEFAULT_RETRY;
    for (let retry = 1; ; retry++) {
      let response: VaultResponse;
      try {
        response = await this.#sendIndexed(req);
      } catch (err) {
        if (retry > policy.maxRetries || !this.#transportRetry(req, err)) throw err;
        await this.#wait(policy, retry, req.signal);
        continue;
      }
      if (retry > policy.maxRetries || !retryableStatus(response.status)) return response;
      await this.#wait(policy, retry, req.signal);
    }
  }

  #transportRetry(req: VaultRequest, err: unknown): boolean {
    return req.signal?.aborted !== true && retryableTransportError(err);
  }

  #wait(policy: RetryPolicy, retry: number, signal: AbortSignal | undefined): Promise<void> {
    const ms = backoffMs(policy, retry, this.#options.random ?? Math.random);
    return (this.#options.sleep ?? sleep)(ms, signal);
  }

  async #sendIndexed(req: VaultRequest): Promise<VaultResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.#sendOnce(req);
      if (response.status !== 412 || attempt >= INDEX_RETRIES) return response;
      await sleep(50 * 2 ** attempt, req.signal);
    }
  }

  async #sendOnce(req: VaultRequest): Promise<VaultResponse> {
    const { fetch } = await undici();
    let response: Response;
    try {
      response = await fetch(this.#url(req), this.#init(req));
    } catch (err) {
      if (req.signal?.aborted === true) throw err;
      throw new ProviderError(
        "Unavailable",
        `vault server ${this.address} is unreachable: ${causeText(err)}`,
        { cause: err },
      );
    }
    const text = await response.text();
    const index = response.headers.get("X-Vault-Index");
    if (index !== null && this.#readYourWrites()) this.#index = index;
    return { status: response.status, text };
  }

  /** Maps a failed status to a provider error; `what` says which request. */
  failure(response: VaultResponse, what: string): ProviderError {
    const detail = vaultErrors(response.text);
    const suffix = detail === "" ? "" : `: ${detail}`;
    if (response.status === 503 && /sealed/i.test(detail)) {
      return new ProviderError("Unavailable", `vault is sealed (${this.address}); ${what} failed`);
    }
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      return new ProviderError(
        "Unavailable",
        `vault server ${this.address} is unavailable (${response.status}) on ${what}${suffix}`,
      );
    }
    if (response.status === 429) {
      return new ProviderError("RateLimited", `vault rate-limited ${what} (429)${suffix}`);
    }
    if (response.status === 401 || response.status === 403) {
      return new ProviderError("AuthFailed", `permission denied on ${what}${suffix}`);
    }
    return new ProviderError(
      "ProviderError",
      `vault returned ${response.status} on ${what}${suffix}`,
    );
  }
}

/** Parses a JSON body; a body that is not JSON is a provider error. */
export function parseBody(response: VaultResponse, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(response.text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new ProviderError("ProviderError", `vault sent a response that is not JSON on ${what}`);
}
