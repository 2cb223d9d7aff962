// sprig math and conversion functions.
import { randomInt } from "node:crypto";
import { FuncError } from "../errors.ts";
import { float64, int64 } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn, parseIntBase0, toFloat64, toInt64 } from "./conv.ts";
import { register } from "./index.ts";

const A = "any" as const;
const I = "int" as const;

// ---- shopspring/decimal, as far as sprig's *f functions use it ----

interface Dec {
  m: bigint;
  e: number; // value = m × 10^e
}

function decFromFloat(f: number): Dec {
  if (!Number.isFinite(f) || f === 0) return { m: 0n, e: 0 };
  const [mant = "0", exp = "0"] = f.toExponential().split("e");
  const digits = mant.replace(".", "").replace("-", "");
  const frac = (mant.split(".")[1] ?? "").length;
  const m = BigInt(digits) * (f < 0 ? -1n : 1n);
  return { m, e: Number(exp) - frac };
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * 10n ** BigInt(a.e - e), b.m * 10n ** BigInt(b.e - e), e];
}

const decAdd = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { m: x + y, e };
};
const decSub = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { m: x - y, e };
};
const decMul = (a: Dec, b: Dec): Dec => ({ m: a.m * b.m, e: a.e + b.e });

function decDiv(a: Dec, b: Dec): Dec {
  if (b.m === 0n) throw new FuncError("decimal division by 0");
  const prec = 16;
  // a/b rounded half away from zero to prec decimal places
  const [x, y] = align(a, b);
  const num = x * 10n ** BigInt(prec);
  let q = num / y;
  const r = num % y;
  const twice = (r < 0n ? -r : r) * 2n;
  const ay = y < 0n ? -y : y;
  if (twice >= ay) q += num < 0n !== y < 0n ? -1n : 1n;
  return { m: q, e: -prec };
}

function decToFloat(d: Dec): number {
  return Number(`${d.m}e${d.e}`);
}

function decimalOp(op: (a: Dec, b: Dec) => Dec): (a: GoValue, ...rest: GoValue[]) => GoValue {
  return (a, ...rest) => {
    let acc = decFromFloat(toFloat64(a));
    for (const x of rest) acc = op(acc, decFromFloat(toFloat64(x)));
    return float64(decToFloat(acc));
  };
}

function intDiv(a: GoValue, b: GoValue): GoValue {
  const d = toInt64(b);
  if (d === 0) throw new FuncError("runtime error: integer divide by zero");
  return int64(Math.trunc(toInt64(a) / d));
}

function intMod(a: GoValue, b: GoValue): GoValue {
  const d = toInt64(b);
  if (d === 0) throw new FuncError("runtime error: integer divide by zero");
  return int64(toInt64(a) % d);
}

function round(a: GoValue, p: GoValue, ...opt: GoValue[]): GoValue {
  const roundOn = opt.length > 0 ? toFloat64(opt[0] ?? null) : 0.5;
  const val = toFloat64(a);
  const pow = 10 ** (p as number);
  const digit = pow * val;
  const div = digit - Math.trunc(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return float64(r / pow);
}

function extremum(
  pick: (a: number, b: number) => number,
): (a: GoValue, ...i: GoValue[]) => GoValue {
  return (a, ...i) => int64(i.reduce<number>((acc, x) => pick(acc, toInt64(x)), toInt64(a)));
}

function extremumF(
  pick: (a: number, b: number) => number,
): (a: GoValue, ...i: GoValue[]) => GoValue {
  return (a, ...i) => float64(i.reduce<number>((acc, x) => pick(acc, toFloat64(x)), toFloat64(a)));
}

const goMax = (a: number, b: number): number =>
  Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
const goMin = (a: number, b: number): number =>
  Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);

register({
  atoi: fn(["string"], (s) => {
    const str = s as string;
    return /^[+-]?\d+$/.test(str) ? (parseIntBase0(str.replace(/^([+-]?)0+(?=\d)/, "$1")) ?? 0) : 0;
  }),
  int64: fn([A], (v) => int64(toInt64(v))),
  int: fn([A], (v) => toInt64(v)),
  float64: fn([A], (v) => float64(toFloat64(v))),
  add1: fn([A], (v) => int64(toInt64(v) + 1)),
  add: fn([], (...v) => int64(v.reduce<number>((acc, x) => acc + toInt64(x), 0)), A),
  sub: fn([A, A], (a, b) => int64(toInt64(a) - toInt64(b))),
  div: fn([A, A], intDiv),
  mod: fn([A, A], intMod),
  mul: fn([A], (a, ...v) => int64(v.reduce<number>((acc, x) => acc * toInt64(x), toInt64(a))), A),
  randInt: fn([I, I], (min, max) => {
    const lo = min as number;
    const hi = max as number;
    if (hi - lo <= 0) throw new FuncError("invalid argument to Intn");
    return randomInt(lo, hi);
  }),
  add1f: fn([A], (v) => decimalOp(decAdd)(v, 1)),
  addf: fn([], (...v) => decimalOp(decAdd)(0, ...v), A),
  subf: fn([A], decimalOp(decSub), A),
  mulf: fn([A], decimalOp(decMul), A),
  divf: fn([A], decimalOp(decDiv), A),
  biggest: fn([A], extremum(Math.max), A),
  max: fn([A], extremum(Math.max), A),
  min: fn([A], extremum(Math.min), A),
  maxf: fn([A], extremumF(goMax), A),
  minf: fn([A], extremumF(goMin), A),
  ceil: fn([A], (a) => float64(Math.ceil(toFloat64(a)))),
  floor: fn([A], (a) => float64(Math.floor(toFloat64(a)))),
  round: fn([A, I], round, "float64"),
});
