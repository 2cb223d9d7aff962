// Ferry's controller-runtime: a generic controller kit that knows nothing
// about External Secrets. Controllers import from here.
export * from "./cache/index.ts";
export * from "./client/index.ts";
export * from "./clock/index.ts";
export * from "./controller/index.ts";
export * from "./events/index.ts";
export * from "./leaderelection/index.ts";
export * from "./log/index.ts";
export * from "./manager/index.ts";
export * from "./metrics/index.ts";
export * from "./workqueue/index.ts";
