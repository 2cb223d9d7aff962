// `ferry crds`: prints every CRD as one multi-document YAML (the same text as
// deploy/crds/bundle.yaml). Also the renderer scripts/gen-crds.ts writes with.
import { stringify } from "yaml";
import { emitAllCrds, type CustomResourceDefinition } from "../../api/crd/index.ts";
import type { Io } from "../command.ts";

const HEADER =
  "# Generated from src/api/schema by scripts/gen-crds.ts (npm run crds). Do not edit.\n";

export interface RenderedCrd {
  /** `<group>_<plural>.yaml` */
  readonly fileName: string;
  readonly yaml: string;
}

function toYaml(crd: CustomResourceDefinition): string {
  return stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** One YAML document per CRD, with the file name it is checked in under. */
export function renderCrdFiles(): RenderedCrd[] {
  return emitAllCrds().map((crd) => {
    const spec = crd.spec as { group: string; names: { plural: string } };
    return { fileName: `${spec.group}_${spec.names.plural}.yaml`, yaml: HEADER + toYaml(crd) };
  });
}

/** All CRDs as one multi-document YAML. */
export function renderCrdBundle(): string {
  return (
    HEADER +
    emitAllCrds()
      .map((crd) => `---\n${toYaml(crd)}`)
      .join("")
  );
}

export function run(args: readonly string[], io: Io): number {
  if (args.length > 0) {
    io.stderr(`ferry crds: unexpected argument ${args[0] ?? ""}\n`);
    return 2;
  }
  io.stdout(renderCrdBundle());
  return 0;
}

// The command itself (name, summary, lazy run) is declared in ./index.ts;
// re-exported for callers that import it from this module.
export { crdsCommand } from "./index.ts";
