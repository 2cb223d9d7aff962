// Every subcommand of `ferry`, in the order `ferry --help` lists them.
import type { Command } from "../command.ts";
import { controllerCommand } from "./controller.ts";
import { crdsCommand } from "./crds.ts";
import { renderCommand } from "./render.ts";
import { templateCommand } from "./template.ts";
import { versionCommand } from "./version.ts";

export const commands: readonly Command[] = [
  renderCommand,
  controllerCommand,
  templateCommand,
  crdsCommand,
  versionCommand,
];
