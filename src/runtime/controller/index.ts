export { Controller, DEFAULT_CONCURRENCY } from "./controller.ts";
export type { ControllerOptions, WatchSpec } from "./controller.ts";
export {
  anyOf,
  forObject,
  forOwner,
  generationChanged,
  labelsOrAnnotationsChanged,
} from "./handlers.ts";
export type { MapFunc, Predicate, WatchEventKind } from "./handlers.ts";
export { TerminalError, isTerminal, parseRequestKey, requestKey } from "./types.ts";
export type { ReconcileContext, Reconciler, Request, Result } from "./types.ts";
