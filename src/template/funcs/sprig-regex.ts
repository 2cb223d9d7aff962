// sprig regular-expression functions, with Go RE2 syntax and semantics (re2js).
import type { RE2JS } from "re2js";
import { FuncError } from "../errors.ts";
import {
  expandTemplate,
  findAllIndex as allMatches,
  re2js,
  replaceAllGoFunc,
} from "../go-regexp.ts";
import { fromBytes, stringSlice, toBytes } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";

const S = "string" as const;
const I = "int" as const;

const cache = new Map<string, RE2JS>();

function compileRe(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re: RE2JS;
  try {
    re = re2js().RE2JS.compile(fromBytes(pattern));
  } catch (e) {
    const msg = e instanceof Error ? e.message : "invalid regular expression";
    throw new FuncError(
      msg.startsWith("error parsing regexp") ? msg : `error parsing regexp: ${msg}`,
    );
  }
  if (cache.size > 256) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** regexp.MustCompile: panics (function error) with Go's message. */
function mustCompile(pattern: string): RE2JS {
  try {
    return compileRe(pattern);
  } catch (e) {
    throw new FuncError(`regexp: Compile(${goBackquote(pattern)}): ${(e as Error).message}`);
  }
}

function goBackquote(s: string): string {
  return s.includes("`") ? JSON.stringify(s) : `\`${s}\``;
}

function split(r: RE2JS, s: string, n: number): string[] {
  if (n === 0) return [];
  if (r.pattern() !== "" && s === "") return [""];
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

type Compiler = (p: string) => RE2JS;

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
    return toBytes(replaceAllGoFunc(r, str, (group) => expandTemplate(tpl, group)));
  },
  replaceAllLiteral: (c: Compiler) => (re: GoValue, s: GoValue, repl: GoValue) =>
    toBytes(
      replaceAllGoFunc(c(re as string), fromBytes(s as string), () => fromBytes(repl as string)),
    ),
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
