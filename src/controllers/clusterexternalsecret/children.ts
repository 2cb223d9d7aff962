// Writes and deletes child ExternalSecrets. Reads come from the informer
// cache, which may lag behind our own writes; every write therefore checks
// itself: a create that finds the child already there reads it fresh and
// compares again, an update carries the cached resourceVersion (a conflict
// goes back to the caller, who retries the whole pass), and a delete carries
// the child's UID so an ExternalSecret re-created by someone else under the
// same name is never removed. A child that already matches is not written.
import { isAlreadyExists, isConflict, isNotFound, type KubeClient } from "../../runtime/index.ts";
import { ESO } from "../common/resources.ts";
import type { ClusterExternalSecretObject, ExternalSecretObject } from "./ces-view.ts";
import { cesName } from "./ces-view.ts";
import { childUpToDate, desiredChild, isOwnedBy } from "./child.ts";

/** What happened to one child: `foreign` means another owner has it (nothing written). */
export type ChildOutcome = "created" | "updated" | "unchanged" | "foreign";

export interface ChildTarget {
  readonly namespace: string;
  readonly name: string;
}

export class ChildWriter {
  readonly #client: KubeClient;

  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** Makes the child in `target` match the ClusterExternalSecret. */
  async ensure(
    ces: ClusterExternalSecretObject,
    target: ChildTarget,
    cached: ExternalSecretObject | undefined,
  ): Promise<ChildOutcome> {
    if (cached !== undefined) return this.#update(ces, target, cached);
    try {
      await this.#client.create(ESO.externalSecrets, desiredChild(ces, target), {
        namespace: target.namespace,
      });
      return "created";
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    // The cache had not seen it yet: decide on the live object.
    const live = await this.#client.get<ExternalSecretObject>(ESO.externalSecrets, target.name, {
      namespace: target.namespace,
    });
    return this.#update(ces, target, live);
  }

  async #update(
    ces: ClusterExternalSecretObject,
    target: ChildTarget,
    existing: ExternalSecretObject,
  ): Promise<ChildOutcome> {
    if (!isOwnedBy(existing, cesName(ces))) return "foreign";
    const desired = desiredChild(ces, target, existing);
    if (childUpToDate(existing, desired)) return "unchanged";
    try {
      await this.#client.replace(ESO.externalSecrets, desired, { namespace: target.namespace });
      return "updated";
    } catch (err) {
      // Deleted since the cache saw it (by hand, say): create it again.
      if (!isNotFound(err)) throw err;
    }
    await this.#client.create(ESO.externalSecrets, desiredChild(ces, target), {
      namespace: target.namespace,
    });
    return "created";
  }

  /** Deletes the child; false when it was already gone or replaced by another object. */
  async delete(child: ExternalSecretObject): Promise<boolean> {
    const meta = child.metadata ?? {};
    try {
      await this.#client.delete(ESO.externalSecrets, meta.name ?? "", {
        namespace: meta.namespace ?? "",
        ...(meta.uid === undefined ? {} : { preconditions: { uid: meta.uid } }),
      });
      return true;
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return false;
      throw err;
    }
  }
}
