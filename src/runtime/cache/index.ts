export { Informer } from "./informer.ts";
export type { EventHandler, InformerOptions, InformerStats } from "./informer.ts";
export { Store, storeKey } from "./store.ts";
export type { IndexFunc, Reader } from "./store.ts";
export { stripManagedFields } from "./transform.ts";
export type { Transform } from "./transform.ts";
