// The function map of ESO's template engine v2: sprig (minus env,
// expandenv, getHostByName) plus ESO's own functions. An explicit allow-list.
import type { FuncDef } from "../exec.ts";

const registry = new Map<string, FuncDef>();

/** Adds functions to the map (used by the function modules at load time). */
export function register(defs: Readonly<Record<string, FuncDef>>): void {
  for (const [name, def] of Object.entries(defs)) registry.set(name, def);
}

export function registered(): ReadonlyMap<string, FuncDef> {
  return registry;
}
