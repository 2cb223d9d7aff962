// A private OpenBao dev server started by a test on a free loopback port:
// optionally with a TLS listener (bao server -dev -dev-tls, its own CA), a
// known root token and the unseal key read from its output, so a test may
// seal, unseal or stop it without touching the shared test OpenBao.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, fetch } from "undici";
import { eventually } from "../../framework/env.ts";
import { Bao } from "./helpers.ts";

export const REPO = join(import.meta.dirname, "../../../..");
/** The test environment's OpenBao (2.7.2, from .tools/venv). */
export const BAO_BINARY = join(REPO, ".tools/venv/bin/bao");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

export interface BaoServerOptions {
  readonly tls?: boolean;
  readonly binary?: string;
}

export class BaoServer {
  readonly address: string;
  /** The dev CA (PEM) of a TLS server. */
  readonly caPem: string | undefined;
  /** Root-token admin client of this server. */
  readonly bao: Bao;
  readonly dir: string;
  readonly #child: ChildProcess;
  readonly #agent: Agent | undefined;
  readonly #unsealKey: string;

  private constructor(parts: {
    address: string;
    caPem: string | undefined;
    dir: string;
    child: ChildProcess;
    agent: Agent | undefined;
    unsealKey: string;
  }) {
    this.address = parts.address;
    this.caPem = parts.caPem;
    this.dir = parts.dir;
    this.#child = parts.child;
    this.#agent = parts.agent;
    this.#unsealKey = parts.unsealKey;
    this.bao = new Bao(parts.address, "root", parts.agent);
  }

  static async start(options: BaoServerOptions = {}): Promise<BaoServer> {
    const dir = mkdtempSync(join(tmpdir(), "ferry-bao-"));
    const port = await freePort();
    const tls = options.tls === true;
    const address = `${tls ? "https" : "http"}://127.0.0.1:${String(port)}`;
    const args = [
      "server",
      "-dev",
      `-dev-listen-address=127.0.0.1:${String(port)}`,
      "-dev-root-token-id=root",
      ...(tls ? ["-dev-tls", `-dev-tls-cert-dir=${dir}`] : []),
    ];
    // HOME: the dev server stores its token through the token helper there.
    const child = spawn(options.binary ?? BAO_BINARY, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HOME: dir },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let agent: Agent | undefined;
    let caPem: string | undefined;
    try {
      await eventually(`the private OpenBao at ${address} to start`, async () => {
        if (child.exitCode !== null) throw new Error(`bao exited: ${output.slice(-500)}`);
        if (tls && caPem === undefined) {
          try {
            caPem = readFileSync(join(dir, "vault-ca.pem"), "utf8");
          } catch {
            return false;
          }
          agent = new Agent({ connect: { ca: caPem } });
        }
        const r = await fetch(
          `${address}/v1/sys/health`,
          agent === undefined ? {} : { dispatcher: agent },
        );
        await r.body?.cancel();
        return r.status === 200 && /Unseal Key: \S+/.test(output);
      });
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
    const unsealKey = /Unseal Key: (\S+)/.exec(output)?.[1] ?? "";
    return new BaoServer({ address, caPem, dir, child, agent, unsealKey });
  }

  /** The dispatcher trusting this server's CA (undefined for plain HTTP). */
  get agent(): Agent | undefined {
    return this.#agent;
  }

  get caBundle(): string | undefined {
    return this.caPem === undefined ? undefined : Buffer.from(this.caPem).toString("base64");
  }

  async seal(): Promise<void> {
    await this.bao.call("PUT", "sys/seal");
  }

  async unseal(): Promise<void> {
    await this.bao.call("PUT", "sys/unseal", { key: this.#unsealKey });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.running) {
      const exited = new Promise<void>((resolve) => {
        this.#child.once("exit", () => {
          resolve();
        });
      });
      this.#child.kill("SIGTERM");
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  }

  /** Stops the server and removes its files. */
  async close(): Promise<void> {
    await this.stop();
    await this.#agent?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
