// The manager's HTTP endpoints: /metrics (Prometheus text), /healthz
// (liveness) and /readyz (readiness), on node:http.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "../metrics/index.ts";

export interface CheckResult {
  readonly ok: boolean;
  /** Why the check fails; names and counts only, never object contents. */
  readonly reasons: readonly string[];
}

export interface Endpoints {
  readonly metrics?: Registry;
  readonly healthz?: () => CheckResult;
  readonly readyz?: () => CheckResult;
}

/** `:8080` (all interfaces), `127.0.0.1:0` (ephemeral port) or `0` (disabled). */
export function parseBindAddress(
  addr: string,
): { host: string | undefined; port: number } | undefined {
  if (addr === "" || addr === "0") return undefined;
  const colon = addr.lastIndexOf(":");
  const host = colon <= 0 ? undefined : addr.slice(0, colon).replace(/^\[|\]$/g, "");
  const port = Number(colon < 0 ? addr : addr.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`invalid bind address ${addr}`);
  return { host, port };
}

export class EndpointServer {
  readonly #server: http.Server;
  readonly #endpoints: Endpoints;

  constructor(endpoints: Endpoints) {
    this.#endpoints = endpoints;
    this.#server = http.createServer((req, res) => {
      void this.#handle(req, res);
    });
    // Probes and scrapes are short; never let a slow client pin a socket.
    this.#server.requestTimeout = 10_000;
  }

  async listen(addr: string): Promise<string> {
    const bind = parseBindAddress(addr);
    if (bind === undefined) throw new RangeError(`address ${addr} is disabled`);
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(bind.port, bind.host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/metrics" && this.#endpoints.metrics !== undefined) {
        const body = await this.#endpoints.metrics.metrics();
        res.writeHead(200, { "content-type": this.#endpoints.metrics.contentType });
        res.end(body);
        return;
      }
      const check = this.#check(path);
      if (check === undefined) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      const result = check();
      const text = result.ok ? "ok\n" : `${result.reasons.join("\n")}\n`;
      res.writeHead(result.ok ? 200 : 500, { "content-type": "text/plain" }).end(text);
    } catch {
      res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
    }
  }

  #check(path: string): (() => CheckResult) | undefined {
    if (path === "/healthz" || path === "/livez") return this.#endpoints.healthz;
    if (path === "/readyz") return this.#endpoints.readyz;
    return undefined;
  }
}
