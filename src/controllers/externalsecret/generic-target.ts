// The generic target (`spec.target.manifest`: a ConfigMap or any namespaced
// custom resource) an ExternalSecret wants, computed from the existing
// object (if any) and the fetched data (eso-reference.md §11.2). Same
// mutation order and ownership rules as for Secrets (target.ts): forget the
// labels and annotations this ExternalSecret wrote before, start from an
// empty content field (`data` for a ConfigMap, `spec` otherwise) unless
// creationPolicy is Merge/CreateOrMerge, apply the template (or the plain
// data), set ownership, the `managed` label and the `data-hash` annotation
// (a hash of the content field).
import { createHash } from "node:crypto";
import {
  ANNOTATION_DATA_HASH,
  ExternalSecretMessage,
  LABEL_MANAGED,
  LABEL_MANAGED_VALUE,
} from "../../api/index.ts";
import type { ObjectMeta, OwnerReference } from "../../runtime/index.ts";
import { viewOf, type EsView, type ExternalSecretObject } from "./es-view.ts";
import { canonicalJson, isJsonObject, setOwn, type Json, type JsonObject } from "./generic-path.ts";
import {
  applyGenericTemplate,
  applyGenericWithoutTemplate,
  type ContentField,
  type GenericDraft,
} from "./generic-template.ts";
import {
  fieldManagerFor,
  ownedFields,
  targetLabels,
  TargetError,
  without,
  type SecretData,
} from "./target.ts";
import type { Delimiters, TemplateSources } from "./template.ts";

/** The apiVersion and kind of `spec.target.manifest`. */
export interface TargetKind {
  readonly apiVersion: string;
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** A namespaced object as it travels over the wire. */
export interface GenericObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export function targetKindOf(es: ExternalSecretObject): TargetKind | undefined {
  const manifest = es.spec?.target?.manifest;
  if (manifest === undefined) return undefined;
  const slash = manifest.apiVersion.indexOf("/");
  return {
    apiVersion: manifest.apiVersion,
    group: slash < 0 ? "" : manifest.apiVersion.slice(0, slash),
    version: slash < 0 ? manifest.apiVersion : manifest.apiVersion.slice(slash + 1),
    kind: manifest.kind,
  };
}

/** `manifest: {apiVersion: v1, kind: Secret}` is an ordinary Secret target. */
export function isSecretKind(kind: TargetKind): boolean {
  return kind.group === "" && kind.version === "v1" && kind.kind === "Secret";
}

/** Whether the ExternalSecret writes something other than a Secret. */
export function isGenericTarget(es: ExternalSecretObject): boolean {
  const kind = targetKindOf(es);
  return kind !== undefined && !isSecretKind(kind);
}

/** One key per apiVersion and kind (informers, indexes). */
export function kindKey(kind: Pick<TargetKind, "apiVersion" | "kind">): string {
  return `${kind.apiVersion}|${kind.kind}`;
}

export function describeKind(kind: TargetKind): string {
  return `${kind.kind} (${kind.apiVersion})`;
}

/** ConfigMaps (and Secrets) keep their content in `data`, everything else in `spec`, as in ESO. */
export function contentFieldOf(kind: Pick<TargetKind, "kind">): ContentField {
  return kind.kind === "ConfigMap" || kind.kind === "Secret" ? "data" : "spec";
}

/** Every top-level field but identity and metadata (deep copy). */
function bodyOf(obj: GenericObject | undefined): JsonObject {
  if (obj === undefined) return {};
  const { apiVersion: _v, kind: _k, metadata: _m, ...rest } = structuredClone(obj);
  return rest as JsonObject;
}

/** The `data-hash` of a generic target: SHA3-224 of its content field as canonical JSON. */
export function contentHash(body: Readonly<Record<string, unknown>>, field: ContentField): string {
  const content = (Object.hasOwn(body, field) ? body[field] : undefined) ?? {};
  return createHash("sha3-224")
    .update(canonicalJson(content as Json))
    .digest("hex");
}

/** Valid: exists, carries the managed label and its content still hashes to `data-hash` (nobody edited it). */
export function isValidResource(obj: GenericObject | undefined, field: ContentField): boolean {
  if (obj === undefined) return false;
  if (obj.metadata.labels?.[LABEL_MANAGED] !== LABEL_MANAGED_VALUE) return false;
  return obj.metadata.annotations?.[ANNOTATION_DATA_HASH] === contentHash(obj, field);
}

export function isControlledBy(obj: GenericObject, uid: string): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid);
}

function initialDraft(
  es: EsView,
  existing: GenericObject | undefined,
  field: ContentField,
): GenericDraft {
  const owned = ownedFields(existing?.metadata.managedFields, fieldManagerFor(es.name));
  const body = bodyOf(existing);
  const content = body[field];
  const keepContent = es.creationPolicy === "Merge" || es.creationPolicy === "CreateOrMerge";
  if (!keepContent || !isJsonObject(content)) setOwn(body, field, {});
  else if (field === "data") for (const k of owned.data) Reflect.deleteProperty(content, k);
  const meta = existing?.metadata ?? {};
  return {
    body,
    labels: without(meta.labels, owned.labels),
    annotations: without(meta.annotations, owned.annotations),
    finalizers: [...(meta.finalizers ?? [])],
  };
}

function ownerReferences(
  es: EsView,
  kind: TargetKind,
  existing: readonly OwnerReference[],
): OwnerReference[] {
  const others = existing.filter((r) => r.uid !== es.uid);
  if (es.creationPolicy !== "Owner") return others;
  const otherController = others.find((r) => r.controller === true);
  if (otherController !== undefined) {
    throw new TargetError(
      ExternalSecretMessage.ownedByOther,
      `the ${kind.kind}'s controller is ${otherController.kind} "${otherController.name}"`,
    );
  }
  const self: OwnerReference = {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    name: es.name,
    uid: es.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  return [...others, self];
}

export interface DesiredResourceInput {
  readonly es: ExternalSecretObject;
  readonly kind: TargetKind;
  readonly existing: GenericObject | undefined;
  readonly fetched: SecretData;
  readonly sources: TemplateSources;
  readonly delimiters: Delimiters;
}

/** The object to write, or a TargetError saying why none can be written. */
export function desiredResource(input: DesiredResourceInput): GenericObject {
  const es = viewOf(input.es);
  const field = contentFieldOf(input.kind);
  const draft = initialDraft(es, input.existing, field);
  const template = input.es.spec?.target?.template;
  if (template === undefined) applyGenericWithoutTemplate(input.es, draft, input.fetched, field);
  else
    applyGenericTemplate({
      template,
      draft,
      fetched: input.fetched,
      sources: input.sources,
      delimiters: input.delimiters,
    });
  const { managedFields: _fields, ...existingMeta } = input.existing?.metadata ?? {};
  const metadata: ObjectMeta = {
    ...existingMeta,
    name: es.targetName,
    namespace: es.namespace,
    labels: targetLabels(es, draft.labels),
    annotations: { ...draft.annotations, [ANNOTATION_DATA_HASH]: contentHash(draft.body, field) },
    ownerReferences: ownerReferences(
      es,
      input.kind,
      input.existing?.metadata.ownerReferences ?? [],
    ),
    finalizers: draft.finalizers,
  };
  return { apiVersion: input.kind.apiVersion, kind: input.kind.kind, metadata, ...draft.body };
}

function sameRecord(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

function ownersKey(refs: readonly OwnerReference[] | undefined): string {
  return JSON.stringify(
    (refs ?? []).map((r) => `${r.uid}/${String(r.controller === true)}`).sort(),
  );
}

/** True when writing `desired` would change nothing on `existing` (no apiserver write then). */
export function isResourceUnchanged(existing: GenericObject, desired: GenericObject): boolean {
  const a = existing.metadata;
  const b = desired.metadata;
  return (
    canonicalJson(bodyOf(existing)) === canonicalJson(bodyOf(desired)) &&
    sameRecord(a.labels, b.labels) &&
    sameRecord(a.annotations, b.annotations) &&
    ownersKey(a.ownerReferences) === ownersKey(b.ownerReferences) &&
    JSON.stringify(a.finalizers ?? []) === JSON.stringify(b.finalizers ?? [])
  );
}
