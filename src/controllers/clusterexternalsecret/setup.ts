// Wires the ClusterExternalSecret controller (eso-reference.md §11.3):
// informers for ClusterExternalSecrets, ExternalSecrets (shared with the
// ExternalSecret controller) and Namespaces (metadata only, shared too), and
// the watches that map events to ClusterExternalSecret keys:
//   - the ClusterExternalSecret itself, except status-only updates (its own
//     status writes must not wake it);
//   - Namespaces created, deleted, relabelled or starting to terminate, to
//     every ClusterExternalSecret that selects them (before or after the
//     change) or lists them in status: a new namespace gets its child at
//     once, not after refreshTime;
//   - ExternalSecrets added, deleted or edited (not status-only updates), to
//     their controlling ClusterExternalSecret and to those whose children
//     carry that name: a child deleted or edited by hand is restored, and a
//     namespace blocked by a foreign ExternalSecret is provisioned as soon
//     as that ExternalSecret goes.
import {
  CORE,
  type KubeObject,
  type Manager,
  type Predicate,
  type Reader,
  type Request,
} from "../../runtime/index.ts";
import { RecorderName, type ControllerDeps, type ControllerSetup } from "../common/deps.ts";
import { ESO, ESO_API_VERSION } from "../common/resources.ts";
import {
  childName,
  type ClusterExternalSecretObject,
  type ExternalSecretObject,
  type NamespaceObject,
} from "./ces-view.ts";
import { CES_KIND, controllingCes, OWNER_INDEX, ownerIndexKeys } from "./child.ts";
import { ClusterExternalSecretMetrics } from "./metrics.ts";
import { isSelected } from "./namespaces.ts";
import { ClusterExternalSecretReconciler } from "./reconciler.ts";

const BY_CHILD_NAME = "clusterexternalsecret-child-name";

const json = (v: unknown): string => JSON.stringify(v ?? null);

function changedIn<T extends KubeObject>(pick: (o: T) => unknown[]): Predicate<T> {
  return (kind, obj, old) =>
    kind !== "update" || old === undefined || json(pick(obj)) !== json(pick(old));
}

/** Spec, labels, annotations, finalizers or deletion changed: not a status-only update. */
export const cesChanged = changedIn<ClusterExternalSecretObject>((o) => [
  o.metadata?.generation,
  o.metadata?.labels,
  o.metadata?.annotations,
  o.metadata?.finalizers,
  o.metadata?.deletionTimestamp,
]);

/** Namespace labels or deletion changed (adds and deletes always pass). */
export const namespaceChanged = changedIn<NamespaceObject>((o) => [
  o.metadata?.labels,
  o.metadata?.deletionTimestamp,
]);

/** A child's spec, metadata or owners changed (its status is the ExternalSecret controller's). */
export const childChanged = changedIn<ExternalSecretObject>((o) => [
  o.metadata?.generation,
  o.metadata?.labels,
  o.metadata?.annotations,
  o.metadata?.ownerReferences,
]);

const request = (name: string): Request => ({ namespace: "", name });

/** The ClusterExternalSecrets a namespace event concerns. */
export function cesForNamespace(
  cache: Reader<ClusterExternalSecretObject>,
  ns: NamespaceObject,
): Request[] {
  const name = ns.metadata?.name ?? "";
  const labels = ns.metadata?.labels ?? {};
  return cache
    .list()
    .filter((ces) => {
      const status = ces.status;
      if (status?.provisionedNamespaces?.includes(name) === true) return true;
      if (status?.failedNamespaces?.some((f) => f.namespace === name) === true) return true;
      try {
        return isSelected(ces.spec, name, labels);
      } catch {
        return true; // an invalid selector: the reconcile reports it
      }
    })
    .map((ces) => request(ces.metadata?.name ?? ""));
}

/** The ClusterExternalSecrets an ExternalSecret event concerns. */
export function cesForChild(
  cache: Reader<ClusterExternalSecretObject>,
  es: ExternalSecretObject,
): Request[] {
  const owner = controllingCes(es);
  const byName = cache.byIndex(BY_CHILD_NAME, es.metadata?.name ?? "");
  const names = new Set(byName.map((ces) => ces.metadata?.name ?? ""));
  if (owner !== undefined) names.add(owner);
  return [...names].map(request);
}

export const setupClusterExternalSecretController: ControllerSetup = (
  mgr: Manager,
  deps: ControllerDeps,
) => {
  // ClusterExternalSecrets exist to span namespaces. A controller restricted
  // to one namespace sees only part of what they select, so it would write a
  // partial status and release finalizers it cannot see the reason for;
  // several such controllers (one per tenant namespace) would fight. ESO's
  // chart turns this reconciler off in that set-up, and so does Ferry.
  if (deps.namespace !== "") {
    deps.logger.info(
      "ClusterExternalSecret controller not started: --namespace restricts this controller to one namespace",
      { namespace: deps.namespace },
    );
    return;
  }
  const cess = mgr.informer<ClusterExternalSecretObject>({
    resource: ESO.clusterExternalSecrets,
  });
  const externalSecrets = mgr.informer<ExternalSecretObject>({
    resource: ESO.externalSecrets,
  });
  const namespaces = mgr.informer<NamespaceObject>({
    resource: CORE.namespaces,
    metadataOnly: true,
  });
  externalSecrets.addIndex(OWNER_INDEX, ownerIndexKeys);
  cess.addIndex(BY_CHILD_NAME, (ces) => [childName(ces)]);

  const recorder = deps.recorderFor(RecorderName.clusterExternalSecret);
  const reconciler = new ClusterExternalSecretReconciler({
    client: deps.client,
    clusterExternalSecrets: cess.store,
    externalSecrets: externalSecrets.store,
    namespaces: namespaces.store,
    events: {
      emit: (ces, type, reason, message) => {
        recorder.event(
          {
            apiVersion: ESO_API_VERSION,
            kind: CES_KIND,
            name: ces.metadata?.name ?? "",
            uid: ces.metadata?.uid,
          },
          type,
          reason,
          message,
        );
      },
    },
    metrics: new ClusterExternalSecretMetrics(mgr.registry),
    now: () => deps.now(),
    random: () => deps.random(),
  });
  const controller = mgr.controller({
    name: "clusterexternalsecret",
    concurrency: deps.concurrency,
    reconciler,
  });
  controller.watch(cess, { predicate: cesChanged });
  controller.watch(namespaces, {
    predicate: namespaceChanged,
    map: (ns) => cesForNamespace(cess.store, ns),
  });
  controller.watch(externalSecrets, {
    predicate: childChanged,
    map: (es) => cesForChild(cess.store, es),
  });
};
