export { CacheSyncTimeoutError, Manager, shutdownSignal } from "./manager.ts";
export type { LeaderElectionConfig, ManagerOptions, Runnable } from "./manager.ts";
export { EndpointServer, parseBindAddress } from "./http-server.ts";
export type { CheckResult, Endpoints } from "./http-server.ts";
export { IdleGc } from "./idle-gc.ts";
export type { IdleGcOptions } from "./idle-gc.ts";
