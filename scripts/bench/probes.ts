// What the controller benchmark measures from outside the controller: the
// etcd revision, the apiserver's /metrics, the controller process (/proc and
// its /metrics), and the bench namespace through watches (no polling).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  KubeConfigTransport,
  KubeClient,
  KubeObject,
  ResourceRef,
} from "../../src/runtime/index.ts";
import { RECOMMENDED_NODE_OPTIONS } from "../../src/cli/controller/node-options.ts";
import {
  apiserverWrites,
  parsePrometheus,
  parseProcStatTicks,
  parseProcStatus,
  type Sample,
} from "./measure.ts";

/** The etcd store revision: every etcd write bumps it by one. */
export async function etcdRevision(etcdUrl: string): Promise<number> {
  const res = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: "POST",
    body: JSON.stringify({ key: "AA==", count_only: true }),
  });
  const body = (await res.json()) as { header?: { revision?: string } };
  return Number(body.header?.revision ?? Number.NaN);
}

/** Mutating apiserver requests so far, by "VERB resource[/sub]". */
export async function apiserverWriteCounts(
  transport: KubeConfigTransport,
): Promise<Map<string, number>> {
  const res = await transport.request({ method: "GET", path: "/metrics" });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  if (res.status !== 200) throw new Error(`apiserver /metrics answered ${String(res.status)}`);
  return apiserverWrites(parsePrometheus(Buffer.concat(chunks).toString("utf8")));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface ControllerSpec {
  readonly repoRoot: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly concurrent: number;
  readonly loglevel: string;
  readonly logFile: string;
  readonly cpuProfDir?: string | undefined;
  /** Run node without RECOMMENDED_NODE_OPTIONS. */
  readonly plainNode: boolean;
}

/** The benchmark's stores and controller use their own class (spec.controller / --controller-class). */
export const BENCH_CONTROLLER_CLASS = "ferry-bench";

/** `ferry controller` as a child process, sampled at 1 Hz. */
export class ControllerProcess {
  readonly #child: ChildProcess;
  readonly metricsUrl: string;
  peakRss = 0;
  #timer: NodeJS.Timeout | undefined;
  #exited = false;

  private constructor(child: ChildProcess, metricsPort: number) {
    this.#child = child;
    this.metricsUrl = `http://127.0.0.1:${String(metricsPort)}/metrics`;
    child.on("exit", () => {
      this.#exited = true;
    });
    this.#timer = setInterval(() => {
      this.sample();
    }, 1000);
  }

  static async start(spec: ControllerSpec): Promise<ControllerProcess> {
    const [metricsPort, livePort] = [await freePort(), await freePort()];
    const log = createWriteStream(spec.logFile, { flags: "a" });
    // The built controller (package.json "bin"), as it runs in production:
    // no type stripping at start-up, no source maps in memory.
    const args = [
      "node",
      "dist/cli/main.js",
      "controller",
      `--kubeconfig=${spec.kubeconfig}`,
      `--metrics-addr=127.0.0.1:${String(metricsPort)}`,
      `--live-addr=127.0.0.1:${String(livePort)}`,
      `--concurrent=${String(spec.concurrent)}`,
      `--namespace=${spec.namespace}`,
      `--loglevel=${spec.loglevel}`,
      `--controller-class=${BENCH_CONTROLLER_CLASS}`,
    ];
    const profile =
      spec.cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${spec.cpuProfDir}`];
    // The flags README "Running in a cluster" recommends (--plain-node: none);
    // FERRY_BENCH_NODE_FLAGS adds more, e.g. "--heapsnapshot-signal=SIGUSR2"
    // to take heap snapshots during a run.
    const recommended = spec.plainNode ? [] : [...RECOMMENDED_NODE_OPTIONS];
    const extra = (process.env["FERRY_BENCH_NODE_FLAGS"] ?? "").split(" ").filter((f) => f !== "");
    args.splice(1, 0, ...recommended, ...profile, ...extra);
    const child = spawn("scripts/with-node24.sh", args, {
      cwd: spec.repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const proc = new ControllerProcess(child, metricsPort);
    await proc.#waitUp();
    return proc;
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  async #waitUp(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.#exited) throw new Error("the controller exited during start-up (see its log)");
      if ((await this.metrics().catch(() => undefined)) !== undefined) return;
      await sleep(200);
    }
    throw new Error("the controller's /metrics did not answer within 60 s");
  }

  async metrics(): Promise<Sample[]> {
    const res = await fetch(this.metricsUrl);
    if (!res.ok) throw new Error(`controller /metrics answered ${String(res.status)}`);
    return parsePrometheus(await res.text());
  }

  /** Reads VmHWM (peak RSS); keeps the last value once the process is gone. */
  sample(): void {
    try {
      const mem = parseProcStatus(readFileSync(`/proc/${String(this.pid)}/status`, "utf8"));
      this.peakRss = Math.max(this.peakRss, mem.hwm);
    } catch {
      // The process has exited.
    }
  }

  /** Resident set size now (bytes), NaN once the process is gone. */
  rss(): number {
    try {
      return parseProcStatus(readFileSync(`/proc/${String(this.pid)}/status`, "utf8")).rss;
    } catch {
      return Number.NaN;
    }
  }

  /** Anonymous and file-backed (the node binary, shared and reclaimable) resident memory, bytes. */
  residentSplit(): { anon: number; file: number } {
    try {
      const text = readFileSync(`/proc/${String(this.pid)}/smaps_rollup`, "utf8");
      const kb = (field: string): number =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN) * 1024;
      return { anon: kb("Pss_Anon"), file: kb("Pss_File") };
    } catch {
      return { anon: Number.NaN, file: Number.NaN };
    }
  }

  /** CPU seconds (user + system) used so far. */
  cpuSeconds(): number {
    try {
      return parseProcStatTicks(readFileSync(`/proc/${String(this.pid)}/stat`, "utf8")) / 100;
    } catch {
      return Number.NaN;
    }
  }

  /** SIGKILL (a crash, as `kill -9`), waiting for the exit; SIGTERM lets it shut down (and write a CPU profile). */
  async kill(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    this.sample();
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => {
      this.#child.once("exit", () => {
        resolve();
      });
    });
    this.#child.kill(signal);
    await exited;
  }
}

export interface Tracked {
  createdAt?: number;
  readyAt?: number;
}

/** Watches one namespace: Ready times of ExternalSecrets, and writes seen per resource. */
export class NamespaceObserver {
  readonly #client: KubeClient;
  readonly #namespace: string;
  readonly #abort = new AbortController();
  readonly tracked = new Map<string, Tracked>();
  /** Watch events (ADDED/MODIFIED/DELETED) per resource: each is one write. */
  readonly writes = new Map<string, number>();
  readyCount = 0;
  #onChange: (() => void) | undefined;

  constructor(client: KubeClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  async start(resources: readonly ResourceRef[]): Promise<void> {
    await Promise.all(resources.map((r) => this.#open(r)));
  }

  stop(): void {
    this.#abort.abort();
  }

  entry(name: string): Tracked {
    let t = this.tracked.get(name);
    if (t === undefined) {
      t = {};
      this.tracked.set(name, t);
    }
    return t;
  }

  /** Resolves once `done()` holds, checked after every watch event. */
  async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out after ${String(timeoutMs / 1000)} s waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.#onChange = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async #open(res: ResourceRef): Promise<void> {
    const list = await this.#client.list(res, { namespace: this.#namespace });
    void this.#loop(res, list.metadata.resourceVersion ?? "");
  }

  #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async #loop(res: ResourceRef, from: string): Promise<void> {
    let rv = from;
    while (!this.#stopped()) {
      try {
        rv = await this.#watchOnce(res, rv);
      } catch (err) {
        if (this.#stopped()) return;
        console.error(`watch ${res.resource}: ${String(err)}; reopening`);
        await sleep(500);
      }
    }
  }

  /** One watch from `rv` until the apiserver ends it; returns the last resourceVersion. */
  async #watchOnce(res: ResourceRef, from: string): Promise<string> {
    let rv = from;
    const stream = await this.#client.watch(res, {
      namespace: this.#namespace,
      resourceVersion: rv,
      allowWatchBookmarks: true,
      signal: this.#abort.signal,
    });
    for await (const ev of stream.events) {
      rv = ev.object.metadata?.resourceVersion ?? rv;
      if (ev.type !== "BOOKMARK" && ev.type !== "ERROR") this.#seen(res, ev.object);
    }
    return rv;
  }

  #seen(res: ResourceRef, obj: KubeObject): void {
    this.writes.set(res.resource, (this.writes.get(res.resource) ?? 0) + 1);
    if (res.resource === "externalsecrets") this.#readiness(obj);
    this.#onChange?.();
  }

  #readiness(obj: KubeObject): void {
    const status = (obj as { status?: { conditions?: { type: string; status: string }[] } }).status;
    const ready =
      status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    const t = this.entry(obj.metadata?.name ?? "");
    if (ready && t.readyAt === undefined) {
      t.readyAt = Date.now();
      this.readyCount++;
    }
  }
}
