// Builds and runs the controller process: kubeconfig → client → Manager,
// provider registry, event broadcaster, ControllerDeps, then every enabled
// controller setup. `startController` resolves when `signal` aborts and
// everything stopped, so tests run the controller in-process.
import { existsSync, readFileSync } from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";
import { clientKubeAccess } from "../../controllers/common/kube-access.ts";
import type { ControllerDeps } from "../../controllers/common/deps.ts";
import { newProviderRegistry } from "../../providers/all.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import {
  clientEventSink,
  collectProcessMetrics,
  createLogger,
  EventBroadcaster,
  IdleGc,
  KubeClient,
  loadLightCredentials,
  Manager,
  type ClusterCredentials,
  type LeaderElectionConfig,
  type Logger,
} from "../../runtime/index.ts";
import { DEFAULT_CONTROLLER_OPTIONS, type ControllerOptions } from "./options.ts";
import { registerEventMetrics } from "./event-metrics.ts";
import { missingNodeOptions } from "./node-options.ts";
import { registerProviderMetrics } from "./provider-metrics.ts";
import { controllerSetups, type ControllerSetupEntry } from "./setups.ts";

const SA_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

export interface StartHooks {
  /** Use this instead of loading one from options.kubeconfig / the environment. */
  readonly kubeConfig?: ClusterCredentials;
  readonly logger?: Logger;
  /** Default: `controllerSetups`. */
  readonly setups?: readonly ControllerSetupEntry[];
  /** Default: every provider of providers/all.ts. */
  readonly registry?: ProviderRegistry;
  /** Called once everything is registered, before the manager starts. */
  readonly onSetup?: (mgr: Manager, deps: ControllerDeps) => void;
}

/**
 * --kubeconfig, else $KUBECONFIG, else in-cluster, else ~/.kube/config
 * (controller-runtime's order). The light loader serves the usual cases;
 * client-node (its import alone costs ~50 MiB) is loaded only for
 * kubeconfigs that need it: exec and auth-provider plugins, proxies,
 * several files in $KUBECONFIG.
 */
export async function loadKubeConfig(path: string | undefined): Promise<ClusterCredentials> {
  const light = await loadLightCredentials(path);
  if (light !== undefined) return light;
  const { KubeConfig } = await import("@kubernetes/client-node");
  return loadClientNodeConfig(new KubeConfig(), path);
}

function loadClientNodeConfig(kc: KubeConfig, path: string | undefined): KubeConfig {
  if (path !== undefined && path !== "") kc.loadFromFile(path);
  else if ((process.env["KUBECONFIG"] ?? "") === "" && process.env["KUBERNETES_SERVICE_HOST"])
    kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function leaderElectionNamespace(options: ControllerOptions): string {
  if (options.leaderElectionNamespace !== undefined) return options.leaderElectionNamespace;
  const fromEnv = process.env["POD_NAMESPACE"];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (existsSync(SA_NAMESPACE_FILE)) return readFileSync(SA_NAMESPACE_FILE, "utf8").trim();
  return "default";
}

function leaderElection(options: ControllerOptions): LeaderElectionConfig | undefined {
  if (!options.enableLeaderElection) return undefined;
  return {
    namespace: leaderElectionNamespace(options),
    name: options.leaderElectionId,
    leaseDurationMs: options.leaderElectionLeaseDurationMs,
    renewDeadlineMs: options.leaderElectionRenewDeadlineMs,
    retryPeriodMs: options.leaderElectionRetryPeriodMs,
  };
}

function buildDeps(
  options: ControllerOptions,
  client: KubeClient,
  parts: { broadcaster: EventBroadcaster; logger: Logger; registry: ProviderRegistry },
): ControllerDeps {
  return {
    client,
    kube: clientKubeAccess(client),
    registry: parts.registry,
    controllerClass: options.controllerClass,
    storeRequeueIntervalMs: options.storeRequeueIntervalMs,
    namespace: options.namespace,
    concurrency: options.concurrent,
    unsafeAllowGenericTargets: options.unsafeAllowGenericTargets,
    refreshTimeMode: options.refreshTimeMode,
    templateDelimiters: {
      left: options.templateLeftDelimiter,
      right: options.templateRightDelimiter,
    },
    recorderFor: (component) => parts.broadcaster.recorderFor(component),
    logger: parts.logger,
    now: () => Date.now(),
    random: () => Math.random(),
  };
}

function setUp(
  mgr: Manager,
  deps: ControllerDeps,
  what: { options: ControllerOptions; setups: readonly ControllerSetupEntry[] },
): void {
  for (const entry of what.setups) {
    if (entry.enabled(what.options)) entry.setup(mgr, deps);
    else deps.logger.info("controller disabled by flag", { controller: entry.name });
  }
}

/** Runs the controllers until `signal` aborts; rejects when startup fails. */
/** With node --expose-gc (NODE_OPTIONS), the heap is trimmed after bursts (idle-gc.ts). */
function addIdleGc(mgr: Manager, logger: Logger): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  mgr.add(new IdleGc({ busy: () => mgr.activeWork() > 0, gc, logger }));
}

export async function startController(
  partial: Partial<ControllerOptions>,
  signal: AbortSignal,
  hooks: StartHooks = {},
): Promise<void> {
  const options: ControllerOptions = { ...DEFAULT_CONTROLLER_OPTIONS, ...partial };
  const logger = hooks.logger ?? createLogger({ level: options.logLevel, name: "ferry" });
  const kc = hooks.kubeConfig ?? (await loadKubeConfig(options.kubeconfig));
  // No client-side QPS limiter: --client-burst bounds concurrent requests instead.
  const client = KubeClient.fromKubeConfig(kc, {
    maxInFlight: options.clientBurst,
    userAgent: "ferry-controller",
  });
  const election = leaderElection(options);
  const mgr = new Manager({
    client,
    logger,
    metricsAddr: options.metricsAddr,
    healthAddr: options.liveAddr,
    ...(election === undefined ? {} : { leaderElection: election }),
  });
  // Node's process metrics (RSS, heap, event-loop lag, GC), as ESO exposes Go's.
  collectProcessMetrics(mgr.registry);
  // Normal events wait while reconciles wait for a worker (a burst of new
  // ExternalSecrets): the apiserver's capacity goes to the Secrets first.
  const broadcaster = new EventBroadcaster({
    sink: clientEventSink(client),
    logger,
    busy: () => mgr.backlog() > 0,
  });
  registerEventMetrics(mgr.registry, broadcaster);
  mgr.add(broadcaster);
  addIdleGc(mgr, logger);
  const registry = hooks.registry ?? newProviderRegistry();
  registerProviderMetrics(mgr.registry, registry.all());
  const deps = buildDeps(options, client, { broadcaster, logger, registry });
  setUp(mgr, deps, { options, setups: hooks.setups ?? controllerSetups });
  hooks.onSetup?.(mgr, deps);
  const missing = missingNodeOptions(process.execArgv, process.env["NODE_OPTIONS"]);
  if (missing.length > 0)
    logger.info("for less memory, start node with these flags (NODE_OPTIONS)", { missing });
  logger.info("starting", {
    controllerClass: options.controllerClass,
    namespace: options.namespace === "" ? "(all)" : options.namespace,
    providers: registry.names(),
    leaderElection: options.enableLeaderElection,
  });
  try {
    await mgr.start(signal);
  } finally {
    // Revokes cached provider logins (Vault tokens) and closes connection pools.
    await registry.close();
  }
}
