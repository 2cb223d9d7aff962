// The finalizer a ClusterExternalSecret puts on each Namespace it provisions
// (`externalsecrets.external-secrets.io/ces-<name>`, eso-reference.md §1.3,
// §11.3): added before the child is created, removed when the namespace is
// being deleted, is no longer provisioned, or the ClusterExternalSecret goes
// away. Reads start from the informer cache; writes read the namespace
// fresh and patch with its resourceVersion, so a concurrent change to the
// finalizer list is never lost (a conflict is retried by the caller).
import { CORE, isNotFound, type KubeClient, type Reader } from "../../runtime/index.ts";
import type { NamespaceObject } from "./ces-view.ts";

export class NamespaceFinalizers {
  readonly #client: KubeClient;
  readonly #cache: Reader<NamespaceObject>;

  constructor(client: KubeClient, cache: Reader<NamespaceObject>) {
    this.#client = client;
    this.#cache = cache;
  }

  /** Namespaces (as cached) that carry `finalizer`. */
  holders(finalizer: string): string[] {
    return this.#cache
      .list()
      .filter((ns) => (ns.metadata?.finalizers ?? []).includes(finalizer))
      .map((ns) => ns.metadata?.name ?? "")
      .filter((name) => name !== "");
  }

  /** Adds `finalizer` to the namespace; false when the namespace does not exist. */
  async ensure(namespace: string, finalizer: string): Promise<boolean> {
    if (this.#cached(namespace).includes(finalizer)) return true;
    const current = await this.#read(namespace);
    if (current === undefined) return false;
    const finalizers = current.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer)) return true;
    await this.#patch(current, [...finalizers, finalizer]);
    return true;
  }

  /** Removes `finalizer` from the namespace if it is there. */
  async release(namespace: string, finalizer: string): Promise<boolean> {
    if (!this.#cached(namespace).includes(finalizer)) return false;
    const current = await this.#read(namespace);
    const finalizers = current?.metadata?.finalizers ?? [];
    if (current === undefined || !finalizers.includes(finalizer)) return false;
    try {
      await this.#patch(
        current,
        finalizers.filter((f) => f !== finalizer),
      );
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    return true;
  }

  #cached(namespace: string): readonly string[] {
    return this.#cache.get("", namespace)?.metadata?.finalizers ?? [];
  }

  async #read(namespace: string): Promise<NamespaceObject | undefined> {
    try {
      return await this.#client.get<NamespaceObject>(CORE.namespaces, namespace);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #patch(current: NamespaceObject, finalizers: string[]): Promise<void> {
    await this.#client.mergePatch(CORE.namespaces, current.metadata?.name ?? "", {
      metadata: { finalizers, resourceVersion: current.metadata?.resourceVersion },
    });
  }
}
