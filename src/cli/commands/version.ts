import { readFileSync } from "node:fs";
import type { Command } from "../command.ts";

export function ferryVersion(): string {
  // package.json sits three levels above both src/cli/commands and dist/cli/commands.
  const pkg = JSON.parse(
    readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return pkg.version;
}

export const versionCommand: Command = {
  name: "version",
  summary: "print the version of Ferry",
  run: (_args, io) => {
    io.stdout(`ferry ${ferryVersion()} (node ${process.versions.node})\n`);
    return 0;
  },
};
