// The only way controllers read on behalf of a namespaced object
// (lessons-from-peers.md §3.3, GHSA-fcxq): the namespace is fixed when the
// reader is created, so a reference can never reach into another namespace.
import type { KubeClient, ListOptions } from "./client.ts";
import { KubeUsageError } from "./errors.ts";
import type { ResourceRef } from "./resource.ts";
import type { KubeList, KubeObject } from "./types.ts";

export interface NamespacedReader {
  readonly namespace: string;
  get<T extends KubeObject>(res: ResourceRef, name: string, signal?: AbortSignal): Promise<T>;
  list<T extends KubeObject>(
    res: ResourceRef,
    opts?: Omit<ListOptions, "namespace" | "allNamespaces">,
  ): Promise<KubeList<T>>;
}

/**
 * A reader bound to `namespace`. Namespaced resources are always read in that
 * namespace; cluster-scoped resources are read as they are (they have none).
 */
export function namespaced(client: KubeClient, namespace: string): NamespacedReader {
  if (namespace === "") throw new KubeUsageError("a namespace-scoped reader needs a namespace");
  return {
    namespace,
    get: <T extends KubeObject>(res: ResourceRef, name: string, signal?: AbortSignal) =>
      client.get<T>(res, name, signal === undefined ? { namespace } : { namespace, signal }),
    list: <T extends KubeObject>(
      res: ResourceRef,
      opts: Omit<ListOptions, "namespace" | "allNamespaces"> = {},
    ) => client.list<T>(res, { ...opts, namespace }),
  };
}
