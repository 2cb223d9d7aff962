// Deferred loading of third-party packages, for start-up memory: an idle
// controller should not hold packages (YAML, PKCS#12, bcrypt, RE2) that only
// some templates or stores need. Also re-exported by src/esutils/lazy.ts for
// the layers that may not import the template engine.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Returns a function that calls `load` once, on its first call, and returns that result ever after. */
export function lazy<T>(load: () => T): () => T {
  let loaded: { readonly value: T } | undefined;
  return () => (loaded ??= { value: load() }).value;
}

/**
 * Returns a function that `require`s the package `id` on its first call, for
 * synchronous code. Give the type with `import type * as M from "id"` and
 * `lazyRequire<typeof M>("id")`. For packages with separate ESM and CommonJS
 * builds, every production import of `id` must go through here, so that only
 * one build is ever loaded.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the caller's `import type` of the same package
export function lazyRequire<T>(id: string): () => T {
  return lazy(() => require(id) as T);
}
