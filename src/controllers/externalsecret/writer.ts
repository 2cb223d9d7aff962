// Reading and writing the target Secret by creationPolicy (eso-reference
// §11.1 step 11): None never writes, Merge only updates an existing Secret,
// Orphan and CreateOrMerge create or update, Owner also deletes Secrets it
// created under an earlier target name. Writes use the ExternalSecret's
// field manager and happen only when something differs.
import { ExternalSecretMessage, ExternalSecretReason, LABEL_CREATED_BY } from "../../api/index.ts";
import { createdByHash } from "../../esutils/object-hash.ts";
import { CORE, isNotFound, type KubeClient, type KubeObject } from "../../runtime/index.ts";
import type { EsView } from "./es-view.ts";
import type { ReadyCondition } from "./status.ts";
import { fieldManagerFor, isUnchanged, TargetError, type WireSecret } from "./target.ts";

export interface WriteOutcome {
  readonly wrote: boolean;
  readonly ready: ReadyCondition;
}

/** What a target kind (Secret, generic object) does for each step of a creationPolicy. */
export interface PolicySteps<T> {
  /** Ready when the policy writes, or finds nothing to write. */
  readonly synced: ReadyCondition;
  /** Ready under Merge when the target does not exist. */
  readonly missingMerge: ReadyCondition;
  update(existing: T): Promise<boolean>;
  createOrUpdate(): Promise<boolean>;
  deleteOrphans(): Promise<void>;
}

/** ESO's creationPolicy, one dispatch for every target kind. */
export async function writeByCreationPolicy<T>(
  policy: EsView["creationPolicy"],
  existing: T | undefined,
  steps: PolicySteps<T>,
): Promise<WriteOutcome> {
  switch (policy) {
    case "None":
      return { wrote: false, ready: steps.synced };
    case "Merge":
      if (existing === undefined) return { wrote: false, ready: steps.missingMerge };
      return { wrote: await steps.update(existing), ready: steps.synced };
    case "Owner":
      await steps.deleteOrphans();
      return { wrote: await steps.createOrUpdate(), ready: steps.synced };
    case "Orphan":
    case "CreateOrMerge":
      return { wrote: await steps.createOrUpdate(), ready: steps.synced };
  }
}

type OnEvent = (reason: string, message: string) => void;

const SYNCED: ReadyCondition = {
  status: "True",
  reason: ExternalSecretReason.SecretSynced,
  message: ExternalSecretMessage.synced,
};

/**
 * The managed Secrets Ferry already watches (label-selected, metadata only):
 * what a reconcile can learn from them costs no apiserver request.
 */
export interface ManagedSecretIndex {
  get(namespace: string, name: string): KubeObject | undefined;
  /** Managed Secrets labelled `created-by=<hash>` in `namespace`. */
  createdBy(namespace: string, hash: string): KubeObject[];
}

/** The ExternalSecret was last bound to another Secret name: its old target may be an orphan. */
function targetRenamed(es: EsView): boolean {
  const bound = es.es.status?.binding?.name ?? "";
  return bound !== "" && bound !== es.targetName;
}

export class TargetWriter {
  readonly #client: KubeClient;
  readonly #index: ManagedSecretIndex | undefined;

  constructor(client: KubeClient, index?: ManagedSecretIndex) {
    this.#client = client;
    this.#index = index;
  }

  /** The Secret with its data and managedFields, or undefined. */
  async read(namespace: string, name: string): Promise<WireSecret | undefined> {
    try {
      return await this.#client.get<WireSecret>(CORE.secrets, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async write(
    es: EsView,
    existing: WireSecret | undefined,
    desired: WireSecret,
    onEvent: OnEvent,
  ): Promise<WriteOutcome> {
    return writeByCreationPolicy(es.creationPolicy, existing, {
      synced: SYNCED,
      missingMerge: {
        status: "True",
        reason: ExternalSecretReason.SecretMissing,
        message: ExternalSecretMessage.missingMerge,
      },
      update: (found) => this.#update(es, found, desired, onEvent),
      createOrUpdate: () => this.#createOrUpdate(es, existing, desired, onEvent),
      deleteOrphans: () => this.#deleteOrphans(es, onEvent),
    });
  }

  async #createOrUpdate(
    es: EsView,
    existing: WireSecret | undefined,
    desired: WireSecret,
    onEvent: OnEvent,
  ): Promise<boolean> {
    if (existing !== undefined) return this.#update(es, existing, desired, onEvent);
    const body: WireSecret = { ...desired, metadata: { ...desired.metadata } };
    delete body.metadata.resourceVersion;
    await this.#client.create(CORE.secrets, body, {
      namespace: es.namespace,
      fieldManager: fieldManagerFor(es.name),
    });
    onEvent("Created", "secret created");
    return true;
  }

  async #update(
    es: EsView,
    existing: WireSecret,
    desired: WireSecret,
    onEvent: OnEvent,
  ): Promise<boolean> {
    if (isUnchanged(existing, desired)) return false;
    if (
      existing.immutable === true &&
      JSON.stringify(existing.data ?? {}) !== JSON.stringify(desired.data ?? {})
    ) {
      throw new TargetError(
        ExternalSecretMessage.immutable,
        "the Secret is immutable and its data would change; delete it to let it be recreated",
      );
    }
    await this.#client.replace(CORE.secrets, desired, {
      namespace: es.namespace,
      fieldManager: fieldManagerFor(es.name),
    });
    onEvent("Updated", "secret updated");
    return true;
  }

  /**
   * Secrets this ExternalSecret created under another name (its target was
   * renamed). ESO LISTs them on every sync; a label-selected LIST makes the
   * apiserver scan every Secret of the namespace, so with N ExternalSecrets
   * in one namespace that is N² work. Ferry asks its managed-Secret cache,
   * and LISTs only when the status says the target was renamed (the cache
   * may lag, and an orphan may have lost its managed label).
   */
  async #deleteOrphans(es: EsView, onEvent: OnEvent): Promise<void> {
    const hash = createdByHash(es.namespace, es.name);
    const candidates: KubeObject[] =
      this.#index === undefined || targetRenamed(es)
        ? (
            await this.#client.list<WireSecret>(CORE.secrets, {
              namespace: es.namespace,
              labelSelector: `${LABEL_CREATED_BY}=${hash}`,
              metadataOnly: true,
            })
          ).items
        : this.#index.createdBy(es.namespace, hash);
    for (const secret of candidates) {
      const name = secret.metadata?.name ?? "";
      if (name === es.targetName || !isControlledBy(secret, es.uid)) continue;
      await this.#deleteSecret(es.namespace, name, secret.metadata?.uid);
      onEvent("Deleted", "secret deleted because it was orphaned");
    }
  }

  /** Deletes the target when this ExternalSecret controls it; true when it did. */
  async deleteIfOwned(es: EsView, existing: WireSecret | undefined): Promise<boolean> {
    if (existing === undefined || !isControlledBy(existing, es.uid)) return false;
    await this.#deleteSecret(es.namespace, es.targetName, existing.metadata.uid);
    return true;
  }

  async #deleteSecret(namespace: string, name: string, uid: string | undefined): Promise<void> {
    try {
      await this.#client.delete(CORE.secrets, name, {
        namespace,
        ...(uid === undefined ? {} : { preconditions: { uid } }),
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function isControlledBy(secret: KubeObject, uid: string): boolean {
  return (secret.metadata?.ownerReferences ?? []).some(
    (r) => r.controller === true && r.uid === uid,
  );
}
