// One webhook exchange, with the behaviour of the Go http.Client ESO uses:
// redirects are followed (at most 10; 301/302/303 turn the request into a
// GET without body; Authorization and cookies are dropped when the
// redirect leaves the host), and `timeout` bounds the whole exchange,
// response body included. Ferry adds a bound on the response size and
// never puts a URL (it may carry a templated credential), a header value
// or a response body into an error.
import { STATUS_CODES } from "node:http";
import type { Dispatcher } from "undici";
import { formatGoDuration } from "../../esutils/go-duration.ts";
import { lazy } from "../../esutils/lazy.ts";
import { ProviderError } from "../errors.ts";

export interface WebhookRequest {
  readonly method: string;
  readonly url: URL;
  /** Header names and values; values are byte strings (one char per byte). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

export interface ExchangeOptions {
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** How messages name the endpoint (scheme://host:port, never the path or query). */
  readonly endpoint: string;
  /** The caller's signal (reconcile cancelled). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * undici (100+ modules), imported by the first webhook client or request rather
 * than at start-up: an idle controller without such stores does not need it
 * (start-up memory). Memoized; `import type` from undici stays free.
 */
export const undici = lazy(() => import("undici"));

const MAX_REDIRECTS = 10;
const SENSITIVE_ON_REDIRECT = new Set(["authorization", "www-authenticate", "cookie", "cookie2"]);
/** Framing headers the transport sets itself (Go ignores them in Request.Header too). */
const TRANSPORT_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "trailer",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
  "te",
  "proxy-connection",
]);
const TLS_CODES =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_)/;

/** scheme://host[:port] of a URL: safe to show (no path, query or user info). */
export function endpointOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/** "500 Internal Server Error" (the standard text, not the server's). */
export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_ABORTED") return code;
  }
  return undefined;
}

function transportError(err: unknown, opts: ExchangeOptions, timeout: AbortSignal): unknown {
  if (opts.signal?.aborted === true) return err;
  if (timeout.aborted || errorCode(err)?.startsWith("UND_ERR_HEADERS_TIMEOUT") === true) {
    return new ProviderError(
      "Unavailable",
      `request to ${opts.endpoint} timed out after ${formatGoDuration(opts.timeoutMs)} (raise spec.provider.webhook.timeout if the endpoint is slow)`,
    );
  }
  if (err instanceof ProviderError) return err;
  const code = errorCode(err) ?? "request failed";
  if (TLS_CODES.test(code)) {
    return new ProviderError(
      "Unavailable",
      `failed to call endpoint ${opts.endpoint}: TLS verification failed (${code}); set caBundle or caProvider to the CA of the server certificate`,
    );
  }
  return new ProviderError("Unavailable", `failed to call endpoint ${opts.endpoint}: ${code}`);
}

/** Reads at most `max` bytes of a response body; more is an error, not a truncation. */
async function readBounded(
  body: AsyncIterable<Uint8Array> & { destroy(): unknown },
  declaredLength: string | undefined,
  opts: ExchangeOptions,
): Promise<Uint8Array> {
  const tooLarge = (): ProviderError =>
    new ProviderError(
      "InvalidValue",
      `the response of ${opts.endpoint} is larger than ${opts.maxResponseBytes} bytes, the most Ferry reads`,
    );
  if (declaredLength !== undefined && Number(declaredLength) > opts.maxResponseBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > opts.maxResponseBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function sameOrSubdomain(next: URL, first: URL): boolean {
  const d = next.hostname.toLowerCase();
  const i = first.hostname.toLowerCase();
  return d === i || d.endsWith(`.${i}`);
}

/** The request a redirect leads to (Go's redirect rules), or an error. */
function redirected(
  req: WebhookRequest,
  first: URL,
  status: number,
  location: string,
): WebhookRequest {
  let url: URL;
  try {
    url = new URL(location, req.url);
  } catch {
    throw new ProviderError(
      "ProviderError",
      `endpoint ${endpointOf(req.url)} sent an invalid redirect`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProviderError(
      "ProviderError",
      `endpoint ${endpointOf(req.url)} redirected to an unsupported scheme`,
    );
  }
  const keepBody = status === 307 || status === 308;
  const method = keepBody || req.method === "GET" || req.method === "HEAD" ? req.method : "GET";
  const trusted = sameOrSubdomain(url, first);
  const headers = req.headers.filter(
    ([name]) => trusted || !SENSITIVE_ON_REDIRECT.has(name.toLowerCase()),
  );
  return { method, url, headers, body: keepBody ? req.body : new Uint8Array() };
}

function headerList(req: WebhookRequest): string[] {
  const flat: string[] = [];
  for (const [name, value] of req.headers) {
    if (TRANSPORT_HEADERS.has(name.toLowerCase())) continue;
    flat.push(name, value);
  }
  return flat;
}

const single = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[0] : v;

async function once(
  req: WebhookRequest,
  opts: ExchangeOptions,
  signal: AbortSignal,
): Promise<Dispatcher.ResponseData> {
  const { request } = await undici();
  return request(req.url, {
    method: req.method,
    headers: headerList(req),
    ...(req.body.byteLength === 0 ? {} : { body: req.body }),
    dispatcher: opts.dispatcher,
    signal,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
}

/** The Location of a redirect response, undefined for any other response. */
function redirectLocation(res: Dispatcher.ResponseData): string | undefined {
  const isRedirect = res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304;
  return isRedirect ? single(res.headers["location"]) : undefined;
}

async function follow(
  req: WebhookRequest,
  opts: ExchangeOptions,
  signal: AbortSignal,
): Promise<WebhookResponse> {
  let current = req;
  for (let hops = 0; hops <= MAX_REDIRECTS; hops++) {
    const res = await once(current, opts, signal);
    const location = redirectLocation(res);
    if (location === undefined) {
      const body = await readBounded(res.body, single(res.headers["content-length"]), opts);
      return { status: res.statusCode, body };
    }
    await res.body.dump();
    current = redirected(current, req.url, res.statusCode, location);
  }
  throw new ProviderError(
    "ProviderError",
    `endpoint ${opts.endpoint}: stopped after ${MAX_REDIRECTS} redirects`,
  );
}

/** Sends a request, following redirects; returns the final status and body. */
export async function exchange(
  req: WebhookRequest,
  opts: ExchangeOptions,
): Promise<WebhookResponse> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout]);
  try {
    return await follow(req, opts, signal);
  } catch (err) {
    throw transportError(err, opts, timeout);
  }
}
