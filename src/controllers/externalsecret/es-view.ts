// An ExternalSecret with ESO's defaults resolved once, so the logic that
// uses it does not repeat `?? default` at every turn.
import type { ExternalSecret } from "../../api/index.ts";
import type { ObjectMeta } from "../../runtime/index.ts";

/**
 * An ExternalSecret as it comes off the wire: the api types describe
 * metadata with client-node's classes (Date timestamps), the informer holds
 * plain JSON.
 */
export type ExternalSecretObject = Omit<ExternalSecret, "metadata"> & { metadata?: ObjectMeta };

export type CreationPolicy = "Owner" | "Orphan" | "Merge" | "None" | "CreateOrMerge";
export type DeletionPolicy = "Delete" | "Merge" | "Retain";

export interface EsView {
  readonly es: ExternalSecretObject;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly targetName: string;
  readonly creationPolicy: CreationPolicy;
  readonly deletionPolicy: DeletionPolicy;
  readonly immutable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const TARGET_DEFAULTS = {
  creationPolicy: "Owner",
  deletionPolicy: "Retain",
  name: "",
  immutable: false,
} as const;

export function viewOf(es: ExternalSecretObject): EsView {
  const m = es.metadata ?? {};
  const meta = { name: m.name ?? "", namespace: m.namespace ?? "", uid: m.uid ?? "" };
  const target = { ...TARGET_DEFAULTS, ...es.spec?.target };
  return {
    es,
    name: meta.name,
    namespace: meta.namespace,
    uid: meta.uid,
    targetName: target.name === "" ? meta.name : target.name,
    creationPolicy: target.creationPolicy,
    deletionPolicy: target.deletionPolicy,
    immutable: target.immutable,
    labels: m.labels ?? {},
    annotations: m.annotations ?? {},
  };
}
