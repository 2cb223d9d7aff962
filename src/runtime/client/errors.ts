// Typed errors for Kubernetes API calls. The predicates also accept
// @kubernetes/client-node's ApiException (anything with a numeric `code`), so
// callers can use one set of helpers whatever client produced the error.
import type { Status } from "./types.ts";

export interface KubeApiErrorDetails {
  readonly code: number;
  readonly method: string;
  readonly path: string;
  readonly status?: Status | undefined;
  readonly retryAfterSeconds?: number | undefined;
  readonly cause?: unknown;
}

/** A non-2xx answer from the apiserver. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  readonly code: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  readonly status: Status | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(details: KubeApiErrorDetails) {
    const reason = details.status?.reason ?? "";
    const text = details.status?.message ?? `HTTP ${details.code}`;
    super(`${details.method} ${details.path}: ${text}`, { cause: details.cause });
    this.code = details.code;
    this.reason = reason;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The request never got an HTTP answer (connection refused, reset, TLS, aborted). */
export class KubeTransportError extends Error {
  override readonly name = "KubeTransportError";

  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/** A caller broke the client's contract (e.g. a namespaced read without a namespace). */
export class KubeUsageError extends Error {
  override readonly name = "KubeUsageError";
}

export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number") return code;
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  return typeof statusCode === "number" ? statusCode : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

export function isConflict(err: unknown): boolean {
  return statusCodeOf(err) === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return isConflict(err) && (err as { reason?: unknown }).reason === "AlreadyExists";
}

export function isGone(err: unknown): boolean {
  return statusCodeOf(err) === 410;
}

export function isTooManyRequests(err: unknown): boolean {
  return statusCodeOf(err) === 429;
}

export function isForbidden(err: unknown): boolean {
  return statusCodeOf(err) === 403;
}

export function isInvalid(err: unknown): boolean {
  return statusCodeOf(err) === 422;
}
