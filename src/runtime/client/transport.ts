// HTTP to the apiserver over node:https with one keep-alive agent per
// client. TLS material and credentials come from ClusterCredentials: the
// light loader (kubeconfig.ts) or a client-node KubeConfig (client
// certificates, tokens, exec/OIDC plugins); the connection handling
// is ours so that watches have no built-in 30 s abort (client-node #3020) and
// a stalled watch can be torn down by the informer's watchdog.
import http from "node:http";
import https from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { KubeTransportError } from "./errors.ts";
import type { ClusterCredentials } from "./kubeconfig.ts";

export interface HttpRequest {
  readonly method: string;
  /** Path below the server URL, e.g. `/api/v1/namespaces/default/configmaps`. */
  readonly path: string;
  readonly query?: URLSearchParams | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Must be consumed or destroyed by the caller. */
  readonly body: Readable;
}

export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

/** How long credentials from the kubeconfig (tokens, exec plugins) are reused before asking again. */
const CREDENTIAL_REFRESH_MS = 30_000;

interface Credentials {
  readonly headers: Record<string, string>;
  readonly fetchedAt: number;
}

export class KubeConfigTransport implements Transport {
  readonly #kc: ClusterCredentials;
  readonly #server: URL;
  #agent: http.Agent | undefined;
  #credentials: Credentials | undefined;

  constructor(kc: ClusterCredentials) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null)
      throw new KubeTransportError("the kubeconfig has no current cluster", undefined);
    this.#kc = kc;
    this.#server = new URL(cluster.server);
  }

  get server(): string {
    return this.#server.toString();
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const [agent, credentials] = await Promise.all([this.#getAgent(), this.#getCredentials()]);
    const url = new URL(this.#server.pathname.replace(/\/$/, "") + req.path, this.#server);
    if (req.query !== undefined) url.search = req.query.toString();
    const headers: Record<string, string> = { ...credentials.headers, ...req.headers };
    if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
    const send = url.protocol === "http:" ? http.request : https.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const outgoing = send(
        url,
        { method: req.method, agent, headers, signal: req.signal },
        (res) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        },
      );
      outgoing.on("error", (err) => {
        reject(new KubeTransportError(`${req.method} ${req.path}: ${err.message}`, err));
      });
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  async #getAgent(): Promise<http.Agent> {
    if (this.#agent !== undefined) return this.#agent;
    const opts: https.RequestOptions = {};
    await this.#kc.applyToHTTPSOptions(opts);
    const cluster = this.#kc.getCurrentCluster();
    // Proxies are rare for controllers; client-node's own agent knows them.
    if (cluster?.proxyUrl !== undefined && opts.agent instanceof http.Agent) {
      this.#agent = opts.agent;
      return opts.agent;
    }
    const agentOptions: https.AgentOptions = { keepAlive: true, scheduling: "lifo" };
    copyTls(opts, agentOptions);
    this.#agent =
      this.#server.protocol === "http:"
        ? new http.Agent({ keepAlive: true })
        : new https.Agent(agentOptions);
    return this.#agent;
  }

  async #getCredentials(): Promise<Credentials> {
    const cached = this.#credentials;
    if (cached !== undefined && Date.now() - cached.fetchedAt < CREDENTIAL_REFRESH_MS)
      return cached;
    const opts: https.RequestOptions = {};
    await this.#kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
    }
    if (typeof opts.auth === "string" && opts.auth !== "") {
      headers["authorization"] = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    }
    this.#credentials = { headers, fetchedAt: Date.now() };
    return this.#credentials;
  }
}

function copyTls(from: https.RequestOptions, to: https.AgentOptions): void {
  if (from.ca !== undefined) to.ca = from.ca;
  if (from.cert !== undefined) to.cert = from.cert;
  if (from.key !== undefined) to.key = from.key;
  if (from.pfx !== undefined) to.pfx = from.pfx;
  if (from.passphrase !== undefined) to.passphrase = from.passphrase;
  if (from.rejectUnauthorized !== undefined) to.rejectUnauthorized = from.rejectUnauthorized;
  if (from.servername !== undefined) to.servername = from.servername;
}
