// Wires the ExternalSecret controller: informers for ExternalSecrets,
// stores, namespaces (labels only) and managed Secrets (metadata only,
// label-selected: Ferry never caches Secret data or unmanaged Secrets),
// the shared client manager, and the watches that map events to keys.
import type { SecretStoreSpec } from "../../api/index.ts";
import { LABEL_CREATED_BY, LABEL_MANAGED, LABEL_MANAGED_VALUE } from "../../api/index.ts";
import type { GenericStore, StoreKind } from "../../esutils/store.ts";
import { compile } from "../../template/index.ts";
import {
  CORE,
  Counter,
  type Informer,
  type KubeObject,
  type Manager,
  type Predicate,
  type Request,
} from "../../runtime/index.ts";
import { ClientManager, type StoreLookup } from "../common/client-manager.ts";
import { RecorderName, type ControllerDeps, type ControllerSetup } from "../common/deps.ts";
import { ESO } from "../common/resources.ts";
import type { ExternalSecretObject } from "./es-view.ts";
import { viewOf } from "./es-view.ts";
import { GenericTargets } from "./generic-sync.ts";
import { ExternalSecretMetrics } from "./metrics.ts";
import { ExternalSecretReconciler } from "./reconciler.ts";

type EsObject = ExternalSecretObject & KubeObject;

interface StoreObject extends KubeObject {
  spec?: SecretStoreSpec;
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

const BY_TARGET = "target";
const BY_STORE = "store";
const BY_CREATED_BY = "created-by";

function storeIndexKeys(es: EsObject): string[] {
  const ns = es.metadata?.namespace ?? "";
  const spec = es.spec ?? {};
  const refs = [
    spec.secretStoreRef,
    ...(spec.data ?? []).map((d) => d.sourceRef?.storeRef),
    ...(spec.dataFrom ?? []).map((d) => d.sourceRef?.storeRef),
  ];
  return refs.flatMap((ref) => {
    if (ref === undefined) return [];
    return ref.kind === "ClusterSecretStore"
      ? [`ClusterSecretStore//${ref.name ?? ""}`]
      : [`SecretStore/${ns}/${ref.name ?? ""}`];
  });
}

function toGeneric(kind: StoreKind, obj: StoreObject): GenericStore {
  return {
    kind,
    metadata: { ...obj.metadata, name: obj.metadata?.name ?? "" },
    spec: obj.spec ?? { provider: {} },
  };
}

function storeLookup(
  stores: Informer<StoreObject>,
  clusterStores: Informer<StoreObject>,
): StoreLookup {
  const raw = new WeakMap<GenericStore, StoreObject>();
  return {
    get(kind, namespace, name) {
      const obj =
        kind === "ClusterSecretStore"
          ? clusterStores.store.get("", name)
          : stores.store.get(namespace, name);
      if (obj === undefined) return undefined;
      const generic = toGeneric(kind, obj);
      raw.set(generic, obj);
      return generic;
    },
    readyStatus(store) {
      return raw.get(store)?.status?.conditions?.find((c) => c.type === "Ready")?.status;
    },
    readyMessage(store) {
      return raw.get(store)?.status?.conditions?.find((c) => c.type === "Ready")?.message;
    },
  };
}

/** Spec, labels, annotations, finalizers or deletion changed: not a status-only update. */
const externalSecretChanged: Predicate<EsObject> = (kind, obj, old) => {
  if (kind !== "update" || old === undefined) return true;
  const pick = (o: EsObject): string =>
    JSON.stringify([
      o.metadata?.generation,
      o.metadata?.labels,
      o.metadata?.annotations,
      o.metadata?.finalizers,
      o.metadata?.deletionTimestamp,
    ]);
  return pick(obj) !== pick(old);
};

/** A managed Secret changed or went away: its ExternalSecret checks it (drift repair). */
const secretChanged: Predicate<KubeObject> = (kind, obj, old) =>
  kind === "delete" ||
  (kind === "update" && old?.metadata?.resourceVersion !== obj.metadata?.resourceVersion);

const toRequest = (o: KubeObject): Request => ({
  namespace: o.metadata?.namespace ?? "",
  name: o.metadata?.name ?? "",
});

/** Rewrite transforms render with `{ value: <key> }` and the default delimiters, as ESO does. */
function renderTransform(template: string, key: string): string {
  return compile(template, { name: "transform" }).execute({ value: key });
}

/**
 * Reads that reached a provider vs. reads served by the coalescer (shared
 * in-flight call or remembered result); Ferry's counterpart of ESO's
 * externalsecret_provider_api_calls_count, which the benchmark scrapes.
 */
function registerReadMetric(mgr: Manager, clients: ClientManager): void {
  const name = "ferry_externalsecret_provider_reads_total";
  if (mgr.registry.getSingleMetric(name) !== undefined) return;
  new Counter({
    name,
    help: "ExternalSecret provider reads: source=provider reached the provider, source=shared was served by a shared read",
    labelNames: ["source"],
    registers: [mgr.registry],
    collect() {
      const stats = clients.readStats();
      this.reset();
      this.inc({ source: "provider" }, stats.providerReads);
      this.inc({ source: "shared" }, stats.sharedReads);
    },
  });
}

export const setupExternalSecretController: ControllerSetup = (
  mgr: Manager,
  deps: ControllerDeps,
) => {
  const scope = deps.namespace === "" ? {} : { namespace: deps.namespace };
  const externalSecrets = mgr.informer<EsObject>({ resource: ESO.externalSecrets, ...scope });
  const stores = mgr.informer<StoreObject>({ resource: ESO.secretStores, ...scope });
  const clusterStores = mgr.informer<StoreObject>({ resource: ESO.clusterSecretStores });
  const namespaces = mgr.informer<KubeObject>({ resource: CORE.namespaces, metadataOnly: true });
  const secrets = mgr.informer<KubeObject>({
    resource: CORE.secrets,
    labelSelector: `${LABEL_MANAGED}=${LABEL_MANAGED_VALUE}`,
    metadataOnly: true,
    ...scope,
  });
  externalSecrets.addIndex(BY_TARGET, (es) => {
    const view = viewOf(es);
    return [`${view.namespace}/${view.targetName}`];
  });
  externalSecrets.addIndex(BY_STORE, storeIndexKeys);
  secrets.addIndex(BY_CREATED_BY, (secret) => {
    const hash = secret.metadata?.labels?.[LABEL_CREATED_BY];
    return hash === undefined ? [] : [`${secret.metadata?.namespace ?? ""}/${hash}`];
  });

  const recorder = deps.recorderFor(RecorderName.externalSecret);
  const clients = new ClientManager({
    registry: deps.registry,
    stores: storeLookup(stores, clusterStores),
    namespaceLabels: (ns) => Promise.resolve(namespaces.store.get("", ns)?.metadata?.labels),
    kube: deps.kube,
    controllerClass: deps.controllerClass,
    floodGate: true,
    now: () => deps.now(),
  });
  registerReadMetric(mgr, clients);
  const delimiters = {
    leftDelim: deps.templateDelimiters.left,
    rightDelim: deps.templateDelimiters.right,
  };
  const genericTargets = new GenericTargets({
    client: deps.client,
    kube: deps.kube,
    delimiters,
    allow: deps.unsafeAllowGenericTargets,
    namespace: deps.namespace,
    logger: mgr.logger,
    now: () => deps.now(),
  });
  const reconciler = new ExternalSecretReconciler({
    client: deps.client,
    externalSecrets: externalSecrets.store,
    clients,
    kube: deps.kube,
    delimiters,
    events: {
      emit: (es, type, reason, message) => {
        recorder.event(
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            name: es.metadata?.name ?? "",
            namespace: es.metadata?.namespace,
            uid: es.metadata?.uid,
          },
          type,
          reason,
          message,
        );
      },
    },
    metrics: new ExternalSecretMetrics(mgr.registry),
    renderTransform,
    now: () => deps.now(),
    refreshTimeMode: deps.refreshTimeMode,
    allowGenericTargets: deps.unsafeAllowGenericTargets,
    managedSecrets: {
      get: (namespace, name) => secrets.store.get(namespace, name),
      createdBy: (namespace, hash) => secrets.store.byIndex(BY_CREATED_BY, `${namespace}/${hash}`),
    },
    genericTargets,
    random: () => deps.random(),
  });
  const controller = mgr.controller({
    name: "externalsecret",
    concurrency: deps.concurrency,
    reconciler,
  });
  controller.watch(externalSecrets, { predicate: externalSecretChanged });
  // Drift on ConfigMaps and custom resources written by generic targets.
  genericTargets.bind(mgr, externalSecrets, controller);
  controller.watch(secrets, {
    predicate: secretChanged,
    map: (secret) =>
      externalSecrets.store
        .byIndex(BY_TARGET, `${secret.metadata?.namespace ?? ""}/${secret.metadata?.name ?? ""}`)
        .map(toRequest),
  });
  // A store that becomes Ready (or changes) wakes the ExternalSecrets that use it,
  // instead of leaving them in exponential backoff.
  const byStore =
    (kind: StoreKind) =>
    (store: StoreObject): Request[] =>
      externalSecrets.store
        .byIndex(
          BY_STORE,
          `${kind}/${kind === "ClusterSecretStore" ? "" : (store.metadata?.namespace ?? "")}/${store.metadata?.name ?? ""}`,
        )
        .map(toRequest);
  controller.watch(stores, { map: byStore("SecretStore") });
  controller.watch(clusterStores, { map: byStore("ClusterSecretStore") });
  mgr.add({
    name: "externalsecret-provider-clients",
    needLeaderElection: false,
    start: async (signal: AbortSignal) => {
      await new Promise<void>((resolve) => {
        signal.addEventListener(
          "abort",
          () => {
            resolve();
          },
          { once: true },
        );
      });
      await clients.close();
    },
  });
};
