// A thin typed Kubernetes client: JSON in, JSON out, errors typed, at most
// `maxInFlight` requests at once, 429s retried after Retry-After. Namespaced
// reads require a namespace (or an explicit `allNamespaces`), so a missing
// namespace never silently widens a read to the whole cluster.
import { sleep, systemClock, type Clock } from "../clock/index.ts";
import { KubeApiError, KubeTransportError, KubeUsageError } from "./errors.ts";
import { LineSplitter } from "./line-splitter.ts";
import { describeResource, resourcePath, type ResourceRef } from "./resource.ts";
import { Semaphore } from "./semaphore.ts";
import type { ClusterCredentials } from "./kubeconfig.ts";
import { KubeConfigTransport, type HttpResponse, type Transport } from "./transport.ts";
import type { KubeList, KubeObject, Status, WatchEvent } from "./types.ts";

const JSON_TYPE = "application/json";
const METADATA_LIST_ACCEPT = `${JSON_TYPE};as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,${JSON_TYPE}`;
const METADATA_WATCH_ACCEPT = `${JSON_TYPE};as=PartialObjectMetadata;g=meta.k8s.io;v=v1,${JSON_TYPE}`;
const APPLY_TYPE = "application/apply-patch+yaml";
const MERGE_PATCH_TYPE = "application/merge-patch+json";

export interface ClientOptions {
  /** Concurrent non-watch requests; more wait in line. Default 32. */
  readonly maxInFlight?: number;
  /** Retries of a 429 answer before giving up. Default 3. */
  readonly maxThrottleRetries?: number;
  /** Upper bound on a Retry-After wait. Default 30 s. */
  readonly maxRetryAfterMs?: number;
  /** Abort a non-watch request after this long. Default 60 s. */
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  readonly clock?: Clock;
}

export interface NamespaceOption {
  /** Required for namespaced resources unless `allNamespaces` is set. */
  readonly namespace?: string | undefined;
}

export interface ListOptions extends NamespaceOption {
  /** Explicitly list across all namespaces (informers, cluster-wide controllers). */
  readonly allNamespaces?: boolean;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
  readonly resourceVersion?: string | undefined;
  /** Ask for PartialObjectMetadataList: metadata only, never `data`/`spec`. */
  readonly metadataOnly?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface WatchOptions extends Omit<ListOptions, "limit" | "continue"> {
  readonly allowWatchBookmarks?: boolean;
  /** Server-side timeout; the apiserver ends the watch cleanly after it. */
  readonly timeoutSeconds?: number;
}

export interface WriteOptions extends NamespaceOption {
  readonly fieldManager?: string;
  readonly dryRun?: boolean;
  readonly subresource?: string;
  readonly signal?: AbortSignal;
}

export interface ApplyOptions extends WriteOptions {
  readonly fieldManager: string;
  /** Take ownership of conflicting fields (controllers normally force). Default true. */
  readonly force?: boolean;
}

export interface DeleteOptions extends NamespaceOption {
  readonly propagationPolicy?: "Foreground" | "Background" | "Orphan";
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly signal?: AbortSignal;
}

/** An open watch: iterate `events`; `close()` ends it from the caller's side. */
export interface WatchStream<T extends KubeObject> {
  readonly events: AsyncIterable<WatchEvent<T>>;
  close(): void;
}

interface Call {
  readonly method: string;
  readonly path: string;
  readonly query?: URLSearchParams;
  readonly contentType?: string;
  readonly accept?: string;
  readonly body?: string;
  readonly signal?: AbortSignal | undefined;
}

export class KubeClient {
  readonly #transport: Transport;
  readonly #inFlight: Semaphore;
  readonly #maxThrottleRetries: number;
  readonly #maxRetryAfterMs: number;
  readonly #requestTimeoutMs: number;
  readonly #userAgent: string;
  readonly #clock: Clock;

  constructor(transport: Transport, options: ClientOptions = {}) {
    this.#transport = transport;
    this.#inFlight = new Semaphore(options.maxInFlight ?? 32);
    this.#maxThrottleRetries = options.maxThrottleRetries ?? 3;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#userAgent = options.userAgent ?? "ferry";
    this.#clock = options.clock ?? systemClock();
  }

  /** `kc`: a client-node KubeConfig or the light loader's credentials. */
  static fromKubeConfig(kc: ClusterCredentials, options?: ClientOptions): KubeClient {
    return new KubeClient(new KubeConfigTransport(kc), options);
  }

  async get<T extends KubeObject>(
    res: ResourceRef,
    name: string,
    opts: NamespaceOption & { signal?: AbortSignal } = {},
  ): Promise<T> {
    const namespace = requireNamespace(res, opts.namespace, "get");
    return this.#json<T>({
      method: "GET",
      path: resourcePath(res, { namespace, name }),
      signal: opts.signal,
    });
  }

  async list<T extends KubeObject>(res: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const namespace =
      opts.allNamespaces === true ? undefined : requireNamespace(res, opts.namespace, "list");
    const query = selectorQuery(opts);
    setIf(query, "limit", opts.limit);
    setIf(query, "continue", opts.continue);
    setIf(query, "resourceVersion", opts.resourceVersion);
    const list = await this.#json<Omit<KubeList<T>, "items"> & { items?: T[] | null }>({
      method: "GET",
      path: resourcePath(res, { namespace }),
      query,
      accept: opts.metadataOnly === true ? METADATA_LIST_ACCEPT : JSON_TYPE,
      signal: opts.signal,
    });
    // An empty PartialObjectMetadataList comes back with "items": null.
    return { ...list, items: list.items ?? [] };
  }

  async create<T extends KubeObject>(
    res: ResourceRef,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const namespace = requireNamespace(res, opts.namespace ?? obj.metadata?.namespace, "create");
    return this.#json<T>({
      ...writeCall("POST", resourcePath(res, { namespace }), opts),
      body: JSON.stringify(obj),
      contentType: JSON_TYPE,
    });
  }

  /** PUT: optimistic concurrency through `metadata.resourceVersion`. */
  async replace<T extends KubeObject>(
    res: ResourceRef,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const path = this.#objectPath(res, obj, opts);
    return this.#json<T>({
      ...writeCall("PUT", path, opts),
      body: JSON.stringify(obj),
      contentType: JSON_TYPE,
    });
  }

  /** Server-side apply: `obj` carries apiVersion, kind, metadata.name and the fields this manager owns. */
  async apply<T extends KubeObject>(res: ResourceRef, obj: T, opts: ApplyOptions): Promise<T> {
    const path = this.#objectPath(res, obj, opts);
    const call = writeCall("PATCH", path, opts);
    call.query.set("force", String(opts.force ?? true));
    return this.#json<T>({ ...call, body: JSON.stringify(obj), contentType: APPLY_TYPE });
  }

  /** JSON merge patch (RFC 7386); `subresource: "status"` patches `/status`. */
  async mergePatch<T extends KubeObject>(
    res: ResourceRef,
    name: string,
    patch: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const namespace = requireNamespace(res, opts.namespace, "patch");
    const path = resourcePath(res, { namespace, name, subresource: opts.subresource });
    return this.#json<T>({
      ...writeCall("PATCH", path, opts),
      body: JSON.stringify(patch),
      contentType: MERGE_PATCH_TYPE,
    });
  }

  async patchStatus<T extends KubeObject>(
    res: ResourceRef,
    name: string,
    patch: unknown,
    opts: Omit<WriteOptions, "subresource"> = {},
  ): Promise<T> {
    return this.mergePatch<T>(res, name, patch, { ...opts, subresource: "status" });
  }

  async delete(res: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<void> {
    const namespace = requireNamespace(res, opts.namespace, "delete");
    const body: Record<string, unknown> = { kind: "DeleteOptions", apiVersion: "v1" };
    if (opts.propagationPolicy !== undefined) body["propagationPolicy"] = opts.propagationPolicy;
    if (opts.preconditions !== undefined) body["preconditions"] = opts.preconditions;
    await this.#json({
      method: "DELETE",
      path: resourcePath(res, { namespace, name }),
      body: JSON.stringify(body),
      contentType: JSON_TYPE,
      signal: opts.signal,
    });
  }

  /**
   * Opens a watch. Rejects with KubeApiError when the apiserver refuses it
   * (410 for a too-old resourceVersion). Watches do not count against
   * `maxInFlight`: they are long-lived by design.
   */
  async watch<T extends KubeObject>(
    res: ResourceRef,
    opts: WatchOptions = {},
  ): Promise<WatchStream<T>> {
    const namespace =
      opts.allNamespaces === true ? undefined : requireNamespace(res, opts.namespace, "watch");
    const query = selectorQuery(opts);
    query.set("watch", "true");
    setIf(query, "resourceVersion", opts.resourceVersion);
    setIf(query, "timeoutSeconds", opts.timeoutSeconds);
    if (opts.allowWatchBookmarks === true) query.set("allowWatchBookmarks", "true");
    const abort = new AbortController();
    const signal =
      opts.signal === undefined ? abort.signal : AbortSignal.any([abort.signal, opts.signal]);
    const path = resourcePath(res, { namespace });
    const accept = opts.metadataOnly === true ? METADATA_WATCH_ACCEPT : JSON_TYPE;
    const response = await this.#transport.request({
      method: "GET",
      path,
      query,
      headers: this.#headers(accept),
      signal,
    });
    if (response.status !== 200) throw await apiError(response, "GET", path);
    return {
      events: watchEvents<T>(response),
      close: () => {
        abort.abort();
      },
    };
  }

  #objectPath(res: ResourceRef, obj: KubeObject, opts: WriteOptions): string {
    const name = obj.metadata?.name;
    if (name === undefined || name === "")
      throw new KubeUsageError(`${describeResource(res)}: metadata.name is required`);
    const namespace = requireNamespace(res, opts.namespace ?? obj.metadata?.namespace, "write");
    return resourcePath(res, { namespace, name, subresource: opts.subresource });
  }

  #headers(accept: string, contentType?: string): Record<string, string> {
    const headers: Record<string, string> = { accept, "user-agent": this.#userAgent };
    if (contentType !== undefined) headers["content-type"] = contentType;
    return headers;
  }

  async #json<T>(call: Call): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#inFlight.run(() => this.#once<T>(call));
      } catch (err) {
        const wait = this.#throttleWait(err, attempt);
        if (wait === undefined) throw err;
        await sleep(this.#clock, wait, call.signal);
        if (call.signal?.aborted === true) throw err;
      }
    }
  }

  /** How long to wait before retrying a 429, or undefined to give up. */
  #throttleWait(err: unknown, attempt: number): number | undefined {
    if (!(err instanceof KubeApiError) || err.code !== 429 || attempt >= this.#maxThrottleRetries)
      return undefined;
    const seconds = err.retryAfterSeconds ?? 2 ** attempt;
    return Math.min(seconds * 1000, this.#maxRetryAfterMs);
  }

  async #once<T>(call: Call): Promise<T> {
    const timeout = AbortSignal.timeout(this.#requestTimeoutMs);
    const signal = call.signal === undefined ? timeout : AbortSignal.any([timeout, call.signal]);
    const response = await this.#transport.request({
      method: call.method,
      path: call.path,
      query: call.query,
      headers: this.#headers(call.accept ?? JSON_TYPE, call.contentType),
      body: call.body,
      signal,
    });
    if (response.status < 200 || response.status >= 300)
      throw await apiError(response, call.method, call.path);
    const text = await readBody(response, call.method, call.path);
    return (text === "" ? {} : JSON.parse(text)) as T;
  }
}

function writeCall(
  method: string,
  path: string,
  opts: WriteOptions,
): { method: string; path: string; query: URLSearchParams; signal?: AbortSignal } {
  const query = new URLSearchParams();
  setIf(query, "fieldManager", opts.fieldManager);
  if (opts.dryRun === true) query.set("dryRun", "All");
  return opts.signal === undefined
    ? { method, path, query }
    : { method, path, query, signal: opts.signal };
}

function requireNamespace(
  res: ResourceRef,
  namespace: string | undefined,
  verb: string,
): string | undefined {
  if (!res.namespaced) return undefined;
  if (namespace === undefined || namespace === "") {
    throw new KubeUsageError(
      `${verb} ${describeResource(res)}: a namespace is required for namespaced resources`,
    );
  }
  return namespace;
}

function selectorQuery(opts: {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
}): URLSearchParams {
  const query = new URLSearchParams();
  setIf(query, "labelSelector", opts.labelSelector);
  setIf(query, "fieldSelector", opts.fieldSelector);
  return query;
}

function setIf(query: URLSearchParams, key: string, value: string | number | undefined): void {
  if (value !== undefined && value !== "") query.set(key, String(value));
}

async function readBody(response: HttpResponse, method: string, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
  } catch (err) {
    throw new KubeTransportError(`${method} ${path}: reading the response failed`, err);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function apiError(
  response: HttpResponse,
  method: string,
  path: string,
): Promise<KubeApiError> {
  const text = await readBody(response, method, path).catch(() => "");
  let status: Status | undefined;
  try {
    status = JSON.parse(text) as Status;
  } catch {
    status = text === "" ? undefined : { message: text.slice(0, 200) };
  }
  return new KubeApiError({
    code: response.status,
    method,
    path,
    status,
    retryAfterSeconds: retryAfter(response),
  });
}

function retryAfter(response: HttpResponse): number | undefined {
  const raw = response.headers["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

async function* watchEvents<T extends KubeObject>(
  response: HttpResponse,
): AsyncGenerator<WatchEvent<T>> {
  const lines = new LineSplitter();
  try {
    for await (const chunk of response.body) {
      for (const line of lines.push(chunk as Buffer)) yield parseEvent<T>(line);
    }
    const last = lines.flush();
    if (last !== undefined) yield parseEvent<T>(last);
  } finally {
    response.body.destroy();
  }
}

function parseEvent<T extends KubeObject>(line: string): WatchEvent<T> {
  return JSON.parse(line) as WatchEvent<T>;
}
