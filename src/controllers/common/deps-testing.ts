// ControllerDeps for unit tests: a FakeApiServer behind the client, the
// given providers, FakeEventRecorders by component, a settable clock and a
// fixed "random" (no jitter unless asked for).
import { ProviderRegistry } from "../../providers/registry.ts";
import type { Provider } from "../../providers/provider.ts";
import { discardLogger, FakeEventRecorder } from "../../runtime/index.ts";
import {
  DEFAULT_CONTROLLER_CLASS,
  DEFAULT_STORE_REQUEUE_INTERVAL_MS,
  type ControllerDeps,
} from "./deps.ts";
import { FakeApiServer } from "./fake-apiserver.ts";
import { clientKubeAccess } from "./kube-access.ts";

export interface TestDeps {
  readonly deps: ControllerDeps;
  readonly server: FakeApiServer;
  /** The recorder of each component, created on first use. */
  readonly recorders: Map<string, FakeEventRecorder>;
  /** Current time of `deps.now()`; tests may move it. */
  time: number;
}

export interface TestDepsOptions {
  readonly providers?: readonly Provider[];
  readonly server?: FakeApiServer;
  readonly overrides?: Partial<ControllerDeps>;
}

export function testDeps(options: TestDepsOptions = {}): TestDeps {
  const server = options.server ?? new FakeApiServer();
  const client = server.client();
  const recorders = new Map<string, FakeEventRecorder>();
  const t: TestDeps = {
    server,
    recorders,
    time: Date.parse("2026-01-01T00:00:00Z"),
    deps: {
      client,
      kube: clientKubeAccess(client),
      registry: new ProviderRegistry(options.providers ?? []),
      controllerClass: DEFAULT_CONTROLLER_CLASS,
      storeRequeueIntervalMs: DEFAULT_STORE_REQUEUE_INTERVAL_MS,
      namespace: "",
      concurrency: 1,
      unsafeAllowGenericTargets: false,
      refreshTimeMode: "on-change",
      templateDelimiters: { left: "{{", right: "}}" },
      recorderFor: (component) => {
        let rec = recorders.get(component);
        if (rec === undefined) {
          rec = new FakeEventRecorder();
          recorders.set(component, rec);
        }
        return rec;
      },
      logger: discardLogger(),
      now: () => t.time,
      random: () => 0.5,
      ...options.overrides,
    },
  };
  return t;
}
