// What every Ferry controller gets from the composition root (src/cli): the
// API client, provider access, the flags that shape reconciles, events,
// logs and time. One object, built once per process; reconcilers take it
// in their constructor, setups take it next to the Manager.
//
// Rules for adding a field: it must be process-wide (a flag or a shared
// service), and every field must have a sensible value in unit tests
// (see `testDeps` in deps-testing.ts).
import type { KubeAccess } from "../../esutils/kube-access.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import type { EventRecorder, KubeClient, Logger, Manager } from "../../runtime/index.ts";

/** ESO's default controller class (`--controller-class`). */
export const DEFAULT_CONTROLLER_CLASS = "default";
/** ESO's `--store-requeue-interval` default: 5 minutes. */
export const DEFAULT_STORE_REQUEUE_INTERVAL_MS = 5 * 60_000;

/** ESO's names of event sources (`source.component`), eso-reference.md §11.8. */
export const RecorderName = {
  externalSecret: "external-secrets",
  secretStore: "secret-store",
  clusterSecretStore: "cluster-secret-store",
  pushSecret: "pushsecret",
  clusterPushSecret: "external-secrets-controller",
  clusterExternalSecret: "cluster-external-secret",
} as const;

export interface ControllerDeps {
  /** Direct API access: every write, and reads that must not be cached. */
  readonly client: KubeClient;
  /** Kubernetes reads for providers (direct GETs, 404 ⇒ undefined). */
  readonly kube: KubeAccess;
  /** Implemented providers, by `spec.provider` key. */
  readonly registry: ProviderRegistry;
  /** `--controller-class`: objects whose `spec.controller` is set to another value are skipped. */
  readonly controllerClass: string;
  /** `--store-requeue-interval` in ms: the store refresh when `spec.refreshInterval` is 0/empty. */
  readonly storeRequeueIntervalMs: number;
  /** `--namespace`: "" watches all namespaces, otherwise only this one (namespaced kinds). */
  readonly namespace: string;
  /** `--concurrent`: reconcile workers per controller. */
  readonly concurrency: number;
  /** `--unsafe-allow-generic-targets`: ExternalSecrets may write kinds other than Secret. */
  readonly unsafeAllowGenericTargets: boolean;
  /** `--refresh-time-mode`: "on-change" (quiet, default) or "always" (ESO's status write per refresh). */
  readonly refreshTimeMode: "on-change" | "always";
  /** `--template-left-delimiter` / `--template-right-delimiter` (default `{{` / `}}`). */
  readonly templateDelimiters: { readonly left: string; readonly right: string };
  /** The event recorder of a source component (see RecorderName). */
  recorderFor(component: string): EventRecorder;
  /** The process logger; controllers get a child per reconcile from the runtime. */
  readonly logger: Logger;
  /** Milliseconds since the epoch (status timestamps). */
  now(): number;
  /** In [0, 1): requeue jitter. */
  random(): number;
}

/** Registers a controller (informers, watches, reconciler) on the manager. */
export type ControllerSetup = (mgr: Manager, deps: ControllerDeps) => void;

/**
 * Whether this controller instance handles an object whose `spec.controller`
 * is `specController`: empty means every controller, otherwise it must equal
 * `--controller-class` (ESO's ShouldProcessStore).
 */
export function isOwnClass(
  deps: Pick<ControllerDeps, "controllerClass">,
  specController?: string,
): boolean {
  return (
    specController === undefined || specController === "" || specController === deps.controllerClass
  );
}

/** `ms` spread by ±`fraction` (default 10 %) so periodic work does not align. */
export function jitter(ms: number, random: () => number, fraction = 0.1): number {
  if (ms <= 0) return ms;
  return Math.round(ms * (1 - fraction + 2 * fraction * random()));
}
