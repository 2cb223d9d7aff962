// An HTTP proxy on 127.0.0.1 in front of an OpenBao: forwards every request
// unchanged and records its method, path, status and time, so a test counts
// what really reached the server (logins, reads, retries). A test may also
// answer some requests itself (`intercept`), e.g. to play a Vault auth
// method that this OpenBao does not ship.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fetch, type Dispatcher } from "undici";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly at: number;
}

export interface Intercepted {
  readonly status: number;
  readonly body: unknown;
}

export type Interceptor = (
  req: { method: string; path: string; body: string },
  forward: () => Promise<{ status: number; text: string }>,
) => Promise<Intercepted | undefined>;

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding"]);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      resolve(raw);
    });
    req.on("error", reject);
  });
}

export class CountingProxy {
  readonly records: Recorded[] = [];
  readonly #server: Server;
  readonly #upstream: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #intercept: Interceptor | undefined;
  #address = "";

  constructor(
    upstream: string,
    options: { dispatcher?: Dispatcher; intercept?: Interceptor } = {},
  ) {
    this.#upstream = upstream.replace(/\/+$/, "");
    this.#dispatcher = options.dispatcher;
    this.#intercept = options.intercept;
    this.#server = createServer((req, res) => {
      void this.#handle(req).then(
        ({ status, headers, text }) => {
          res.writeHead(status, headers);
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(502, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [`proxy: ${(err as Error).message}`] }));
        },
      );
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.#address = `http://127.0.0.1:${String((this.#server.address() as AddressInfo).port)}`;
    return this;
  }

  get address(): string {
    return this.#address;
  }

  async #handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const body = await readBody(req);
    const forward = async (): Promise<{
      status: number;
      headers: Record<string, string>;
      text: string;
    }> => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(k) && typeof v === "string") headers[k] = v;
      }
      const response = await fetch(`${this.#upstream}${path}`, {
        method,
        headers,
        ...(body === "" ? {} : { body }),
        ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
      });
      const text = await response.text();
      const out: Record<string, string> = {};
      for (const name of ["content-type", "x-vault-index"]) {
        const value = response.headers.get(name);
        if (value !== null) out[name] = value;
      }
      return { status: response.status, headers: out, text };
    };
    const intercepted = await this.#intercept?.({ method, path, body }, forward);
    const result =
      intercepted === undefined
        ? await forward()
        : {
            status: intercepted.status,
            headers: { "content-type": "application/json" },
            text: JSON.stringify(intercepted.body),
          };
    this.records.push({ method, path, status: result.status, at: Date.now() });
    return result;
  }

  /** Recorded requests matching `method` and a path test. */
  count(method: string, path: RegExp | string): number {
    return this.matching(method, path).length;
  }

  matching(method: string, path: RegExp | string): Recorded[] {
    return this.records.filter(
      (r) =>
        r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)),
    );
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }
}
