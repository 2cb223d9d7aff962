// Brings the whole test environment up and down, and reports its state.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { envFilePath, envShell, readTestEnv, stateDir, type TestEnv } from "./env-file.ts";
import { startControlPlane } from "./kubernetes.ts";
import { startMoto } from "./moto.ts";
import { startOpenBao } from "./openbao.ts";
import { isAlive, stopProcess, type Started } from "./processes.ts";
import { httpGet, httpsGet } from "./probes.ts";
import { ensureTools } from "./tools.ts";

export type Log = (line: string) => void;

export interface ComponentStatus {
  readonly name: string;
  readonly healthy: boolean;
  readonly detail: string;
}

async function probe(name: string, check: () => Promise<boolean>): Promise<ComponentStatus> {
  try {
    const healthy = await check();
    return { name, healthy, detail: healthy ? "healthy" : "not healthy" };
  } catch (err) {
    return { name, healthy: false, detail: (err as Error).message };
  }
}

/** Health of every component of a running environment. */
export async function status(env: TestEnv): Promise<ComponentStatus[]> {
  const k = env.kubernetes;
  const tls = { caFile: k.caFile, certFile: k.adminCertFile, keyFile: k.adminKeyFile };
  const processes = Object.entries(env.pids).map(([name, pid]) => ({
    name: `${name} (pid ${pid})`,
    healthy: isAlive(pid),
    detail: isAlive(pid) ? "running" : "not running",
  }));
  const endpoints = await Promise.all([
    probe("etcd /health", async () => (await httpGet(`${k.etcdUrl}/health`)).status === 200),
    probe(
      "kube-apiserver /readyz",
      async () => (await httpsGet(`${k.server}/readyz`, tls)).status === 200,
    ),
    probe(
      "openbao /v1/sys/health",
      async () => (await httpGet(`${env.openbao.address}/v1/sys/health`)).status === 200,
    ),
    probe(
      "moto /moto-api/",
      async () => (await httpGet(`${env.moto.endpoint}/moto-api/`)).status === 200,
    ),
  ]);
  return [...processes, ...endpoints];
}

export async function isHealthy(env: TestEnv): Promise<boolean> {
  return (await status(env)).every((s) => s.healthy);
}

async function stopAll(started: readonly Started[]): Promise<void> {
  // Reverse order: the controller manager and apiserver go before etcd.
  for (const proc of [...started].reverse()) await stopProcess(proc.pid);
}

/**
 * Starts every component on free loopback ports and writes env.json and
 * env.sh. Reuses a healthy running environment. On any failure, stops what
 * it started and rethrows an error that names the component.
 */
export async function up(log: Log): Promise<TestEnv> {
  const dir = stateDir();
  const existing = readTestEnv(dir);
  if (existing !== undefined) {
    if (await isHealthy(existing)) {
      log(`reusing the running test environment (${envFilePath(dir)})`);
      return existing;
    }
    log("an earlier test environment is not healthy; stopping it first");
    await down(log);
  }
  const tools = ensureTools(log);
  const runDir = join(dir, "run");
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(join(runDir, "logs"), { recursive: true });

  const started: Started[] = [];
  const begin = Date.now();
  try {
    const [kubernetes, openbao, moto] = await Promise.all([
      startControlPlane(tools, runDir, started),
      startOpenBao(tools.bao, runDir, started),
      startMoto(tools.motoServer, runDir, started),
    ]);
    const env: TestEnv = {
      version: 1,
      stateDir: dir,
      startedAt: new Date().toISOString(),
      kubernetes,
      openbao,
      moto,
      pids: Object.fromEntries(started.map((p) => [p.name, p.pid])),
    };
    writeFileSync(envFilePath(dir), `${JSON.stringify(env, null, 2)}\n`);
    writeFileSync(join(dir, "env.sh"), envShell(env));
    log(
      `test environment up in ${((Date.now() - begin) / 1000).toFixed(1)}s; logs in ${join(runDir, "logs")}`,
    );
    return env;
  } catch (err) {
    await stopAll(started);
    throw err;
  }
}

/** Stops every recorded process and removes the run directory. */
export async function down(log: Log): Promise<void> {
  const dir = stateDir();
  const env = readTestEnv(dir);
  if (env === undefined) {
    log("no test environment is recorded; nothing to stop");
    return;
  }
  const pids = Object.entries(env.pids).reverse();
  for (const [name, pid] of pids) {
    await stopProcess(pid);
    log(`stopped ${name} (pid ${pid})`);
  }
  rmSync(envFilePath(dir), { force: true });
  rmSync(join(dir, "env.sh"), { force: true });
  rmSync(join(dir, "run"), { recursive: true, force: true });
}
