export {
  CONTROLLER_USAGE,
  DEFAULT_CONTROLLER_OPTIONS,
  FlagError,
  parseControllerFlags,
} from "./options.ts";
export type { ControllerOptions, ParsedFlags } from "./options.ts";
export { controllerSetups } from "./setups.ts";
export type { ControllerSetupEntry } from "./setups.ts";
export { loadKubeConfig, startController } from "./start.ts";
export type { StartHooks } from "./start.ts";
