// Conversions sprig applies to its arguments (strval, cast.To*), with Go semantics.
import { FuncError } from "../errors.ts";
import type { FuncDef, ParamType } from "../exec.ts";
import { formatValue } from "../fmt.ts";
import { GoMap, GoNum, GoObject, GoSlice, basicKind, numValue, typeName } from "../value.ts";
import type { GoValue } from "../value.ts";

/** Declares a function: fixed parameter types, optional variadic type. */
export function fn(
  params: readonly ParamType[],
  f: (...args: GoValue[]) => GoValue,
  variadic?: ParamType,
): FuncDef {
  return variadic === undefined ? { params, fn: f } : { params, fn: f, variadic };
}

/** sprig strval: strings as is, Stringers via String(), the rest with %v. */
export function strval(v: GoValue): string {
  if (typeof v === "string") return v;
  if (v instanceof GoObject) return v.str();
  if (v === null || v === undefined) return "<nil>";
  return formatValue(v);
}

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === ".") {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === "0") foundZero = true;
    else return s;
  }
  return s;
}

/** strconv.ParseInt(s, 0, 64); undefined on error. */
export function parseIntBase0(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (m === null) return undefined;
  let body = m[2] ?? "";
  if (body.includes("_")) {
    if (/__|_$/.test(body) || (!/^[1-9]/.test(body) && !/^0[xXoObB]?_?/.test(body)))
      return undefined;
    body = body.replaceAll("_", "");
  }
  let v: bigint;
  if (/^0[xXoObB]/.test(body)) v = BigInt(body.length > 2 ? body : "x");
  else if (body.length > 1 && body.startsWith("0")) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  if (m[1] === "-") v = -v;
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n)) return undefined;
  return Number(v);
}

/** strconv.ParseFloat(s, 64); undefined on error. */
export function parseFloat64(s: string): number | undefined {
  const t = s.replaceAll("_", "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (/^[+-]?0[xX]/.test(t)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
    if (m === null) return undefined;
    const v =
      parseInt((m[2] ?? "") + (m[3] ?? "") || "0", 16) *
      2 ** (Number(m[4]) - 4 * (m[3] ?? "").length);
    return m[1] === "-" ? -v : v;
  }
  return undefined;
}

/** cast.ToInt64 (errors → 0). */
export function toInt64(v: GoValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof GoNum) return v.t.startsWith("float") ? Math.trunc(v.v) : v.v;
  if (typeof v === "string") return parseIntBase0(trimZeroDecimal(v)) ?? 0;
  return 0;
}

/** cast.ToFloat64 (errors → 0). */
export function toFloat64(v: GoValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof GoNum) return v.v;
  if (typeof v === "string") return parseFloat64(v) ?? 0;
  return 0;
}

/** Items of any Go slice, or undefined when v is not a slice. */
export function listItems(v: GoValue): GoValue[] | undefined {
  return v instanceof GoSlice ? v.items : undefined;
}

/** The items of a list argument, or a panic like sprig's "Cannot X on type T". */
export function mustList(v: GoValue, what: string): GoValue[] {
  const items = listItems(v);
  if (items === undefined) throw new FuncError(`Cannot ${what} on type ${kindOfValue(v)}`);
  return items;
}

export function kindOfValue(v: GoValue): string {
  if (v === null || v === undefined) return "invalid";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "int";
  if (typeof v === "boolean") return "bool";
  if (v instanceof GoNum) return v.t;
  if (v instanceof GoSlice) return "slice";
  if (v instanceof GoMap) return "map";
  return v.kind;
}

/** sprig strslice / toStrings. */
export function strslice(v: GoValue): string[] {
  if (v instanceof GoSlice) {
    if (v.elem === "string") return v.items as string[];
    return v.items.filter((x) => x !== null && x !== undefined).map(strval);
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

/** sprig empty(). */
export function isEmpty(v: GoValue): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.length === 0;
  if (typeof v === "number") return v === 0;
  if (typeof v === "boolean") return !v;
  if (v instanceof GoNum) return v.v === 0;
  if (v instanceof GoSlice) return v.items.length === 0;
  if (v instanceof GoMap) return v.m.size === 0;
  return false;
}

/** reflect.DeepEqual. */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === null || a === undefined || b === null || b === undefined) {
    return (a === null || a === undefined) && (b === null || b === undefined);
  }
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof GoSlice && b instanceof GoSlice) {
    return a.items.length === b.items.length && a.items.every((x, i) => deepEqual(x, b.items[i]));
  }
  if (a instanceof GoMap && b instanceof GoMap) {
    if (a.m.size !== b.m.size) return false;
    for (const [k, x] of a.m) if (!b.m.has(k) || !deepEqual(x, b.m.get(k))) return false;
    return true;
  }
  if (basicKind(a) !== "invalid") return numOrSame(a, b);
  return a === b;
}

function numOrSame(a: GoValue, b: GoValue): boolean {
  if (a instanceof GoNum || b instanceof GoNum) return numValue(a) === numValue(b);
  return a === b;
}

/** copystructure.Copy of a value. */
export function deepCopy(v: GoValue): GoValue {
  if (v instanceof GoSlice) return new GoSlice(v.elem, v.items.map(deepCopy));
  if (v instanceof GoMap)
    return new GoMap(v.elem, new Map([...v.m].map(([k, x]) => [k, deepCopy(x)])));
  return v;
}
