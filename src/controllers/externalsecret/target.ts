// The Secret an ExternalSecret wants, computed from the existing Secret (if
// any) and the fetched data, following ESO's mutation order (eso-reference
// §10.4 and §11.1 step 10): forget what this ExternalSecret wrote before,
// apply metadata and data (or the template), set ownership, then the
// `managed` label and the `data-hash` annotation.
import { createHash } from "node:crypto";
import {
  ANNOTATION_DATA_HASH,
  FIELD_MANAGER_PREFIX,
  LABEL_CREATED_BY,
  LABEL_MANAGED,
  LABEL_MANAGED_VALUE,
} from "../../api/index.ts";
import { createdByHash, secretDataHash } from "../../esutils/object-hash.ts";
import type { ManagedFieldsEntry, ObjectMeta, OwnerReference } from "../../runtime/index.ts";
import { viewOf, type EsView, type ExternalSecretObject as ExternalSecret } from "./es-view.ts";

/** A core/v1 Secret as it travels over the wire (data is base64). */
export interface WireSecret {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
  immutable?: boolean;
}

export type SecretData = Map<string, Uint8Array>;

export class TargetError extends Error {
  readonly reasonMessage: string;

  constructor(reasonMessage: string, detail: string) {
    super(`${reasonMessage}: ${detail}`);
    this.name = "TargetError";
    this.reasonMessage = reasonMessage;
  }
}

/** ESO's field manager name for an ExternalSecret (a hash when it would exceed 63 characters). */
export function fieldManagerFor(esName: string): string {
  const fqdn = `${FIELD_MANAGER_PREFIX}${esName}`;
  if (fqdn.length <= 63) return fqdn;
  return `${FIELD_MANAGER_PREFIX}sha3/${createHash("sha3-224").update(esName).digest("hex")}`;
}

export function decodeData(data: Readonly<Record<string, string>> | undefined): SecretData {
  return new Map(
    Object.entries(data ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, "base64"))]),
  );
}

export function encodeData(data: SecretData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...data.keys()].sort())
    out[key] = Buffer.from(data.get(key) ?? new Uint8Array()).toString("base64");
  return out;
}

interface OwnedFields {
  readonly data: Set<string>;
  readonly labels: Set<string>;
  readonly annotations: Set<string>;
}

function fieldKeys(fields: unknown, path: readonly string[]): string[] {
  let node = fields;
  for (const part of path) {
    if (typeof node !== "object" || node === null) return [];
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node !== "object" || node === null) return [];
  return Object.keys(node)
    .filter((k) => k.startsWith("f:"))
    .map((k) => k.slice(2));
}

/** Data keys, labels and annotations this ExternalSecret's field manager owns on the Secret. */
export function ownedFields(
  managedFields: readonly ManagedFieldsEntry[] | undefined,
  manager: string,
): OwnedFields {
  const owned: OwnedFields = { data: new Set(), labels: new Set(), annotations: new Set() };
  for (const entry of managedFields ?? []) {
    if (entry.manager !== manager || entry.subresource !== undefined) continue;
    for (const k of fieldKeys(entry.fieldsV1, ["f:data"])) owned.data.add(k);
    for (const k of fieldKeys(entry.fieldsV1, ["f:metadata", "f:labels"])) owned.labels.add(k);
    for (const k of fieldKeys(entry.fieldsV1, ["f:metadata", "f:annotations"]))
      owned.annotations.add(k);
  }
  return owned;
}

/** Applies an ExternalSecret's template; without one, the fetched data is the data. */
export type TemplateApplier = (
  es: ExternalSecret,
  secret: MutableTarget,
  fetched: SecretData,
) => void;

/** The parts of a Secret a template may change. */
export interface MutableTarget {
  type: string | undefined;
  data: SecretData;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers: string[];
}

export function without(
  record: Readonly<Record<string, string>> | undefined,
  drop: Set<string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([k]) => !drop.has(k)));
}

function initialTarget(
  es: EsView,
  existing: WireSecret | undefined,
  owned: OwnedFields,
): MutableTarget {
  const keepExisting = es.creationPolicy === "Merge" || es.creationPolicy === "CreateOrMerge";
  const data = keepExisting ? decodeData(existing?.data) : new Map<string, Uint8Array>();
  for (const k of owned.data) data.delete(k);
  const meta = existing?.metadata ?? {};
  return {
    type: existing?.type,
    data,
    labels: without(meta.labels, owned.labels),
    annotations: without(meta.annotations, owned.annotations),
    finalizers: [...(meta.finalizers ?? [])],
  };
}

/** Without a template ESO copies the ExternalSecret's own labels and annotations. */
export const applyWithoutTemplate: TemplateApplier = (es, target, fetched) => {
  Object.assign(target.labels, es.metadata?.labels ?? {});
  Object.assign(target.annotations, es.metadata?.annotations ?? {});
  for (const [k, v] of fetched) target.data.set(k, v);
};

function describeOwner(ref: OwnerReference): string {
  return ref.kind === "ExternalSecret"
    ? `ExternalSecret "${ref.name}"`
    : `${ref.kind} "${ref.name}"`;
}

function ownerReferences(es: EsView, existing: readonly OwnerReference[]): OwnerReference[] {
  const others = existing.filter((r) => r.uid !== es.uid);
  if (es.creationPolicy !== "Owner") return others;
  const otherController = others.find((r) => r.controller === true);
  if (otherController !== undefined) {
    throw new TargetError(
      "target is owned by another ExternalSecret",
      `the Secret's controller is ${describeOwner(otherController)}`,
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

export interface DesiredInput {
  readonly es: ExternalSecret;
  readonly existing: WireSecret | undefined;
  readonly fetched: SecretData;
  readonly applyTemplate: TemplateApplier;
}

export function targetLabels(
  es: EsView,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...labels, [LABEL_MANAGED]: LABEL_MANAGED_VALUE };
  if (es.creationPolicy === "Owner") out[LABEL_CREATED_BY] = createdByHash(es.namespace, es.name);
  else return without(out, new Set([LABEL_CREATED_BY]));
  return out;
}

/** The Secret to write, or a TargetError saying why none can be written. */
export function desiredSecret(input: DesiredInput): WireSecret {
  const es = viewOf(input.es);
  const existing = input.existing;
  const owned = ownedFields(existing?.metadata.managedFields, fieldManagerFor(es.name));
  const target = initialTarget(es, existing, owned);
  input.applyTemplate(input.es, target, input.fetched);
  const metadata: ObjectMeta = {
    name: es.targetName,
    namespace: es.namespace,
    labels: targetLabels(es, target.labels),
    annotations: { ...target.annotations, [ANNOTATION_DATA_HASH]: secretDataHash(target.data) },
    ownerReferences: ownerReferences(es, existing?.metadata.ownerReferences ?? []),
    finalizers: target.finalizers,
  };
  if (existing?.metadata.resourceVersion !== undefined)
    metadata.resourceVersion = existing.metadata.resourceVersion;
  const secret: WireSecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: target.type ?? "Opaque",
    data: encodeData(target.data),
  };
  if (es.immutable || existing?.immutable === true) secret.immutable = true;
  return secret;
}

function sameRecord(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => b?.[k] === v);
}

function sameOwners(
  a: readonly OwnerReference[] | undefined,
  b: readonly OwnerReference[] | undefined,
): boolean {
  const key = (r: OwnerReference): string => `${r.uid}/${String(r.controller === true)}`;
  return JSON.stringify((a ?? []).map(key).sort()) === JSON.stringify((b ?? []).map(key).sort());
}

function sameMeta(a: ObjectMeta, b: ObjectMeta): boolean {
  const finalizers = (m: ObjectMeta): string => JSON.stringify(m.finalizers ?? []);
  return (
    sameRecord(a.labels, b.labels) &&
    sameRecord(a.annotations, b.annotations) &&
    sameOwners(a.ownerReferences, b.ownerReferences) &&
    finalizers(a) === finalizers(b)
  );
}

/** True when writing `desired` would change nothing on `existing` (no apiserver write then). */
export function isUnchanged(existing: WireSecret, desired: WireSecret): boolean {
  const shape = (s: WireSecret): string =>
    JSON.stringify([s.type ?? "Opaque", s.immutable === true]);
  return (
    sameRecord(existing.data, desired.data) &&
    shape(existing) === shape(desired) &&
    sameMeta(existing.metadata, desired.metadata)
  );
}

/**
 * A valid target needs no refresh: it exists, carries the managed label and
 * its data still hashes to the data-hash annotation (nobody edited it).
 */
export function isValidTarget(secret: WireSecret | undefined): boolean {
  if (secret === undefined) return false;
  if (secret.metadata.labels?.[LABEL_MANAGED] !== LABEL_MANAGED_VALUE) return false;
  return (
    secret.metadata.annotations?.[ANNOTATION_DATA_HASH] === secretDataHash(decodeData(secret.data))
  );
}
