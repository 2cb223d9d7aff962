// Authenticated requests for one client: the token from the cache, a single
// retry after a 403 with a fresh login (the token may have been revoked or
// expired early), status mapping, and coalesced reads.
import { ProviderError } from "../errors.ts";
import type { VaultHttp, VaultRequest, VaultResponse, VaultStats } from "./client.ts";
import type { SingleFlight } from "../../esutils/single-flight.ts";
import type { KvTransport } from "./kv.ts";

export interface TokenHandle {
  /** A static token (tokenSecretRef) or no auth: nothing to refresh. */
  readonly isStatic: boolean;
  token(): Promise<string>;
  /** The token was refused: drop it from the cache. */
  refused(token: string): void;
}

export interface SessionOptions {
  readonly http: VaultHttp;
  readonly handle: TokenHandle;
  readonly coalescer: SingleFlight;
  /** The token-cache key: reads are shared only under the same credentials. */
  readonly cacheKey: string;
  readonly stats: VaultStats;
  /** "kubernetes auth at auth/kubernetes (role x)", for messages. */
  readonly authDescription: string;
  readonly signal?: AbortSignal | undefined;
}

const PASS_THROUGH = new Set([200, 204, 400, 404, 405, 409, 412]);

export class Session implements KvTransport {
  readonly #o: SessionOptions;

  constructor(options: SessionOptions) {
    this.#o = options;
  }

  get http(): VaultHttp {
    return this.#o.http;
  }

  async #send(req: Omit<VaultRequest, "token">, token: string): Promise<VaultResponse> {
    this.#o.stats.kvRequests++;
    return this.#o.http.send({ ...req, token, signal: req.signal ?? this.#o.signal });
  }

  /** One request; 401/403/429/5xx become errors, other statuses are returned. */
  async request(req: Omit<VaultRequest, "token">, what: string): Promise<VaultResponse> {
    const token = await this.#o.handle.token();
    let response = await this.#send(req, token);
    if (response.status === 403 && !this.#o.handle.isStatic) {
      this.#o.handle.refused(token);
      response = await this.#send(req, await this.#o.handle.token());
    }
    if (PASS_THROUGH.has(response.status)) return response;
    const err = this.#o.http.failure(response, what);
    if (err.code === "AuthFailed") {
      throw new ProviderError(
        "AuthFailed",
        `${err.message} (token from ${this.#o.authDescription})`,
      );
    }
    throw err;
  }

  read(
    path: string,
    query: Readonly<Record<string, string>>,
    what: string,
    fresh = false,
  ): Promise<VaultResponse> {
    if (fresh) return this.request({ method: "GET", path, query }, what);
    const qs = new URLSearchParams(query).toString();
    const key = `${this.#o.cacheKey}\0${path}?${qs}`;
    const { promise, shared } = this.#o.coalescer.run(key, () =>
      this.request({ method: "GET", path, query }, what),
    );
    if (shared) this.#o.stats.coalescedReads++;
    return promise;
  }

  /** Forget remembered reads of these paths (after a write or delete). */
  forget(paths: readonly string[]): void {
    for (const path of paths) this.#o.coalescer.forget(`${this.#o.cacheKey}\0${path}?`);
  }
}
