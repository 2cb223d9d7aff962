// The ExternalSecret a ClusterExternalSecret wants in one namespace, and the
// comparison that decides whether an existing child must be written.
// As ESO (eso-reference.md §11.3): labels and annotations are exactly
// `externalSecretMetadata` (so they are replaced on every write), the
// `external-secrets.io/force-sync` annotation is mirrored from the
// ClusterExternalSecret, the spec is `externalSecretSpec` verbatim, and the
// ClusterExternalSecret is the controlling owner. Other owner references,
// finalizers and status of an existing child are kept.
import { isDeepStrictEqual } from "node:util";
import { ANNOTATION_FORCE_SYNC } from "../../api/index.ts";
import type { ObjectMeta, OwnerReference } from "../../runtime/index.ts";
import { ESO_API_VERSION } from "../common/resources.ts";
import {
  cesName,
  type ClusterExternalSecretObject,
  type ExternalSecretObject,
} from "./ces-view.ts";

export const CES_KIND = "ClusterExternalSecret";
const ESO_GROUP = "external-secrets.io";

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Whether `ref` points at a ClusterExternalSecret (any served version). */
export function isCesReference(ref: OwnerReference): boolean {
  return ref.kind === CES_KIND && groupOf(ref.apiVersion) === ESO_GROUP;
}

/** The name of the ClusterExternalSecret controlling `es`, if one does. */
export function controllingCes(es: ExternalSecretObject): string | undefined {
  const ref = es.metadata?.ownerReferences?.find((r) => r.controller === true);
  return ref !== undefined && isCesReference(ref) ? ref.name : undefined;
}

/**
 * ESO's ownership test: the controlling owner is a ClusterExternalSecret of
 * this name. The UID is not compared, so a ClusterExternalSecret re-created
 * under the same name adopts the children of its predecessor.
 */
export function isOwnedBy(es: ExternalSecretObject, name: string): boolean {
  return controllingCes(es) === name;
}

export function ownerReferenceFor(ces: ClusterExternalSecretObject): OwnerReference {
  return {
    apiVersion: ESO_API_VERSION,
    kind: CES_KIND,
    name: cesName(ces),
    uid: ces.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

function nonEmpty(map: Record<string, string> | undefined): Record<string, string> | undefined {
  return map === undefined || Object.keys(map).length === 0 ? undefined : { ...map };
}

/** `externalSecretMetadata.annotations` plus the mirrored force-sync annotation. */
function childAnnotations(ces: ClusterExternalSecretObject): Record<string, string> | undefined {
  const entries = Object.entries(ces.spec?.externalSecretMetadata?.annotations ?? {}).filter(
    ([key]) => key !== ANNOTATION_FORCE_SYNC,
  );
  const forceSync = ces.metadata?.annotations?.[ANNOTATION_FORCE_SYNC];
  if (forceSync !== undefined) entries.push([ANNOTATION_FORCE_SYNC, forceSync]);
  return nonEmpty(Object.fromEntries(entries));
}

/**
 * Our reference replaces an earlier one to the same ClusterExternalSecret in
 * place (a stable order keeps the comparison stable); others stay.
 */
function withOwner(
  existing: readonly OwnerReference[] | undefined,
  ours: OwnerReference,
): OwnerReference[] {
  const refs = [...(existing ?? [])];
  const at = refs.findIndex((r) => isCesReference(r) && r.name === ours.name);
  if (at < 0) refs.push(ours);
  else refs[at] = ours;
  return refs;
}

/**
 * The child to write in `namespace`: built from scratch, or from `existing`
 * with the fields the ClusterExternalSecret owns replaced (its
 * resourceVersion stays, so the write is a compare-and-swap).
 */
export function desiredChild(
  ces: ClusterExternalSecretObject,
  target: { readonly namespace: string; readonly name: string },
  existing?: ExternalSecretObject,
): ExternalSecretObject {
  const base: ExternalSecretObject = existing === undefined ? {} : structuredClone(existing);
  const metadata: ObjectMeta = {
    ...base.metadata,
    name: target.name,
    namespace: target.namespace,
    ownerReferences: withOwner(base.metadata?.ownerReferences, ownerReferenceFor(ces)),
  };
  // Absent, not empty: the apiserver drops empty maps, and so must the comparison.
  const labels = nonEmpty(ces.spec?.externalSecretMetadata?.labels);
  const annotations = childAnnotations(ces);
  if (labels === undefined) delete metadata.labels;
  else metadata.labels = labels;
  if (annotations === undefined) delete metadata.annotations;
  else metadata.annotations = annotations;
  return {
    ...base,
    apiVersion: ESO_API_VERSION,
    kind: "ExternalSecret",
    metadata,
    spec: structuredClone(ces.spec?.externalSecretSpec ?? {}),
  };
}

const orEmpty = (m: Record<string, string> | undefined): Record<string, string> => m ?? {};

/** Whether `existing` already carries everything `desired` sets (no write needed). */
export function childUpToDate(
  existing: ExternalSecretObject,
  desired: ExternalSecretObject,
): boolean {
  const have = existing.metadata ?? {};
  const want = desired.metadata ?? {};
  return (
    isDeepStrictEqual(orEmpty(have.labels), orEmpty(want.labels)) &&
    isDeepStrictEqual(orEmpty(have.annotations), orEmpty(want.annotations)) &&
    isDeepStrictEqual(have.ownerReferences ?? [], want.ownerReferences ?? []) &&
    isDeepStrictEqual(existing.spec ?? {}, desired.spec ?? {})
  );
}

/** Informer index of ExternalSecrets by the ClusterExternalSecret controlling them. */
export const OWNER_INDEX = "clusterexternalsecret-owner";

export function ownerIndexKeys(es: ExternalSecretObject): string[] {
  const owner = controllingCes(es);
  return owner === undefined ? [] : [owner];
}
