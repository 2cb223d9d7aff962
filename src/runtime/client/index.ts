export { KubeClient } from "./client.ts";
export type {
  ApplyOptions,
  ClientOptions,
  DeleteOptions,
  ListOptions,
  NamespaceOption,
  WatchOptions,
  WatchStream,
  WriteOptions,
} from "./client.ts";
export {
  KubeApiError,
  KubeTransportError,
  KubeUsageError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isTooManyRequests,
  statusCodeOf,
} from "./errors.ts";
export { namespaced } from "./namespaced.ts";
export type { NamespacedReader } from "./namespaced.ts";
export { CORE, LEASES, apiVersionOf, describeResource, resourcePath } from "./resource.ts";
export type { PathParts, ResourceRef } from "./resource.ts";
export { Semaphore } from "./semaphore.ts";
export { KubeConfigTransport } from "./transport.ts";
export { loadLightCredentials, type ClusterCredentials } from "./kubeconfig.ts";
export type { HttpRequest, HttpResponse, Transport } from "./transport.ts";
export { objectKey } from "./types.ts";
export type {
  KubeList,
  KubeObject,
  ListMeta,
  ManagedFieldsEntry,
  ObjectMeta,
  OwnerReference,
  PartialObjectMetadata,
  Status,
  WatchEvent,
  WatchEventType,
} from "./types.ts";
