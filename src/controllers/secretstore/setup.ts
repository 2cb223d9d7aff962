// Wiring of the store controllers on a Manager: an informer per kind (shared
// with other controllers that ask for it), watched with a predicate that
// ignores status-only updates, so the controller's own status writes do not
// trigger reconciles.
import {
  anyOf,
  generationChanged,
  labelsOrAnnotationsChanged,
  type Controller,
  type KubeObject,
  type Manager,
  type Predicate,
} from "../../runtime/index.ts";
import type { ControllerDeps, ControllerSetup } from "../common/deps.ts";
import { CLUSTER_SECRET_STORE, SECRET_STORE, type StoreKindConfig } from "./kinds.ts";
import { StoreMetrics } from "./metrics.ts";
import { StoreReconciler, type StoreObject } from "./reconciler.ts";

/** Updates pass only when deletion started or was set (metadata.deletionTimestamp changed). */
export function deletionChanged<T extends KubeObject>(): Predicate<T> {
  return (kind, obj, old) =>
    kind !== "update" || old?.metadata?.deletionTimestamp !== obj.metadata?.deletionTimestamp;
}

/** Adds, deletes, and updates of spec (generation), labels, annotations or deletion. */
export function storeChanged<T extends KubeObject>(): Predicate<T> {
  return anyOf(generationChanged<T>(), labelsOrAnnotationsChanged<T>(), deletionChanged<T>());
}

/** Registers the controller of one store kind; returns it (tests enqueue directly). */
export function setupStoreController(
  mgr: Manager,
  deps: ControllerDeps,
  kind: StoreKindConfig,
): Controller {
  const scoped = kind.resource.namespaced && deps.namespace !== "";
  const informer = mgr.informer<StoreObject>({
    resource: kind.resource,
    ...(scoped ? { namespace: deps.namespace } : {}),
  });
  const controller = mgr.controller({
    name: kind.controllerName,
    concurrency: deps.concurrency,
    reconciler: new StoreReconciler({
      kind,
      deps,
      cache: informer.store,
      metrics: new StoreMetrics(mgr.registry, kind),
    }),
  });
  controller.watch(informer, { predicate: storeChanged() });
  return controller;
}

export const setupSecretStoreController: ControllerSetup = (mgr, deps) => {
  setupStoreController(mgr, deps, SECRET_STORE);
};

export const setupClusterSecretStoreController: ControllerSetup = (mgr, deps) => {
  setupStoreController(mgr, deps, CLUSTER_SECRET_STORE);
};
