// Every subcommand of `ferry`, in the order `ferry --help` lists them.
//
// Only names and summaries live here. A command's module, and all it pulls
// in (the controllers and providers for `controller`, the CRD generator and
// yaml for `crds`, the render machinery for `render`, the template engine
// for `template`), is imported when that command runs, so that a running
// `ferry controller` does not hold the code of the others (start-up memory).
import type { Command } from "../command.ts";

export const renderCommand: Command = {
  name: "render",
  summary: "print the Secrets that ExternalSecrets in manifest files would produce (no cluster)",
  run: async (args, io) => (await import("./render.ts")).run(args, io),
};

export const controllerCommand: Command = {
  name: "controller",
  summary: "run the controllers (ESO's external-secrets command)",
  run: async (args, io) => (await import("./controller.ts")).run(args, io),
};

export const templateCommand: Command = {
  name: "template",
  summary: "render an ExternalSecret template offline (ESO template engine v2)",
  run: async (args, io) => (await import("./template.ts")).run(args, io),
};

export const crdsCommand: Command = {
  name: "crds",
  summary: "print the CustomResourceDefinitions Ferry serves, as multi-document YAML",
  run: async (args, io) => (await import("./crds.ts")).run(args, io),
};

export const versionCommand: Command = {
  name: "version",
  summary: "print the version of Ferry",
  run: async (args, io) => (await import("./version.ts")).run(args, io),
};

export const commands: readonly Command[] = [
  renderCommand,
  controllerCommand,
  templateCommand,
  crdsCommand,
  versionCommand,
];
