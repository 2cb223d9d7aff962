export { CLUSTER_SECRET_STORE, SECRET_STORE } from "./kinds.ts";
export type { StoreKindConfig } from "./kinds.ts";
export { StoreMetrics } from "./metrics.ts";
export { MaintenanceMessage, StoreReconciler } from "./reconciler.ts";
export type { StoreObject, StoreReconcilerOptions } from "./reconciler.ts";
export {
  deletionChanged,
  setupClusterSecretStoreController,
  setupSecretStoreController,
  setupStoreController,
  storeChanged,
} from "./setup.ts";
export { refreshIntervalMs } from "./status.ts";
