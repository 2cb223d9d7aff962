// Building a request from the store's templates: the URL from the escaped
// data, headers and body from the raw data (as ESO's executeRequest).
import type { GoValue } from "../../template/index.ts";
import { ProviderError } from "../errors.ts";
import type { WebhookRequest } from "./http.ts";
import { renderTemplate, renderText, type Redactor } from "./render.ts";
import type { WebhookSpec } from "./spec.ts";

export interface RequestParts {
  readonly method: string;
  /** Data for the URL (remoteRef values query-escaped). */
  readonly urlData: GoValue;
  /** Data for headers and body. */
  readonly rawData: GoValue;
  /** A body to send instead of the `body` template (ESO's push default). */
  readonly body?: Uint8Array | undefined;
}

const INVALID_HEADER_VALUE = /[\r\n\0]/;

/** The rendered URL; never echoed, it may carry a templated credential. */
export function renderUrl(spec: WebhookSpec, data: GoValue, redactor: Redactor): URL {
  const text = renderText("url", spec.url, data, redactor).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProviderError(
      "InvalidStore",
      "failed to create request: the rendered url is not an absolute URL (check spec.provider.webhook.url)",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProviderError(
      "InvalidStore",
      `failed to create request: unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`,
    );
  }
  return url;
}

function renderHeaders(spec: WebhookSpec, data: GoValue, redactor: Redactor): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, source] of Object.entries(spec.headers ?? {})) {
    const bytes = renderTemplate(`header ${name}`, source, data, redactor);
    const value = Buffer.from(bytes).toString("latin1");
    if (INVALID_HEADER_VALUE.test(value)) {
      throw new ProviderError(
        "InvalidStore",
        `invalid header field value for ${JSON.stringify(name)}: the rendered value contains a line break or NUL`,
      );
    }
    out.push([name, value]);
  }
  return out;
}

function unescapeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Go's client turns user info in the URL into basic auth (unless an
 * Authorization header is set) and never sends it in the URL itself.
 */
function moveUserInfo(url: URL, headers: [string, string][]): void {
  if (url.username === "" && url.password === "") return;
  const user = unescapeUserInfo(url.username);
  const password = unescapeUserInfo(url.password);
  url.username = "";
  url.password = "";
  if (headers.some(([name]) => name.toLowerCase() === "authorization")) return;
  const token = Buffer.from(`${user}:${password}`, "utf8").toString("base64");
  headers.push(["Authorization", `Basic ${token}`]);
}

export function buildRequest(
  spec: WebhookSpec,
  parts: RequestParts,
  redactor: Redactor,
): WebhookRequest {
  const url = renderUrl(spec, parts.urlData, redactor);
  const body = parts.body ?? renderTemplate("body", spec.body, parts.rawData, redactor);
  const headers = renderHeaders(spec, parts.rawData, redactor);
  moveUserInfo(url, headers);
  return { method: parts.method, url, headers, body };
}
