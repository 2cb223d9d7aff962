// Every CRD Ferry installs, in a stable order.
import { emitCrd, type CustomResourceDefinition } from "./emit.ts";
import { externalSecretsCrds } from "./externalsecrets.ts";
import { generatorCrds } from "./generators.ts";
import type { CrdDefinition } from "./types.ts";

export const crdDefinitions: readonly CrdDefinition[] = [...externalSecretsCrds, ...generatorCrds];

/** All CustomResourceDefinitions, emitted from the schemas. */
export function emitAllCrds(): CustomResourceDefinition[] {
  return crdDefinitions.map(emitCrd);
}

export { emitCrd, toStructural } from "./emit.ts";
export type { CustomResourceDefinition, JsonSchemaProps } from "./emit.ts";
export type { CrdDefinition, PrinterColumn } from "./types.ts";
