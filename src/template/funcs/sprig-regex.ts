// sprig regular-expression functions, with Go RE2 syntax and semantics (re2js).
import { RE2JS } from "re2js";
import { FuncError } from "../errors.ts";
import { fromBytes, stringSlice, toBytes } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";

const S = "string" as const;
const I = "int" as const;

interface Re {
  readonly re: RE2JS;
  readonly names: Readonly<Record<string, number>>;
  readonly groups: number;
}

const cache = new Map<string, Re>();

function compileRe(pattern: string): Re {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(fromBytes(pattern));
  } catch (e) {
    const msg = e instanceof Error ? e.message : "invalid regular expression";
    throw new FuncError(
      msg.startsWith("error parsing regexp") ? msg : `error parsing regexp: ${msg}`,
    );
  }
  const compiled: Re = { re, names: re.namedGroups(), groups: re.groupCount() };
  if (cache.size > 256) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** regexp.MustCompile: panics (function error) with Go's message. */
function mustCompile(pattern: string): Re {
  try {
    return compileRe(pattern);
  } catch (e) {
    throw new FuncError(`regexp: Compile(${goBackquote(pattern)}): ${(e as Error).message}`);
  }
}

function goBackquote(s: string): string {
  return s.includes("`") ? JSON.stringify(s) : `\`${s}\``;
}

/** Go's FindAll...SubmatchIndex over a Unicode string; n < 0 means all. */
function allMatches(r: Re, s: string, n: number): number[][] {
  const out: number[][] = [];
  const m = r.re.matcher(s);
  let pos = 0;
  let prevEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos && start === end) {
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(pos);
      pos += cp !== undefined && cp > 0xffff ? 2 : 1;
    } else pos = end;
    prevEnd = end;
    if (accept) {
      const groups: number[] = [];
      for (let g = 0; g <= r.groups; g++) groups.push(m.start(g), m.end(g));
      out.push(groups);
    }
  }
  return out;
}

function extractName(t: string, i: number): { name: string; next: number } | undefined {
  let j = i + 1;
  const brace = t[j] === "{";
  if (brace) j++;
  const start = j;
  while (j < t.length && /[\p{L}\p{Nd}_]/u.test(t[j] ?? "")) j++;
  if (j === start) return undefined;
  const name = t.slice(start, j);
  if (brace) {
    if (t[j] !== "}") return undefined;
    j++;
  }
  return { name, next: j };
}

/** Regexp.Expand of a Go replacement template. */
function expand(r: Re, template: string, s: string, match: readonly number[]): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf("$", i);
    if (d < 0) break;
    out += template.slice(i, d);
    if (template[d + 1] === "$") {
      out += "$";
      i = d + 2;
      continue;
    }
    const ex = extractName(template, d);
    if (ex === undefined) {
      out += "$";
      i = d + 1;
      continue;
    }
    i = ex.next;
    out += groupText(r, ex.name, s, match);
  }
  return out + template.slice(i);
}

function groupText(r: Re, name: string, s: string, match: readonly number[]): string {
  let num = -1;
  if (/^\d+$/.test(name) && !(name.length > 1 && name.startsWith("0")) && name.length < 9)
    num = Number(name);
  if (num < 0) num = r.names[name] ?? -1;
  if (num < 0 || num > r.groups) return "";
  const a = match[2 * num] ?? -1;
  const b = match[2 * num + 1] ?? -1;
  return a >= 0 ? s.slice(a, b) : "";
}

function replaceAll(r: Re, s: string, repl: (m: readonly number[]) => string): string {
  let out = "";
  let last = 0;
  for (const m of allMatches(r, s, -1)) {
    const a = m[0] ?? 0;
    const b = m[1] ?? 0;
    out += s.slice(last, a) + repl(m);
    last = b;
  }
  return out + s.slice(last);
}

function split(r: Re, s: string, n: number): string[] {
  if (n === 0) return [];
  if (r.re.pattern() !== "" && s === "") return [""];
  const matches = allMatches(r, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m[0] ?? 0;
    if ((m[1] ?? 0) !== 0) out.push(s.slice(beg, end));
    beg = m[1] ?? 0;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

type Compiler = (p: string) => Re;

const ops = {
  match: (c: Compiler) => (re: GoValue, s: GoValue) =>
    allMatches(c(re as string), fromBytes(s as string), 1).length > 0,
  findAll: (c: Compiler) => (re: GoValue, s: GoValue, n: GoValue) => {
    const str = fromBytes(s as string);
    return stringSlice(
      allMatches(c(re as string), str, n as number).map((m) => toBytes(str.slice(m[0], m[1]))),
    );
  },
  find: (c: Compiler) => (re: GoValue, s: GoValue) => {
    const str = fromBytes(s as string);
    const m = allMatches(c(re as string), str, 1)[0];
    return m === undefined ? "" : toBytes(str.slice(m[0], m[1]));
  },
  replaceAll: (c: Compiler) => (re: GoValue, s: GoValue, repl: GoValue) => {
    const r = c(re as string);
    const str = fromBytes(s as string);
    const tpl = fromBytes(repl as string);
    return toBytes(replaceAll(r, str, (m) => expand(r, tpl, str, m)));
  },
  replaceAllLiteral: (c: Compiler) => (re: GoValue, s: GoValue, repl: GoValue) =>
    toBytes(replaceAll(c(re as string), fromBytes(s as string), () => fromBytes(repl as string))),
  split: (c: Compiler) => (re: GoValue, s: GoValue, n: GoValue) =>
    stringSlice(split(c(re as string), fromBytes(s as string), n as number).map(toBytes)),
};

const quietMatch = (re: GoValue, s: GoValue): GoValue => {
  try {
    return ops.match(compileRe)(re, s);
  } catch {
    return false;
  }
};

register({
  regexMatch: fn([S, S], quietMatch),
  mustRegexMatch: fn([S, S], ops.match(compileRe)),
  regexFindAll: fn([S, S, I], ops.findAll(mustCompile)),
  mustRegexFindAll: fn([S, S, I], ops.findAll(compileRe)),
  regexFind: fn([S, S], ops.find(mustCompile)),
  mustRegexFind: fn([S, S], ops.find(compileRe)),
  regexReplaceAll: fn([S, S, S], ops.replaceAll(mustCompile)),
  mustRegexReplaceAll: fn([S, S, S], ops.replaceAll(compileRe)),
  regexReplaceAllLiteral: fn([S, S, S], ops.replaceAllLiteral(mustCompile)),
  mustRegexReplaceAllLiteral: fn([S, S, S], ops.replaceAllLiteral(compileRe)),
  regexSplit: fn([S, S, I], ops.split(mustCompile)),
  mustRegexSplit: fn([S, S, I], ops.split(compileRe)),
  regexQuoteMeta: fn([S], (s) => (s as string).replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")),
});
