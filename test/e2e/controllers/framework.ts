// Runs `ferry controller` in-process against the test apiserver, for
// controller e2e suites:
//
//   let ctl: TestController;
//   before(async () => { ctl = await startTestController({ storeRequeueIntervalMs: 2000 }); });
//   after(() => ctl.stop());
//
// (Stop it from the suite's own `after`: an `after` registered inside a
// `before` hook runs as soon as that hook ends.)
//
// Options are `ferry controller`'s (ControllerOptions, all optional); the
// kubeconfig is the test environment's; metrics and probes listen on an
// ephemeral port (ctl.address); logs are kept in ctl.logs (and echoed to
// stderr with FERRY_TEST_LOGS=1).
import {
  DEFAULT_CONTROLLER_OPTIONS,
  startController,
  type ControllerOptions,
  type StartHooks,
} from "../../../src/cli/controller/index.ts";
import type { ControllerDeps } from "../../../src/controllers/common/deps.ts";
import {
  createLogger,
  KubeClient,
  type KubeObject,
  type Manager,
  type ResourceRef,
} from "../../../src/runtime/index.ts";
import { eventually, kubeConfig, testEnv } from "../framework/env.ts";

export { installCrds } from "../api/kubectl.ts";
export { ESO } from "../../../src/controllers/common/resources.ts";

export interface TestController {
  readonly mgr: Manager;
  readonly deps: ControllerDeps;
  /** A client of the test apiserver (not the controller's). */
  readonly client: KubeClient;
  /** host:port of /metrics, /healthz and /readyz. */
  readonly address: string;
  readonly logs: string[];
  /** Prometheus text of the controller's registry. */
  metrics(): Promise<string>;
  /** Stops the controller and waits until everything stopped (idempotent). */
  stop(): Promise<void>;
}

// `kubeConfig` replaces the admin credentials (e.g. a ServiceAccount token, rbac.test.ts).
export type TestControllerHooks = Omit<StartHooks, "logger" | "onSetup">;

/** Test defaults: ephemeral ports, short store refresh, debug logs. */
export const TEST_CONTROLLER_OPTIONS: Partial<ControllerOptions> = {
  metricsAddr: "127.0.0.1:0",
  liveAddr: "127.0.0.1:0",
  storeRequeueIntervalMs: 2000,
  logLevel: "debug",
  concurrent: 2,
};

/** A runtime client of the test apiserver. */
export function testClient(): KubeClient {
  return KubeClient.fromKubeConfig(kubeConfig());
}

export async function startTestController(
  options: Partial<ControllerOptions> = {},
  hooks: TestControllerHooks = {},
): Promise<TestController> {
  const logs: string[] = [];
  const echo = process.env["FERRY_TEST_LOGS"] === "1";
  const logger = createLogger({
    level: options.logLevel ?? "debug",
    name: "ferry",
    write: (line) => {
      logs.push(line);
      if (echo) process.stderr.write(line);
    },
  });
  const stopper = new AbortController();
  let wired: { mgr: Manager; deps: ControllerDeps } | undefined;
  let failure: Error | undefined;
  const running = startController(
    {
      ...DEFAULT_CONTROLLER_OPTIONS,
      ...TEST_CONTROLLER_OPTIONS,
      kubeconfig: testEnv().kubernetes.kubeconfig,
      ...options,
    },
    stopper.signal,
    {
      ...hooks,
      logger,
      onSetup: (mgr, deps) => {
        wired = { mgr, deps };
      },
    },
  ).catch((err: unknown) => {
    failure = err instanceof Error ? err : new Error("the controller failed", { cause: err });
  });
  await eventually("the controller to be ready", () =>
    Promise.resolve(failure !== undefined || wired?.mgr.readyz().ok === true),
  );
  if (failure !== undefined) throw failure;
  const { mgr, deps } = wired!;
  let stopped: Promise<void> | undefined;
  return {
    mgr,
    deps,
    client: testClient(),
    address: mgr.addresses.metrics ?? "",
    logs,
    metrics: () => mgr.registry.metrics(),
    stop: () => {
      stopped ??= (async () => {
        stopper.abort();
        await running;
      })();
      return stopped;
    },
  };
}

/** GET that yields undefined on 404. */
export async function getObject<T extends KubeObject>(
  client: KubeClient,
  res: ResourceRef,
  name: string,
  namespace?: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(res, name, namespace === undefined ? {} : { namespace });
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return undefined;
    throw err;
  }
}

export interface CoreEventView {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly source?: { component?: string };
  readonly involvedObject?: { kind?: string; name?: string; namespace?: string };
}

/** Events about the object `kind`/`name` in `namespace` ("default" for cluster-scoped objects). */
export async function eventsFor(
  client: KubeClient,
  namespace: string,
  kind: string,
  name: string,
): Promise<CoreEventView[]> {
  const list = await client.list<KubeObject & CoreEventView>(
    { group: "", version: "v1", resource: "events", namespaced: true },
    { namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=${kind}` },
  );
  return list.items;
}
