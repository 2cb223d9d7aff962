// Deferred loading of third-party packages (start-up memory), for providers
// and controllers. The one implementation is in src/template, the lowest
// layer that may use it; providers other than webhook may not import the
// template engine, so they reach it here.
export { lazy, lazyRequire } from "../template/lazy.ts";
