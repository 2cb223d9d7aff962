import { readFileSync } from "node:fs";
import type { Io } from "../command.ts";

export function ferryVersion(): string {
  // package.json sits three levels above both src/cli/commands and dist/cli/commands.
  const pkg = JSON.parse(
    readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return pkg.version;
}

export function run(_args: readonly string[], io: Io): number {
  io.stdout(`ferry ${ferryVersion()} (node ${process.versions.node})\n`);
  return 0;
}

// The command itself (name, summary, lazy run) is declared in ./index.ts;
// re-exported for callers that import it from this module.
export { versionCommand } from "./index.ts";
