// sprig list and dict functions.
import { FuncError, checkSize } from "../errors.ts";
import { GoMap, GoSlice, anyMap, anySlice, compareBytes, isTrue, stringSlice } from "../value.ts";
import type { GoValue } from "../value.ts";
import {
  deepCopy,
  deepEqual,
  fn,
  isEmpty,
  kindOfValue,
  listItems,
  mustList,
  strslice,
  strval,
  toInt64,
} from "./conv.ts";
import { register } from "./index.ts";

const A = "any" as const;
const I = "int" as const;
const S = "string" as const;
const M = "map" as const;

type Must = (...args: GoValue[]) => GoValue;

/** A function and its must* twin; here both fail the same way (sprig panics or returns an error). */
function pair(
  name: string,
  f: Must,
  params: readonly ("any" | "int")[],
  variadic?: "any",
): Record<string, ReturnType<typeof fn>> {
  const must = `must${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`;
  return { [name]: fn(params, f, variadic), [must]: fn(params, f, variadic) };
}

function push(list: GoValue, v: GoValue): GoValue {
  return anySlice([...mustList(list, "push"), v]);
}

function prepend(list: GoValue, v: GoValue): GoValue {
  return anySlice([v, ...mustList(list, "prepend")]);
}

function first(list: GoValue): GoValue {
  const items = mustList(list, "find first");
  return items.length === 0 ? null : (items[0] ?? null);
}

function last(list: GoValue): GoValue {
  const items = mustList(list, "find last");
  return items.length === 0 ? null : (items[items.length - 1] ?? null);
}

function rest(list: GoValue): GoValue {
  const items = mustList(list, "find rest");
  return anySlice(items.slice(1));
}

function initial(list: GoValue): GoValue {
  const items = mustList(list, "find initial");
  return anySlice(items.slice(0, -1));
}

function reverse(list: GoValue): GoValue {
  return anySlice([...mustList(list, "find reverse")].reverse());
}

function compact(list: GoValue): GoValue {
  return anySlice(mustList(list, "compact").filter((x) => !isEmpty(x)));
}

function uniq(list: GoValue): GoValue {
  const out: GoValue[] = [];
  for (const x of mustList(list, "find uniq")) if (!out.some((y) => deepEqual(x, y))) out.push(x);
  return anySlice(out);
}

function without(list: GoValue, ...omit: GoValue[]): GoValue {
  return anySlice(mustList(list, "find without").filter((x) => !omit.some((o) => deepEqual(x, o))));
}

function has(needle: GoValue, haystack: GoValue): GoValue {
  if (haystack === null || haystack === undefined) return false;
  return mustList(haystack, "find has").some((x) => deepEqual(x, needle));
}

function sliceList(list: GoValue, ...indices: GoValue[]): GoValue {
  const items = listItems(list);
  if (items === undefined)
    throw new FuncError(`list should be type of slice or array but ${kindOfValue(list)}`);
  if (items.length === 0) return null;
  const start = indices.length > 0 ? toInt64(indices[0] ?? null) : 0;
  const end = indices.length > 1 ? toInt64(indices[1] ?? null) : items.length;
  if (start < 0 || end > items.length || start > end) {
    throw new FuncError(
      `runtime error: slice bounds out of range [${start > end ? `${start}:${end}` : `:${end}`}]`,
    );
  }
  return new GoSlice((list as GoSlice).elem, items.slice(start, end));
}

function concat(...lists: GoValue[]): GoValue {
  const out: GoValue[] = [];
  for (const l of lists) {
    const items = listItems(l);
    if (items === undefined) throw new FuncError(`Cannot concat type ${kindOfValue(l)} as list`);
    out.push(...items);
  }
  return anySlice(out);
}

function chunk(size: number, list: GoValue): GoValue {
  const items = mustList(list, "chunk");
  const out: GoValue[] = [];
  for (let i = 0; i < items.length; i += size) out.push(anySlice(items.slice(i, i + size)));
  return new GoSlice("[]interface {}", out);
}

function until(count: number): GoValue {
  return untilStep(0, count, count < 0 ? -1 : 1);
}

function untilStep(start: number, stop: number, step: number): GoValue {
  const out: GoValue[] = [];
  if (stop < start) {
    if (step >= 0) return new GoSlice("int", out);
    checkSize((start - stop) / -step);
    for (let i = start; i > stop; i += step) out.push(i);
    return new GoSlice("int", out);
  }
  if (step <= 0) return new GoSlice("int", out);
  checkSize((stop - start) / step);
  for (let i = start; i < stop; i += step) out.push(i);
  return new GoSlice("int", out);
}

function sortAlpha(list: GoValue): GoValue {
  if (list instanceof GoSlice) return stringSlice([...strslice(list)].sort(compareBytes));
  return stringSlice([strval(list)]);
}

// ---- dicts ----

function asMap(d: GoValue): Map<string, GoValue> {
  return d instanceof GoMap ? d.m : new Map<string, GoValue>();
}

function dict(...v: GoValue[]): GoValue {
  const m = new Map<string, GoValue>();
  for (let i = 0; i < v.length; i += 2) {
    const k = strval(v[i] ?? null);
    m.set(k, i + 1 >= v.length ? "" : (v[i + 1] ?? null));
  }
  return anyMap(m);
}

function nilMapWrite(d: GoValue): Map<string, GoValue> {
  if (!(d instanceof GoMap)) throw new FuncError("assignment to entry in nil map");
  return d.m;
}

function pick(d: GoValue, ...keys: GoValue[]): GoValue {
  const src = asMap(d);
  const m = new Map<string, GoValue>();
  for (const k of keys) if (src.has(k as string)) m.set(k as string, src.get(k as string) ?? null);
  return anyMap(m);
}

function omit(d: GoValue, ...keys: GoValue[]): GoValue {
  const drop = new Set(keys as string[]);
  return anyMap(new Map([...asMap(d)].filter(([k]) => !drop.has(k))));
}

function mergeInto(dst: Map<string, GoValue>, src: Map<string, GoValue>, overwrite: boolean): void {
  for (const [k, sv] of src) {
    const dv = dst.get(k);
    if (dv instanceof GoMap && sv instanceof GoMap) {
      mergeInto(dv.m, sv.m, overwrite);
    } else if (!dst.has(k) || overwrite || isEmpty(dv ?? null)) {
      dst.set(k, sv);
    }
  }
}

function merge(overwrite: boolean): (...d: GoValue[]) => GoValue {
  return (dst, ...srcs) => {
    if (!(dst instanceof GoMap)) throw new FuncError("src and dst must be valid same-type structs");
    for (const s of srcs) if (s instanceof GoMap) mergeInto(dst.m, s.m, overwrite);
    return dst;
  };
}

function dig(...ps: GoValue[]): GoValue {
  if (ps.length < 3) throw new FuncError("dig needs at least three arguments");
  const d = ps[ps.length - 1] ?? null;
  const def = ps[ps.length - 2] ?? null;
  const keys = ps.slice(0, -2).map((k) => {
    if (typeof k !== "string")
      throw new FuncError(`interface conversion: interface {} is ${kindOfValue(k)}, not string`);
    return k;
  });
  if (!(d instanceof GoMap))
    throw new FuncError(
      `interface conversion: interface {} is ${kindOfValue(d)}, not map[string]interface {}`,
    );
  let cur: GoValue = d;
  for (let i = 0; i < keys.length; i++) {
    const m: Map<string, GoValue> = (cur as GoMap).m;
    const k = keys[i] ?? "";
    if (!m.has(k)) return def;
    cur = m.get(k) ?? null;
    if (i < keys.length - 1 && !(cur instanceof GoMap)) {
      throw new FuncError(
        `interface conversion: interface {} is ${kindOfValue(cur)}, not map[string]interface {}`,
      );
    }
  }
  return cur;
}

register({
  list: fn([], (...v) => anySlice(v), A),
  tuple: fn([], (...v) => anySlice(v), A),
  ...pair("push", push, [A, A]),
  ...pair("append", push, [A, A]),
  ...pair("prepend", prepend, [A, A]),
  ...pair("first", first, [A]),
  ...pair("last", last, [A]),
  ...pair("rest", rest, [A]),
  ...pair("initial", initial, [A]),
  ...pair("reverse", reverse, [A]),
  ...pair("compact", compact, [A]),
  ...pair("uniq", uniq, [A]),
  ...pair("without", without, [A], A),
  ...pair("has", has, [A, A]),
  ...pair("slice", sliceList, [A], A),
  ...pair("chunk", (n, l) => chunk(n as number, l), [I, A]),
  concat: fn([], concat, A),
  until: fn([I], (n) => until(n as number)),
  untilStep: fn([I, I, I], (a, b, c) => untilStep(a as number, b as number, c as number)),
  sortAlpha: fn([A], sortAlpha),
  join: fn([S, A], (sep, v) => strslice(v).join(sep as string)),
  dict: fn([], dict, A),
  get: fn([M, S], (d, k) => (asMap(d).has(k as string) ? (asMap(d).get(k as string) ?? null) : "")),
  set: fn([M, S, A], (d, k, v) => {
    nilMapWrite(d).set(k as string, v);
    return d;
  }),
  unset: fn([M, S], (d, k) => {
    asMap(d).delete(k as string);
    return d;
  }),
  hasKey: fn([M, S], (d, k) => asMap(d).has(k as string)),
  pluck: fn(
    [S],
    (k, ...ds) =>
      anySlice(
        ds.filter((d) => asMap(d).has(k as string)).map((d) => asMap(d).get(k as string) ?? null),
      ),
    M,
  ),
  keys: fn([], (...ds) => stringSlice(ds.flatMap((d) => [...asMap(d).keys()])), M),
  values: fn([M], (d) => anySlice([...asMap(d).values()])),
  pick: fn([M], pick, S),
  omit: fn([M], omit, S),
  merge: fn([M], merge(false), M),
  mergeOverwrite: fn([M], merge(true), M),
  mustMerge: fn([M], merge(false), M),
  mustMergeOverwrite: fn([M], merge(true), M),
  dig: fn([], dig, A),
  deepCopy: fn([A], deepCopy),
  mustDeepCopy: fn([A], (v) => {
    if (v === null || v === undefined) throw new FuncError("copy: Cannot copy nil");
    return deepCopy(v);
  }),
  default: fn(
    [A],
    (d, ...given) => (given.length === 0 || isEmpty(given[0] ?? null) ? d : (given[0] ?? null)),
    A,
  ),
  empty: fn([A], isEmpty),
  coalesce: fn([], (...v) => v.find((x) => !isEmpty(x)) ?? null, A),
  all: fn([], (...v) => v.every((x) => !isEmpty(x)), A),
  any: fn([], (...v) => v.some((x) => !isEmpty(x)), A),
  ternary: fn([A, A, "bool"], (t, f, c) => (isTrue(c) ? t : f)),
});
