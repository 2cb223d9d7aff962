// sprig semver/semverCompare with Masterminds/semver v3 semantics.
import { FuncError } from "../errors.ts";
import { GoNum, GoObject } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";

interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string;
  meta: string;
  original: string;
}

const VERSION_RE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

function parseVersion(v: string): Version {
  const m = VERSION_RE.exec(v);
  if (m === null) throw new FuncError("Invalid Semantic Version");
  const pre = m[5] ?? "";
  for (const id of pre === "" ? [] : pre.split(".")) {
    if (/^0\d+$/.test(id)) throw new FuncError("Version segment starts with 0");
  }
  return {
    major: Number(m[1]),
    minor: Number((m[2] ?? ".0").slice(1)),
    patch: Number((m[3] ?? ".0").slice(1)),
    pre,
    meta: m[8] ?? "",
    original: v,
  };
}

function versionString(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.pre === "" ? "" : `-${v.pre}`}${v.meta === "" ? "" : `+${v.meta}`}`;
}

function comparePreIds(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === "") return 1;
  if (b === "") return -1;
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = comparePreIds(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return comparePre(a.pre, b.pre);
}

function versionObject(v: Version): GoObject {
  const other = (o: GoValue): Version => {
    if (o instanceof GoObject && o.typeName === "*semver.Version") return o.payload as Version;
    throw new FuncError("wrong type for value; expected *semver.Version");
  };
  return new GoObject({
    typeName: "*semver.Version",
    kind: "ptr",
    payload: v,
    str: () => versionString(v),
    json: () => versionString(v),
    methods: {
      Major: () => new GoNum("uint64", v.major),
      Minor: () => new GoNum("uint64", v.minor),
      Patch: () => new GoNum("uint64", v.patch),
      Prerelease: () => v.pre,
      Metadata: () => v.meta,
      Original: () => v.original,
      String: () => versionString(v),
      Compare: (o) => compareVersions(v, other(o)),
      LessThan: (o) => compareVersions(v, other(o)) < 0,
      GreaterThan: (o) => compareVersions(v, other(o)) > 0,
      Equal: (o) => compareVersions(v, other(o)) === 0,
    },
  });
}

// ---- constraints ----

interface Constraint {
  op: string;
  v: Version;
  minorDirty: boolean;
  patchDirty: boolean;
  dirty: boolean;
}

const CV =
  "v?([0-9|x|X|*]+)(\\.[0-9|x|X|*]+)?(\\.[0-9|x|X|*]+)?(-([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?(\\+([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?";
const OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const CONSTRAINT_RE = new RegExp(`^\\s*(${OPS})\\s*(${CV})\\s*$`);
const HYPHEN_RE = new RegExp(`^\\s*(${CV})\\s+-\\s+(${CV})\\s*$`);
const isWild = (s: string | undefined): boolean => s === "x" || s === "X" || s === "*";

function parseConstraint(c: string): Constraint {
  const m = CONSTRAINT_RE.exec(c);
  if (m === null) throw new FuncError(`improper constraint: ${c}`);
  const op = m[1] ?? "";
  const ver = m[2] ?? "";
  const maj = m[3] ?? "";
  const min = (m[4] ?? "").slice(1);
  const pat = (m[5] ?? "").slice(1);
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isWild(maj)) {
    return { op: "*", v: parseVersion("0.0.0"), minorDirty: true, patchDirty: true, dirty: true };
  }
  if (min === "" || isWild(min)) {
    minorDirty = true;
    dirty = true;
  }
  if (minorDirty || pat === "" || isWild(pat)) {
    patchDirty = true;
    dirty = true;
  }
  const clean = ver.replace(/\.[xX*]/g, ".0");
  const v = parseVersion(clean.replace(/^v/, ""));
  return {
    op,
    v,
    minorDirty,
    patchDirty,
    dirty: dirty && (isWild(min) || isWild(pat) || min === "" || pat === ""),
  };
}

type Check = (v: Version, c: Constraint) => boolean;

const preOK = (v: Version, c: Constraint): boolean => v.pre === "" || c.v.pre !== "";

const CHECKS: Record<string, Check> = {
  "*": (v) => v.pre === "",
  "": (v, c) => CHECKS["="]?.(v, c) ?? false,
  "=": (v, c) => {
    if (!preOK(v, c)) return false;
    if (c.dirty) {
      if (v.major !== c.v.major) return false;
      if (!c.minorDirty && v.minor !== c.v.minor) return false;
      if (!c.patchDirty && v.patch !== c.v.patch) return false;
      return true;
    }
    return compareVersions(v, c.v) === 0;
  },
  "!=": (v, c) => !(CHECKS["="]?.(v, { ...c }) ?? false) && preOK(v, c),
  ">": (v, c) => {
    if (!preOK(v, c)) return false;
    if (c.dirty) {
      if (v.major !== c.v.major) return v.major > c.v.major;
      if (c.minorDirty) return false;
      if (v.minor !== c.v.minor) return v.minor > c.v.minor;
      return c.patchDirty ? false : v.patch > c.v.patch;
    }
    return compareVersions(v, c.v) > 0;
  },
  "<": (v, c) => preOK(v, c) && compareVersions(v, c.v) < 0,
  ">=": (v, c) => preOK(v, c) && compareVersions(v, c.v) >= 0,
  "<=": (v, c) => {
    if (!preOK(v, c)) return false;
    if (c.dirty) {
      if (v.major !== c.v.major) return v.major < c.v.major;
      if (c.minorDirty) return true;
      if (v.minor !== c.v.minor) return v.minor < c.v.minor;
      return true;
    }
    return compareVersions(v, c.v) <= 0;
  },
  "~": (v, c) => {
    if (!preOK(v, c) || compareVersions(v, c.v) < 0) return false;
    if (c.v.minor === 0 && c.minorDirty) return v.major === c.v.major;
    if (v.major !== c.v.major) return false;
    return v.minor === c.v.minor || c.minorDirty;
  },
  "^": (v, c) => {
    if (!preOK(v, c) || compareVersions(v, c.v) < 0) return false;
    if (c.v.major > 0 || c.minorDirty) return v.major === c.v.major;
    if (c.v.minor > 0 || c.patchDirty) return v.major === 0 && v.minor === c.v.minor;
    return v.major === 0 && v.minor === 0 && v.patch === c.v.patch;
  },
};
for (const [alias, op] of [
  ["=>", ">="],
  ["=<", "<="],
  ["~>", "~"],
] as const) {
  const check = CHECKS[op];
  if (check !== undefined) CHECKS[alias] = check;
}

function parseGroup(g: string): Constraint[] {
  const h = HYPHEN_RE.exec(g);
  if (h !== null)
    return [parseConstraint(`>= ${h[1] ?? ""}`), parseConstraint(`<= ${h[11] ?? ""}`)];
  const parts = g
    .trim()
    .replace(/(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)\s+/g, "$1")
    .split(/\s*,\s*|\s+/)
    .filter((p) => p !== "");
  if (parts.length === 0) throw new FuncError(`improper constraint: ${g}`);
  return parts.map(parseConstraint);
}

function semverCompare(constraint: GoValue, version: GoValue): GoValue {
  const groups = (constraint as string).split("||").map(parseGroup);
  const v = parseVersion(version as string);
  return groups.some((g) => g.every((c) => (CHECKS[c.op] ?? (() => false))(v, c)));
}

register({
  semver: fn(["string"], (s) => versionObject(parseVersion(s as string))),
  semverCompare: fn(["string", "string"], semverCompare),
});
