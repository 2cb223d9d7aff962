import { readFileSync } from "node:fs";

/** Where a command writes; injected so tests can capture the output. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A subcommand of `ferry`. `run` resolves to the process exit code. */
export interface Command {
  readonly summary: string;
  readonly run: (args: readonly string[], io: Io) => Promise<number> | number;
}

export function ferryVersion(): string {
  // package.json sits two levels above both src/cli and dist/cli.
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

const commands: Readonly<Record<string, Command>> = {
  version: {
    summary: "print the version of Ferry",
    run: (_args, io) => {
      io.stdout(`ferry ${ferryVersion()} (node ${process.versions.node})\n`);
      return 0;
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(
    ([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`,
  );
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
  if (name === "--version") return commands["version"]?.run([], io) ?? 0;
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`ferry: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest, io);
}
