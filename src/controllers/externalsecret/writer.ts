// Reading and writing the target Secret by creationPolicy (eso-reference
// §11.1 step 11): None never writes, Merge only updates an existing Secret,
// Orphan and CreateOrMerge create or update, Owner also deletes Secrets it
// created under an earlier target name. Writes use the ExternalSecret's
// field manager and happen only when something differs.
import { ExternalSecretMessage, ExternalSecretReason, LABEL_CREATED_BY } from "../../api/index.ts";
import { createdByHash } from "../../esutils/object-hash.ts";
import { CORE, isNotFound, type KubeClient } from "../../runtime/index.ts";
import type { EsView } from "./es-view.ts";
import type { ReadyCondition } from "./status.ts";
import { fieldManagerFor, isUnchanged, TargetError, type WireSecret } from "./target.ts";

export interface WriteOutcome {
  readonly wrote: boolean;
  readonly ready: ReadyCondition;
}

type OnEvent = (reason: string, message: string) => void;

const SYNCED: ReadyCondition = {
  status: "True",
  reason: ExternalSecretReason.SecretSynced,
  message: ExternalSecretMessage.synced,
};

export class TargetWriter {
  readonly #client: KubeClient;

  constructor(client: KubeClient) {
    this.#client = client;
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
    switch (es.creationPolicy) {
      case "None":
        return { wrote: false, ready: SYNCED };
      case "Merge":
        if (existing === undefined) {
          return {
            wrote: false,
            ready: {
              status: "True",
              reason: ExternalSecretReason.SecretMissing,
              message: ExternalSecretMessage.missingMerge,
            },
          };
        }
        return { wrote: await this.#update(es, existing, desired, onEvent), ready: SYNCED };
      case "Owner":
        await this.#deleteOrphans(es, onEvent);
        return { wrote: await this.#createOrUpdate(es, existing, desired, onEvent), ready: SYNCED };
      case "Orphan":
      case "CreateOrMerge":
        return { wrote: await this.#createOrUpdate(es, existing, desired, onEvent), ready: SYNCED };
    }
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

  /** Secrets this ExternalSecret created under another name (its target was renamed). */
  async #deleteOrphans(es: EsView, onEvent: OnEvent): Promise<void> {
    const selector = `${LABEL_CREATED_BY}=${createdByHash(es.namespace, es.name)}`;
    const list = await this.#client.list<WireSecret>(CORE.secrets, {
      namespace: es.namespace,
      labelSelector: selector,
      metadataOnly: true,
    });
    for (const secret of list.items) {
      const name = secret.metadata.name ?? "";
      if (name === es.targetName || !isControlledBy(secret, es.uid)) continue;
      await this.#deleteSecret(es.namespace, name, secret.metadata.uid);
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

function isControlledBy(secret: WireSecret, uid: string): boolean {
  return (secret.metadata.ownerReferences ?? []).some(
    (r) => r.controller === true && r.uid === uid,
  );
}
