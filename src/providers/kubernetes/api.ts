// The few calls of the Kubernetes API the provider makes on the remote
// cluster (Secrets in one namespace, SelfSubjectRulesReview and
// SelfSubjectAccessReview), over undici with the store's own TLS and
// credentials. No client-go: the provider must not share the controller's
// credentials or connection pool, and owning the transport lets one undici
// Agent keep its connections across ExternalSecrets.
//
// Failures become ProviderErrors whose messages name the server, the
// namespace, the verb and what RBAC is missing; response bodies are never
// passed on, only the apiserver's Status message for 401/403/404/409 (which
// names users, resources and namespaces, never data).
import type { Dispatcher, Response } from "undici";
import { lazy } from "../../esutils/lazy.ts";
import { ProviderError } from "../errors.ts";

/**
 * undici (100+ modules), imported by the first kubernetes client or request rather
 * than at start-up: an idle controller without such stores does not need it
 * (start-up memory). Memoized; `import type` from undici stays free.
 */
export const undici = lazy(() => import("undici"));

/** A Secret as the apiserver returns it. */
export interface SecretResource {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
  [key: string]: unknown;
}

/** The decoded view the provider works on. */
export interface RemoteSecret {
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly data: ReadonlyMap<string, Uint8Array>;
  /** undefined when the Secret has none (Go's nil map, JSON `null`). */
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
  readonly resource: SecretResource;
}

export type Verb = "get" | "list" | "create" | "update" | "delete";

export interface Operation {
  readonly verb: Verb;
  readonly resource: string;
  readonly group: string;
  readonly namespace: string;
  readonly name?: string | undefined;
}

/** Adds the Authorization header; `refused` says whether a retry may help (a new token). */
export interface Authorizer {
  header(): Promise<string | undefined>;
  refused(header: string | undefined): boolean;
}

export interface ApiOptions {
  readonly server: string;
  readonly dispatcher: Dispatcher | undefined;
  readonly authorizer: Authorizer;
  /** Which credentials (for messages). */
  readonly description: string;
  readonly timeoutMs?: number | undefined;
  readonly onRequest?: ((verb: Verb) => void) | undefined;
}

interface SecretList {
  readonly items?: SecretResource[];
  readonly metadata?: { readonly continue?: string };
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

interface Status {
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes?: readonly { field?: string; reason?: string }[] };
}

/** A non-2xx answer, with its HTTP status (401 and 403 both map to AuthFailed). */
export class ApiFailure extends ProviderError {
  readonly status: number;

  constructor(
    status: number,
    code: ConstructorParameters<typeof ProviderError>[0],
    message: string,
  ) {
    super(code, message);
    this.name = "ApiFailure";
    this.status = status;
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const LIST_PAGE = 500;

export function decodeSecret(resource: SecretResource): RemoteSecret {
  const data = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(resource.data ?? {})) {
    data.set(k, new Uint8Array(Buffer.from(v, "base64")));
  }
  return {
    name: resource.metadata?.name ?? "",
    namespace: resource.metadata?.namespace ?? "",
    type: resource.type ?? "Opaque",
    data,
    labels: resource.metadata?.labels,
    annotations: resource.metadata?.annotations,
    resource,
  };
}

export function encodeData(data: ReadonlyMap<string, Uint8Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of data) out[k] = Buffer.from(v).toString("base64");
  return out;
}

/** client-go's name checks: an empty name would turn a GET into a LIST. */
export function checkName(name: string, what: string): void {
  if (name === "" || name === "." || name === ".." || /[/%]/.test(name)) {
    throw new ProviderError(
      "InvalidValue",
      `${what} "${name}" is not a valid Secret name (empty, ".", "..", or containing "/" or "%")`,
    );
  }
}

function parseStatus(text: string): Status {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null) return parsed;
  } catch {
    // a proxy's HTML page: nothing to say about it
  }
  return {};
}

function clip(text: string): string {
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function transportText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return "request timed out";
  const cause = err.cause;
  if (!(cause instanceof Error)) return err.message;
  const code = (cause as { code?: unknown }).code;
  const text = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
  return /CERT|certificate|SSL|TLS|self.signed/i.test(text)
    ? `${text} (check server.caBundle / server.caProvider, or the kubeconfig's certificate-authority-data)`
    : text;
}

const apiserverSays = (s: Status): string =>
  s.message === undefined ? "" : ` (apiserver: ${clip(s.message)})`;

function otherFailure(status: number, s: Status, op: Operation, where: string): ApiFailure {
  if (status === 429) {
    return new ApiFailure(429, "RateLimited", `${op.verb} ${where} was rate-limited (429)`);
  }
  if (status >= 500) {
    return new ApiFailure(
      status,
      "Unavailable",
      `${op.verb} ${where} failed (${status})${apiserverSays(s)}`,
    );
  }
  const detail = status === 409 || status === 404 ? apiserverSays(s) : "";
  return new ApiFailure(
    status,
    "ProviderError",
    `${op.verb} ${where} failed (${status} ${s.reason ?? ""})${detail}`,
  );
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

function target(op: Operation): string {
  const what = op.group === "" ? op.resource : `${op.resource}.${op.group}`;
  return op.namespace === "" ? what : `${what} in namespace "${op.namespace}"`;
}

export class KubeApi {
  readonly server: string;
  readonly #options: ApiOptions;

  constructor(options: ApiOptions) {
    this.#options = options;
    this.server = options.server;
  }

  /** A provider error for a non-2xx answer (never with the body, only the Status message). */
  failure(status: number, text: string, op: Operation): ApiFailure {
    const s = parseStatus(text);
    const where = `${target(op)} on ${this.server}`;
    if (status === 401 || status === 403) return this.#denied(status, s, op, where);
    if (status === 422) return this.#invalid(s, op, where);
    return otherFailure(status, s, op, where);
  }

  #denied(status: number, s: Status, op: Operation, where: string): ApiFailure {
    if (status === 401) {
      return new ApiFailure(
        401,
        "AuthFailed",
        `unauthorized (401): ${this.server} rejected ${this.#options.description} on ${op.verb} ${where}: the token or client certificate is invalid, expired, or not issued for this apiserver`,
      );
    }
    const ns = op.namespace === "" ? "cluster-wide" : `in namespace "${op.namespace}"`;
    return new ApiFailure(
      403,
      "AuthFailed",
      `forbidden (403): ${this.#options.description} may not ${op.verb} ${where}; RBAC missing: grant verb "${op.verb}" on resource "${op.resource}" (apiGroup "${op.group}") ${ns} with a Role and RoleBinding for that identity${apiserverSays(s)}`,
    );
  }

  /** 422: name the fields and reasons only (cause messages may quote keys or JSON errors). */
  #invalid(s: Status, op: Operation, where: string): ApiFailure {
    const causes = (s.details?.causes ?? [])
      .map((c) => `${c.field ?? "?"}: ${c.reason ?? "invalid"}`)
      .join("; ");
    const immutable = (s.message ?? "").includes("field is immutable")
      ? " (field is immutable)"
      : "";
    return new ApiFailure(
      422,
      "InvalidValue",
      `the apiserver refused ${op.verb} of Secret "${op.namespace}/${op.name ?? ""}" on ${where} (422 Invalid): ${causes}${immutable}`,
    );
  }

  #headers(authorization: string | undefined, body: unknown): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (authorization !== undefined) headers["authorization"] = authorization;
    if (body !== undefined) headers["content-type"] = "application/json";
    return headers;
  }

  async #fetch(
    req: Request,
    authorization: string | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const { fetch } = await undici();
    const dispatcher = this.#options.dispatcher;
    return fetch(`${this.server}${req.path}`, {
      method: req.method,
      headers: this.#headers(authorization, req.body),
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
      signal,
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
  }

  async #send(req: Request): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = req.signal === undefined ? timeout : AbortSignal.any([req.signal, timeout]);
    const authorizer = this.#options.authorizer;
    const authorization = await authorizer.header();
    const response = await this.#fetch(req, authorization, signal);
    if (response.status !== 401 || !authorizer.refused(authorization)) return response;
    // A cached ServiceAccount token was refused: one retry with a new one.
    await response.body?.cancel();
    return this.#fetch(req, await authorizer.header(), signal);
  }

  async #exchange(req: Request): Promise<{ status: number; text: string }> {
    const response = await this.#send(req);
    return { status: response.status, text: await response.text() };
  }

  #unreachable(op: Operation, err: unknown): ProviderError {
    return new ProviderError(
      "Unavailable",
      `the Kubernetes apiserver ${this.server} is unreachable (${op.verb} ${target(op)}): ${transportText(err)}`,
      { cause: err },
    );
  }

  async #call(op: Operation, req: Request): Promise<{ status: number; text: string }> {
    this.#options.onRequest?.(op.verb);
    const aborted = (): boolean => req.signal?.aborted === true;
    try {
      return await this.#exchange(req);
    } catch (err) {
      if (aborted()) throw err;
      if (isTimeout(err)) throw this.#unreachable(op, err);
      // Most often a pooled keep-alive connection the server had just
      // closed: one more try on a fresh connection, as Go's transport does.
      // Every call here tolerates a repeat (a repeated create answers 409,
      // which the push loop handles).
      try {
        return await this.#exchange(req);
      } catch (again) {
        if (aborted()) throw again;
        throw this.#unreachable(op, again);
      }
    }
  }

  #json(text: string, op: Operation): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ProviderError(
        "ProviderError",
        `${op.verb} ${target(op)} on ${this.server}: the answer is not JSON (is server.url a Kubernetes apiserver?)`,
      );
    }
  }

  static secretsPath(namespace: string, name?: string): string {
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  /** The Secret, or undefined when it does not exist. */
  async getSecret(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<RemoteSecret | undefined> {
    checkName(name, "remote key");
    const op: Operation = { verb: "get", resource: "secrets", group: "", namespace, name };
    const r = await this.#call(op, {
      method: "GET",
      path: KubeApi.secretsPath(namespace, name),
      signal,
    });
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw this.failure(r.status, r.text, op);
    return decodeSecret(this.#json(r.text, op) as SecretResource);
  }

  /** Every Secret of the namespace matching `labelSelector` ("" for all), page by page. */
  async listSecrets(
    namespace: string,
    labelSelector: string,
    signal?: AbortSignal,
  ): Promise<RemoteSecret[]> {
    const op: Operation = { verb: "list", resource: "secrets", group: "", namespace };
    const out: RemoteSecret[] = [];
    let next = "";
    do {
      const query = new URLSearchParams({ limit: String(LIST_PAGE) });
      if (labelSelector !== "") query.set("labelSelector", labelSelector);
      if (next !== "") query.set("continue", next);
      const path = `${KubeApi.secretsPath(namespace)}?${query.toString()}`;
      const r = await this.#call(op, { method: "GET", path, signal });
      if (r.status !== 200) throw this.failure(r.status, r.text, op);
      const list = this.#json(r.text, op) as SecretList;
      for (const item of list.items ?? []) out.push(decodeSecret(item));
      next = list.metadata?.continue ?? "";
    } while (next !== "");
    return out;
  }

  async createSecret(
    namespace: string,
    body: SecretResource,
    signal?: AbortSignal,
  ): Promise<"created" | "exists"> {
    const name = body.metadata?.name ?? "";
    checkName(name, "remote key");
    const op: Operation = { verb: "create", resource: "secrets", group: "", namespace, name };
    const r = await this.#call(op, {
      method: "POST",
      path: KubeApi.secretsPath(namespace),
      body,
      signal,
    });
    if (r.status === 409) return "exists";
    if (r.status !== 201 && r.status !== 200) throw this.failure(r.status, r.text, op);
    return "created";
  }

  /** PUT with the resourceVersion read before: "conflict" when someone wrote in between. */
  async updateSecret(
    namespace: string,
    body: SecretResource,
    signal?: AbortSignal,
  ): Promise<"updated" | "conflict" | "gone"> {
    const name = body.metadata?.name ?? "";
    checkName(name, "remote key");
    const op: Operation = { verb: "update", resource: "secrets", group: "", namespace, name };
    const r = await this.#call(op, {
      method: "PUT",
      path: KubeApi.secretsPath(namespace, name),
      body,
      signal,
    });
    if (r.status === 409) return "conflict";
    if (r.status === 404) return "gone";
    if (r.status !== 200) throw this.failure(r.status, r.text, op);
    return "updated";
  }

  /** false when there was nothing to delete. */
  async deleteSecret(
    namespace: string,
    name: string,
    precondition: string | undefined,
    signal?: AbortSignal,
  ): Promise<"deleted" | "absent" | "conflict"> {
    checkName(name, "remote key");
    const op: Operation = { verb: "delete", resource: "secrets", group: "", namespace, name };
    const body =
      precondition === undefined
        ? undefined
        : {
            apiVersion: "v1",
            kind: "DeleteOptions",
            preconditions: { resourceVersion: precondition },
          };
    const r = await this.#call(op, {
      method: "DELETE",
      path: KubeApi.secretsPath(namespace, name),
      body,
      signal,
    });
    if (r.status === 404) return "absent";
    if (r.status === 409) return "conflict";
    if (r.status !== 200 && r.status !== 202) throw this.failure(r.status, r.text, op);
    return "deleted";
  }

  /** POST of an authorization.k8s.io/v1 review; the parsed status. */
  async review(
    resource: "selfsubjectrulesreviews" | "selfsubjectaccessreviews",
    spec: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const kind =
      resource === "selfsubjectrulesreviews" ? "SelfSubjectRulesReview" : "SelfSubjectAccessReview";
    const op: Operation = {
      verb: "create",
      resource,
      group: "authorization.k8s.io",
      namespace: "",
    };
    const r = await this.#call(op, {
      method: "POST",
      path: `/apis/authorization.k8s.io/v1/${resource}`,
      body: { apiVersion: "authorization.k8s.io/v1", kind, spec },
      signal,
    });
    if (r.status !== 201 && r.status !== 200) throw this.failure(r.status, r.text, op);
    return (this.#json(r.text, op) as { status?: unknown }).status ?? {};
  }
}
