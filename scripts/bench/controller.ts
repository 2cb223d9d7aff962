// Controller benchmark (performance.md §4, issue 4): N ExternalSecrets on the
// test environment's real apiserver, one fake SecretStore holding K keys
// shared by all of them, `ferry controller` as a separate process.
//   S1  create N → time to all Ready, p50/p99 create→Ready, writes, provider
//       reads, controller peak RSS and CPU;
//   S2  kill -9 + restart the controller, wait until it has reconciled all N
//       again → writes (target 0) and provider reads;
//   S4  provider reads per distinct key.
import { KubeConfig } from "@kubernetes/client-node";
import { loadavg, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RECOMMENDED_NODE_OPTIONS } from "../../src/cli/controller/node-options.ts";
import { ESO } from "../../src/controllers/common/resources.ts";
import {
  CORE,
  KubeClient,
  KubeConfigTransport,
  Semaphore,
  type KubeObject,
} from "../../src/runtime/index.ts";
import { readTestEnv, repoRoot, type TestEnv } from "../testenv/env-file.ts";
import { installCrds, kubectlOk } from "../../test/e2e/api/kubectl.ts";
import {
  CONTROLLER_NAMESPACE,
  controllerKubeconfig,
  serviceAccountKubeconfig,
} from "../../test/e2e/framework/service-account.ts";
import { deltaOf, percentile, sumOf, type BenchArgs } from "./measure.ts";
import {
  apiserverWriteCounts,
  BENCH_CONTROLLER_CLASS,
  ControllerProcess,
  etcdRevision,
  NamespaceObserver,
  type ControllerSpec,
} from "./probes.ts";

const STORE = "bench-fake";
const READS = "ferry_externalsecret_provider_reads_total";

export interface Cluster {
  readonly env: TestEnv;
  readonly client: KubeClient;
  readonly transport: KubeConfigTransport;
}

interface Snapshot {
  readonly at: number;
  readonly etcd: number;
  readonly apiserver: Map<string, number>;
  readonly observed: Map<string, number>;
}

interface PhaseResult {
  readonly seconds: number;
  readonly etcdWrites: number;
  readonly apiserverWrites: Record<string, number>;
  readonly namespaceWrites: Record<string, number>;
  readonly providerReads: number;
  readonly sharedReads: number;
  readonly controllerPeakRssMiB: number;
  readonly controllerCpuSeconds: number;
  /** At the end of the phase, from the controller's own process metrics. */
  readonly controllerRssEndMiB: number;
  readonly controllerHeapUsedMiB: number;
}

async function snapshot(cluster: Cluster, observer: NamespaceObserver): Promise<Snapshot> {
  const [etcd, apiserver] = await Promise.all([
    etcdRevision(cluster.env.kubernetes.etcdUrl),
    apiserverWriteCounts(cluster.transport),
  ]);
  return { at: Date.now(), etcd, apiserver, observed: new Map(observer.writes) };
}

async function phaseResult(
  cluster: Cluster,
  observer: NamespaceObserver,
  before: Snapshot,
  controller: ControllerProcess,
): Promise<PhaseResult> {
  const after = await snapshot(cluster, observer);
  const metrics = await controller.metrics();
  controller.sample();
  return {
    seconds: (after.at - before.at) / 1000,
    etcdWrites: after.etcd - before.etcd,
    apiserverWrites: Object.fromEntries(deltaOf(before.apiserver, after.apiserver)),
    namespaceWrites: Object.fromEntries(deltaOf(before.observed, after.observed)),
    providerReads: sumOf(metrics, READS, { source: "provider" }),
    sharedReads: sumOf(metrics, READS, { source: "shared" }),
    controllerPeakRssMiB: controller.peakRss / 2 ** 20,
    controllerCpuSeconds: controller.cpuSeconds(),
    controllerRssEndMiB: sumOf(metrics, "process_resident_memory_bytes") / 2 ** 20,
    controllerHeapUsedMiB: sumOf(metrics, "nodejs_heap_size_used_bytes") / 2 ** 20,
  };
}

function externalSecret(namespace: string, i: number, keys: number): object {
  const key = (j: number): string => `key-${String(j % keys)}`;
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: `es-${String(i)}`, namespace },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: STORE },
      target: { name: `es-${String(i)}` },
      data: [
        { secretKey: "a", remoteRef: { key: key(i) } },
        { secretKey: "b", remoteRef: { key: key(i + 1) } },
      ],
    },
  };
}

async function createFixtures(cluster: Cluster, namespace: string, args: BenchArgs): Promise<void> {
  await cluster.client.create(CORE.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace },
  });
  const data = Array.from({ length: args.sharedKeys }, (_, j) => ({
    key: `key-${String(j)}`,
    value: `value-${String(j)}`,
  }));
  await cluster.client.create(ESO.secretStores, {
    apiVersion: "external-secrets.io/v1",
    kind: "SecretStore",
    metadata: { name: STORE, namespace },
    // Its own controller class: another controller on the same cluster (an
    // e2e suite, a developer's) leaves the benchmark's store alone.
    spec: { controller: BENCH_CONTROLLER_CLASS, provider: { fake: { data } } },
  });
}

async function createExternalSecrets(
  cluster: Cluster,
  observer: NamespaceObserver,
  namespace: string,
  args: BenchArgs,
): Promise<void> {
  const gate = new Semaphore(args.createInFlight);
  await Promise.all(
    Array.from({ length: args.n }, async (_, i) => {
      const release = await gate.acquire();
      try {
        observer.entry(`es-${String(i)}`).createdAt = Date.now();
        await cluster.client.create(
          ESO.externalSecrets,
          externalSecret(namespace, i, args.sharedKeys),
        );
      } finally {
        release();
      }
    }),
  );
}

async function storeReady(cluster: Cluster, namespace: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const store = await cluster.client.get<
      KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
    >(ESO.secretStores, STORE, { namespace });
    if (store.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true)
      return;
    await sleep(250);
  }
  throw new Error(`SecretStore ${STORE} did not become Ready within 60 s`);
}

function latencies(observer: NamespaceObserver): { p50: number; p99: number; max: number } {
  const values: number[] = [];
  for (const t of observer.tracked.values()) {
    if (t.createdAt !== undefined && t.readyAt !== undefined) values.push(t.readyAt - t.createdAt);
  }
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) };
}

/** Reconciles of the externalsecret controller finished, and its queue is empty. */
async function waitReconciled(
  controller: ControllerProcess,
  n: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = await controller.metrics();
    const done = sumOf(m, "controller_runtime_reconcile_total", { controller: "externalsecret" });
    const depth = sumOf(m, "workqueue_depth", { name: "externalsecret" });
    if (done >= n && depth === 0) return;
    await sleep(500);
  }
  throw new Error(
    `the restarted controller did not reconcile ${String(n)} ExternalSecrets in time`,
  );
}

function printPhase(title: string, r: PhaseResult): void {
  console.log(`\n${title}`);
  const rows: [string, string][] = [
    ["window", `${r.seconds.toFixed(2)} s`],
    ["etcd writes (revision delta, cluster-wide)", String(r.etcdWrites)],
    ["provider reads (reached the provider)", String(r.providerReads)],
    ["reads served shared (coalesced)", String(r.sharedReads)],
    ["controller peak RSS (VmHWM)", `${r.controllerPeakRssMiB.toFixed(1)} MiB`],
    ["controller CPU (user+sys)", `${r.controllerCpuSeconds.toFixed(1)} s`],
    [
      "controller RSS / JS heap used at the end",
      `${r.controllerRssEndMiB.toFixed(1)} / ${r.controllerHeapUsedMiB.toFixed(1)} MiB`,
    ],
  ];
  for (const [k, v] of rows) console.log(`  ${k.padEnd(44)} ${v}`);
  console.log("  writes seen in the bench namespace (watch events):");
  for (const [k, v] of Object.entries(r.namespaceWrites))
    console.log(`    ${k.padEnd(42)} ${String(v)}`);
  console.log("  apiserver mutating requests (cluster-wide):");
  for (const [k, v] of Object.entries(r.apiserverWrites))
    console.log(`    ${k.padEnd(42)} ${String(v)}`);
}

/**
 * The harness's client. Like the controller, it presents a ServiceAccount
 * token (as clients in a cluster do), not the test environment's admin
 * certificate, which the apiserver verifies again on every request.
 */
export async function connect(): Promise<Cluster> {
  const env = readTestEnv();
  if (env === undefined) throw new Error("no test environment: run `npm run testenv -- up` first");
  await installCrds();
  const kc = new KubeConfig();
  kc.loadFromFile(await harnessKubeconfig(env));
  return {
    env,
    client: KubeClient.fromKubeConfig(kc, { maxInFlight: 64, userAgent: "ferry-bench" }),
    transport: new KubeConfigTransport(kc),
  };
}

const HARNESS_ACCOUNT = "ferry-bench-harness";

async function harnessKubeconfig(env: TestEnv): Promise<string> {
  await kubectlOk([
    "create",
    "namespace",
    CONTROLLER_NAMESPACE,
    "--dry-run=client",
    "-o",
    "yaml",
  ]).then((yaml) => kubectlOk(["apply", "-f", "-"], yaml));
  const account = await kubectlOk([
    "create",
    "serviceaccount",
    HARNESS_ACCOUNT,
    "-n",
    CONTROLLER_NAMESPACE,
    "--dry-run=client",
    "-o",
    "yaml",
  ]);
  await kubectlOk(["apply", "-f", "-"], account);
  const binding = await kubectlOk([
    "create",
    "clusterrolebinding",
    HARNESS_ACCOUNT,
    "--clusterrole=cluster-admin",
    `--serviceaccount=${CONTROLLER_NAMESPACE}:${HARNESS_ACCOUNT}`,
    "--dry-run=client",
    "-o",
    "yaml",
  ]);
  await kubectlOk(["apply", "-f", "-"], binding);
  return serviceAccountKubeconfig(
    CONTROLLER_NAMESPACE,
    HARNESS_ACCOUNT,
    join(env.stateDir, "ferry-bench-harness.kubeconfig"),
  );
}

interface Run {
  readonly cluster: Cluster;
  readonly observer: NamespaceObserver;
  readonly spec: ControllerSpec;
  readonly args: BenchArgs;
}

async function coldConverge(run: Run, controller: ControllerProcess): Promise<PhaseResult> {
  const { cluster, observer, spec, args } = run;
  await storeReady(cluster, spec.namespace);
  const before = await snapshot(cluster, observer);
  await createExternalSecrets(cluster, observer, spec.namespace, args);
  const created = Date.now();
  await observer.until(
    () => observer.readyCount >= args.n,
    args.timeoutMs,
    `${String(args.n)} ExternalSecrets Ready`,
  );
  const result = await phaseResult(cluster, observer, before, controller);
  const lat = latencies(observer);
  printPhase(
    `S1 cold converge: ${String(args.n)} ExternalSecrets, ${String(args.sharedKeys)} shared keys`,
    {
      ...result,
    },
  );
  console.log(`  ${"creates took".padEnd(44)} ${((created - before.at) / 1000).toFixed(2)} s`);
  console.log(
    `  ${"create→Ready p50 / p99 / max".padEnd(44)} ${String(lat.p50)} / ${String(lat.p99)} / ${String(lat.max)} ms`,
  );
  return result;
}

interface Settled {
  readonly seconds: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

/**
 * Steady memory (performance.md S3): RSS once the controller has been idle
 * for a while after S1 (V8 shrinks its heap only after allocation calms
 * down), with all N ExternalSecrets in its caches.
 */
async function settle(run: Run, controller: ControllerProcess): Promise<Settled> {
  await sleep(run.args.settleSeconds * 1000);
  const metrics = await controller.metrics();
  const settled = {
    seconds: run.args.settleSeconds,
    rssMiB: controller.rss() / 2 ** 20,
    heapUsedMiB: sumOf(metrics, "nodejs_heap_size_used_bytes") / 2 ** 20,
  };
  console.log(
    `\nS3-lite settled: ${String(settled.seconds)} s idle after S1, ${String(run.args.n)} ExternalSecrets cached`,
  );
  console.log(
    `  ${"controller RSS / JS heap used".padEnd(44)} ${settled.rssMiB.toFixed(1)} / ${settled.heapUsedMiB.toFixed(1)} MiB`,
  );
  const split = controller.residentSplit();
  console.log(
    `  ${"of the RSS: anonymous / file-backed (node binary)".padEnd(44)} ${(split.anon / 2 ** 20).toFixed(1)} / ${(split.file / 2 ** 20).toFixed(1)} MiB`,
  );
  // Where the resident memory is: V8's committed spaces and memory outside the JS heap.
  const mib = (name: string, labels: Record<string, string> = {}): string =>
    (sumOf(metrics, name, labels) / 2 ** 20).toFixed(1);
  const spaces = ["new", "old", "code", "large_object"]
    .map((space) => `${space} ${mib("nodejs_heap_space_size_total_bytes", { space })}`)
    .join(", ");
  console.log(
    `  ${"V8 heap committed".padEnd(44)} ${mib("nodejs_heap_size_total_bytes")} MiB (${spaces}); external ${mib("nodejs_external_memory_bytes")} MiB`,
  );
  return settled;
}

async function restartConverge(
  run: Run,
  old: ControllerProcess,
): Promise<{ result: PhaseResult; controller: ControllerProcess }> {
  const { cluster, observer, spec, args } = run;
  await sleep(3000); // let trailing events land before the window opens
  const before = await snapshot(cluster, observer);
  // A profiled controller must exit on its own to write its profile.
  await old.kill(spec.cpuProfDir === undefined ? "SIGKILL" : "SIGTERM");
  const controller = await ControllerProcess.start({ ...spec, cpuProfDir: undefined });
  await waitReconciled(controller, args.n, args.timeoutMs);
  await sleep(3000); // writes the reconciles may have issued reach the watch
  const result = await phaseResult(cluster, observer, before, controller);
  printPhase("S2/S3-lite restart: kill -9, start, every ExternalSecret reconciled again", result);
  return { result, controller };
}

export interface ControllerBenchResult {
  readonly n: number;
  readonly sharedKeys: number;
  readonly concurrent: number;
  readonly timeToAllReadySeconds: number;
  readonly createToReadyMs: { p50: number; p99: number; max: number };
  readonly s1: PhaseResult;
  readonly settled: Settled;
  readonly restart: PhaseResult;
  readonly providerReadsPerKeyS1: number;
  readonly load: { before: number[]; after: number[]; cpus: number };
}

/**
 * Waits until the namespaces of earlier runs are gone: deleting 10k
 * ExternalSecrets and Secrets keeps the garbage collector and the apiserver
 * busy for a while, which would slow this run down.
 */
export async function leftoversGone(cluster: Cluster): Promise<void> {
  const deadline = Date.now() + 300_000;
  let said = false;
  for (;;) {
    const list = await cluster.client.list(CORE.namespaces);
    const left = list.items.filter((ns) => ns.metadata?.name?.startsWith("ferry-bench-") === true);
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new Error("earlier benchmark namespaces are still terminating");
    if (!said)
      console.log(
        `waiting for ${String(left.length)} earlier benchmark namespace(s) to be deleted`,
      );
    said = true;
    await sleep(2000);
  }
}

async function cleanup(cluster: Cluster, namespace: string): Promise<void> {
  try {
    await cluster.client.delete(CORE.namespaces, namespace, { propagationPolicy: "Background" });
  } catch (err) {
    console.error(`could not delete namespace ${namespace}: ${String(err)}`);
  }
}

export async function runControllerBench(args: BenchArgs): Promise<ControllerBenchResult> {
  const cluster = await connect();
  const namespace = `ferry-bench-${Date.now().toString(36)}`;
  const loadBefore = loadavg();
  const spec: ControllerSpec = {
    repoRoot,
    // The controller runs as deploy/rbac/controller.yaml's ServiceAccount.
    kubeconfig: await controllerKubeconfig(),
    namespace,
    concurrent: args.concurrent,
    loglevel: args.loglevel,
    logFile: join(tmpdir(), `${namespace}-controller.log`),
    cpuProfDir: args.cpuProfDir,
    plainNode: args.plainNode,
  };
  console.log(
    `controller benchmark (node ${args.plainNode ? "without flags" : RECOMMENDED_NODE_OPTIONS.join(" ")}): N=${String(args.n)} keys=${String(args.sharedKeys)} --concurrent=${String(args.concurrent)} namespace=${namespace}`,
  );
  console.log(
    `load average before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")} on ${String(cpus().length)} CPUs; controller log: ${spec.logFile}`,
  );
  await leftoversGone(cluster);
  const observer = new NamespaceObserver(cluster.client, namespace);
  let controller: ControllerProcess | undefined;
  try {
    await createFixtures(cluster, namespace, args);
    // Only ExternalSecrets (for Ready times): Secrets and Events are counted
    // from the apiserver's metrics, so the harness adds little load.
    await observer.start([ESO.externalSecrets]);
    controller = await ControllerProcess.start(spec);
    const run: Run = { cluster, observer, spec, args };
    const s1 = await coldConverge(run, controller);
    const lat = latencies(observer);
    const settled = await settle(run, controller);
    const restarted = await restartConverge(run, controller);
    controller = restarted.controller;
    return {
      n: args.n,
      sharedKeys: args.sharedKeys,
      concurrent: args.concurrent,
      timeToAllReadySeconds: s1.seconds,
      createToReadyMs: lat,
      s1,
      settled,
      restart: restarted.result,
      providerReadsPerKeyS1: s1.providerReads / args.sharedKeys,
      load: { before: loadBefore, after: loadavg(), cpus: cpus().length },
    };
  } finally {
    observer.stop();
    await controller?.kill();
    await cleanup(cluster, namespace);
    cluster.transport.close();
  }
}
