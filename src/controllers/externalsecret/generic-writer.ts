// Reading and writing a generic target by creationPolicy, as writer.ts does
// for Secrets: None never writes, Merge only updates an existing object,
// Orphan and CreateOrMerge create or update, Owner also deletes objects of
// the same kind it created under an earlier target name. Writes use the
// ExternalSecret's field manager and happen only when something differs.
// Events say "Created|Updated|Deleted <Kind> <name>" (ESO's wording for
// generic targets).
//
// Apiserver errors become messages fit for status: an RBAC refusal says
// which permission is missing; a validation error (422) names the invalid
// fields but never quotes the apiserver's text, which may contain values.
import { ExternalSecretReason, LABEL_CREATED_BY } from "../../api/index.ts";
import { createdByHash } from "../../esutils/object-hash.ts";
import {
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNotFound,
  KubeApiError,
  type KubeClient,
  type ResourceRef,
} from "../../runtime/index.ts";
import type { EsView } from "./es-view.ts";
import { forbiddenMessage, GenericTargetError } from "./generic-resources.ts";
import {
  isControlledBy,
  isResourceUnchanged,
  type GenericObject,
  type TargetKind,
} from "./generic-target.ts";
import type { ReadyCondition } from "./status.ts";
import { fieldManagerFor } from "./target.ts";
import { writeByCreationPolicy, type WriteOutcome } from "./writer.ts";

/** Ready messages for generic targets (ESO's Secret messages, said of a resource). */
export const GenericMessage = {
  synced: "resource synced",
  retained: "resource retained due to DeletionPolicy=Retain",
  deleted: "resource deleted due to DeletionPolicy=Delete",
  missingMerge: "resource will not be created due to CreationPolicy=Merge",
} as const;

const SYNCED: ReadyCondition = {
  status: "True",
  reason: ExternalSecretReason.ResourceSynced,
  message: GenericMessage.synced,
};

/** Someone else wrote the target between our read and our write: read again, no failure to report. */
export class WriteRaceError extends Error {
  override readonly name = "WriteRaceError";
}

/** What a write is about: the ExternalSecret, the target's kind and resource. */
export interface TargetRef {
  readonly es: EsView;
  readonly kind: TargetKind;
  readonly res: ResourceRef;
}

type OnEvent = (reason: string, message: string) => void;

interface FieldCause {
  readonly field?: string;
  readonly reason?: string;
}

function invalidFields(err: KubeApiError): string {
  const details = err.status?.details as { causes?: readonly FieldCause[] } | undefined;
  const fields = (details?.causes ?? [])
    .map((c) => `${c.field ?? "?"}${c.reason === undefined ? "" : ` (${c.reason})`}`)
    .slice(0, 10);
  return fields.length === 0 ? "no field details given" : `invalid ${fields.join(", ")}`;
}

/** A status-safe description of an apiserver error on `verb` of the target. */
export function describeTargetError(
  verb: string,
  target: TargetRef,
  name: string,
  err: unknown,
): GenericTargetError {
  const what = `${target.kind.kind} "${name}"`;
  if (isForbidden(err))
    return new GenericTargetError(
      forbiddenMessage(verb, target.res, target.es.namespace),
      false,
      err,
    );
  if (isInvalid(err) && err instanceof KubeApiError) {
    return new GenericTargetError(
      `the apiserver rejected ${what} (${invalidFields(err)}): fix the template so that it renders a valid ${target.kind.kind}`,
      false,
      err,
    );
  }
  if (err instanceof KubeApiError) {
    const reason = err.reason === "" ? "" : ` ${err.reason}`;
    return new GenericTargetError(
      `could not ${verb} ${what}: HTTP ${String(err.code)}${reason}`,
      false,
      err,
    );
  }
  return new GenericTargetError(`could not ${verb} ${what}: ${(err as Error).message}`, false, err);
}

export class GenericWriter {
  readonly #client: KubeClient;

  constructor(client: KubeClient) {
    this.#client = client;
  }

  /** The target with its content and managedFields, or undefined. */
  async read(target: TargetRef): Promise<GenericObject | undefined> {
    const { es } = target;
    try {
      return await this.#client.get<GenericObject>(target.res, es.targetName, {
        namespace: es.namespace,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw describeTargetError("get", target, es.targetName, err);
    }
  }

  async write(
    target: TargetRef,
    existing: GenericObject | undefined,
    desired: GenericObject,
    onEvent: OnEvent,
  ): Promise<WriteOutcome> {
    return writeByCreationPolicy(target.es.creationPolicy, existing, {
      synced: SYNCED,
      missingMerge: {
        status: "True",
        reason: ExternalSecretReason.ResourceMissing,
        message: GenericMessage.missingMerge,
      },
      update: (found) => this.#update(target, found, desired, onEvent),
      createOrUpdate: () => this.#createOrUpdate(target, existing, desired, onEvent),
      deleteOrphans: () => this.#deleteOrphans(target, onEvent),
    });
  }

  async #createOrUpdate(
    target: TargetRef,
    existing: GenericObject | undefined,
    desired: GenericObject,
    onEvent: OnEvent,
  ): Promise<boolean> {
    if (existing !== undefined) return this.#update(target, existing, desired, onEvent);
    const body: GenericObject = { ...desired, metadata: { ...desired.metadata } };
    delete body.metadata.resourceVersion;
    const { es } = target;
    try {
      await this.#client.create(target.res, body, {
        namespace: es.namespace,
        fieldManager: fieldManagerFor(es.name),
      });
    } catch (err) {
      if (isAlreadyExists(err))
        throw new WriteRaceError(
          `the target ${target.kind.kind} appeared while it was created; retrying`,
          {
            cause: err,
          },
        );
      throw describeTargetError("create", target, es.targetName, err);
    }
    onEvent("Created", `Created ${target.kind.kind} ${es.targetName}`);
    return true;
  }

  async #update(
    target: TargetRef,
    existing: GenericObject,
    desired: GenericObject,
    onEvent: OnEvent,
  ): Promise<boolean> {
    if (isResourceUnchanged(existing, desired)) return false;
    const { es } = target;
    try {
      await this.#client.replace(target.res, desired, {
        namespace: es.namespace,
        fieldManager: fieldManagerFor(es.name),
      });
    } catch (err) {
      if (isConflict(err) || isNotFound(err))
        throw new WriteRaceError(
          `the target ${target.kind.kind} changed while it was written; retrying`,
          {
            cause: err,
          },
        );
      throw describeTargetError("update", target, es.targetName, err);
    }
    onEvent("Updated", `Updated ${target.kind.kind} ${es.targetName}`);
    return true;
  }

  /** Objects of the target's kind this ExternalSecret created under another name (its target was renamed). */
  async #deleteOrphans(target: TargetRef, onEvent: OnEvent): Promise<void> {
    const { es } = target;
    let items: GenericObject[];
    try {
      const list = await this.#client.list<GenericObject>(target.res, {
        namespace: es.namespace,
        labelSelector: `${LABEL_CREATED_BY}=${createdByHash(es.namespace, es.name)}`,
        metadataOnly: true,
      });
      items = list.items;
    } catch (err) {
      throw describeTargetError("list", target, es.targetName, err);
    }
    for (const obj of items) {
      const name = obj.metadata.name ?? "";
      if (name === es.targetName || !isControlledBy(obj, es.uid)) continue;
      await this.#delete(target, name, obj.metadata.uid);
      onEvent("Deleted", `Deleted ${target.kind.kind} ${name}`);
    }
  }

  /** Deletes the target when this ExternalSecret controls it; true when it did. */
  async deleteIfOwned(target: TargetRef, existing: GenericObject | undefined): Promise<boolean> {
    if (existing === undefined || !isControlledBy(existing, target.es.uid)) return false;
    await this.#delete(target, target.es.targetName, existing.metadata.uid);
    return true;
  }

  async #delete(target: TargetRef, name: string, uid: string | undefined): Promise<void> {
    try {
      await this.#client.delete(target.res, name, {
        namespace: target.es.namespace,
        ...(uid === undefined ? {} : { preconditions: { uid } }),
      });
    } catch (err) {
      if (!isNotFound(err)) throw describeTargetError("delete", target, name, err);
    }
  }
}
