// The two store kinds share one reconciler; what differs is here.
import { ESO, ESO_API_VERSION } from "../common/resources.ts";
import { RecorderName } from "../common/deps.ts";
import type { StoreKind } from "../../esutils/store.ts";
import type { ResourceRef } from "../../runtime/index.ts";

export interface StoreKindConfig {
  readonly kind: StoreKind;
  readonly apiVersion: string;
  readonly resource: ResourceRef;
  /** The runtime controller's name (metrics label, logs). */
  readonly controllerName: string;
  /** `source.component` of its events. */
  readonly recorderName: string;
  /** Prefix of its metrics (`<prefix>_status_condition`, `<prefix>_reconcile_duration`). */
  readonly metricsPrefix: string;
}

export const SECRET_STORE: StoreKindConfig = {
  kind: "SecretStore",
  apiVersion: ESO_API_VERSION,
  resource: ESO.secretStores,
  controllerName: "secretstore",
  recorderName: RecorderName.secretStore,
  metricsPrefix: "secretstore",
};

export const CLUSTER_SECRET_STORE: StoreKindConfig = {
  kind: "ClusterSecretStore",
  apiVersion: ESO_API_VERSION,
  resource: ESO.clusterSecretStores,
  controllerName: "clustersecretstore",
  recorderName: RecorderName.clusterSecretStore,
  metricsPrefix: "clustersecretstore",
};
