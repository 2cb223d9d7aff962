import type { Command, Io } from "./command.ts";
import { commands } from "./commands/index.ts";

export type { Io } from "./command.ts";

const byName = new Map<string, Command>(commands.map((c) => [c.name, c]));

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "ferry: External Secrets for Kubernetes, compatible with the External Secrets Operator API.",
    "",
    "Usage: ferry <command> [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run `ferry <command> --help` for the flags of a command.",
    "",
  ].join("\n");
}

/** Runs `ferry` with the given arguments and returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = byName.get(name === "--version" ? "version" : name);
  if (command === undefined) {
    io.stderr(`ferry: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}
