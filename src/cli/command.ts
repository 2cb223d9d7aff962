// The contract between `ferry` and its subcommands.

/** Where a command writes; injected so tests can capture the output. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, read whole (for commands that accept `-` or a pipe). */
  readonly readStdin?: () => Promise<string>;
}

/** A subcommand of `ferry`. `run` resolves to the process exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly run: (args: readonly string[], io: Io) => Promise<number> | number;
}
