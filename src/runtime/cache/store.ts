// The informer's local copy of the watched objects, keyed by namespace and
// name, with optional secondary indexes (e.g. "Secrets by owner").
import type { KubeObject } from "../client/index.ts";

export type IndexFunc<T> = (obj: T) => readonly string[];

/** Read access to a cache; what controllers get. */
export interface Reader<T extends KubeObject> {
  get(namespace: string, name: string): T | undefined;
  /** All objects, or those of one namespace. */
  list(namespace?: string): T[];
  /** Objects whose index `indexName` contains `value`. */
  byIndex(indexName: string, value: string): T[];
  readonly size: number;
}

function nsOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? "";
}

function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? "";
}

export function storeKey(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}

export class Store<T extends KubeObject> implements Reader<T> {
  readonly #byNamespace = new Map<string, Map<string, T>>();
  readonly #indexers = new Map<string, IndexFunc<T>>();
  readonly #indexes = new Map<string, Map<string, Set<string>>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.#indexers.has(name)) throw new Error(`index ${name} already exists`);
    this.#indexers.set(name, fn);
    this.#indexes.set(name, new Map());
    for (const obj of this.list()) this.#index(name, fn, obj);
  }

  get(namespace: string, name: string): T | undefined {
    return this.#byNamespace.get(namespace)?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.#byNamespace.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const objects of this.#byNamespace.values()) out.push(...objects.values());
    return out;
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.#indexes.get(indexName);
    if (index === undefined) throw new Error(`no index ${indexName}`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) {
      const [namespace, name] = splitKey(key);
      const obj = this.get(namespace, name);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Inserts or replaces; returns the previous object. */
  set(obj: T): T | undefined {
    const namespace = nsOf(obj);
    let objects = this.#byNamespace.get(namespace);
    if (objects === undefined) {
      objects = new Map();
      this.#byNamespace.set(namespace, objects);
    }
    const old = objects.get(nameOf(obj));
    if (old !== undefined) this.#unindexAll(old);
    else this.#size++;
    objects.set(nameOf(obj), obj);
    for (const [name, fn] of this.#indexers) this.#index(name, fn, obj);
    return old;
  }

  /** Removes; returns the removed object. */
  delete(namespace: string, name: string): T | undefined {
    const objects = this.#byNamespace.get(namespace);
    const old = objects?.get(name);
    if (objects === undefined || old === undefined) return undefined;
    objects.delete(name);
    if (objects.size === 0) this.#byNamespace.delete(namespace);
    this.#size--;
    this.#unindexAll(old);
    return old;
  }

  #index(indexName: string, fn: IndexFunc<T>, obj: T): void {
    const index = this.#indexes.get(indexName);
    if (index === undefined) return;
    const key = storeKey(nsOf(obj), nameOf(obj));
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (keys === undefined) {
        keys = new Set();
        index.set(value, keys);
      }
      keys.add(key);
    }
  }

  #unindexAll(obj: T): void {
    const key = storeKey(nsOf(obj), nameOf(obj));
    for (const [indexName, fn] of this.#indexers) {
      const index = this.#indexes.get(indexName);
      for (const value of fn(obj)) {
        const keys = index?.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index?.delete(value);
      }
    }
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf("/");
  return slash < 0 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
}
