// What a CRD needs beyond its schema: names, scope, versions, columns.
import type { TSchema } from "@sinclair/typebox";

export interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "date" | "integer" | "boolean" | "number";
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

export interface CrdDefinition {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories: readonly string[];
  readonly scope: "Namespaced" | "Cluster";
  /** Served versions; the first one is the storage version. All share one schema. */
  readonly versions: readonly string[];
  readonly schema: TSchema;
  readonly printerColumns?: readonly PrinterColumn[];
  readonly selectableFields?: readonly string[];
  readonly statusSubresource: boolean;
}

/** Label on every CRD (upstream's certcontroller selects CRDs by it). */
export const CRD_COMPONENT_LABEL = { "external-secrets.io/component": "controller" } as const;
