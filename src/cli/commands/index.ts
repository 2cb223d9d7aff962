// Every subcommand of `ferry`, in the order `ferry --help` lists them.
import type { Command } from "../command.ts";
import { versionCommand } from "./version.ts";

export const commands: readonly Command[] = [versionCommand];
