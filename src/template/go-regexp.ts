// Go's regexp semantics on top of re2js (a pure-JS RE2). The one
// implementation of Go's match iteration, replacement and `$` expansion in
// Ferry: the sprig regex functions use it, and so does esutils (rewrite,
// find). Two rules users see, both unlike JavaScript's replace:
// - an empty match right after a match is not replaced (`(.*)` → `my_$1` on
//   "foo" gives "my_foo", not "my_foomy_");
// - `$name` takes the longest run of letters, digits and `_` (`$1x` is the
//   group named "1x", i.e. empty; `${1}x` is group 1 then "x").
import type * as Re2js from "re2js";
import type { RE2JS } from "re2js";
import { lazyRequire } from "./lazy.ts";

/**
 * re2js, loaded by the first regular expression compiled rather than at
 * start-up (start-up memory). Every compile in Ferry goes through here, so
 * only its CommonJS build is ever loaded and RE2JS objects are of one class.
 */
export const re2js = lazyRequire<typeof Re2js>("re2js");

/** A group's text by number or name; "" for an unknown or unmatched group. */
export type GroupLookup = (ref: number | string) => string;

interface Reference {
  readonly name: string;
  readonly rest: string;
}

const NAME_RUNE = /^[\p{L}\p{Nd}_]$/u;

/** Go's regexp `extract`: the group name after a `$`, or undefined if malformed. */
function extractReference(template: string): Reference | undefined {
  const brace = template.startsWith("{");
  const body = brace ? template.slice(1) : template;
  let length = 0;
  for (const rune of body) {
    if (!NAME_RUNE.test(rune)) break;
    length += rune.length;
  }
  if (length === 0) return undefined;
  if (brace && body.charAt(length) !== "}") return undefined;
  return { name: body.slice(0, length), rest: body.slice(length + (brace ? 1 : 0)) };
}

/** A group number per Go: decimal digits, no leading zero, at most 9 digits; else -1 (a name). */
function groupNumber(name: string): number {
  if (!/^\d{1,9}$/.test(name) || (name.length > 1 && name.startsWith("0"))) return -1;
  return Number(name);
}

/** Go's Regexp.Expand of `template` for one match. */
export function expandTemplate(template: string, group: GroupLookup): string {
  let out = "";
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf("$");
    if (dollar < 0) return out + rest;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith("$")) {
      out += "$";
      rest = rest.slice(1);
      continue;
    }
    const ref = extractReference(rest);
    if (ref === undefined) {
      out += "$";
      continue;
    }
    rest = ref.rest;
    const num = groupNumber(ref.name);
    out += group(num >= 0 ? num : ref.name);
  }
}

/** Width in UTF-16 units of the character at `pos` (Go advances by one rune). */
function runeWidth(s: string, pos: number): number {
  return (s.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
}

/**
 * Go's FindAll…SubmatchIndex: for each match, [start0, end0, start1, end1, …]
 * (-1 for a group that did not take part); n < 0 means all matches.
 */
export function findAllIndex(re: RE2JS, s: string, n: number): number[][] {
  const out: number[][] = [];
  const matcher = re.matcher(s);
  const groups = re.groupCount();
  let pos = 0;
  let prevMatchEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length && matcher.find(pos)) {
    const [start, end] = [matcher.start(), matcher.end()];
    // An empty match right after the previous match is skipped, as in Go.
    const accept = !(end === pos && start === end && start === prevMatchEnd);
    pos = end === pos ? pos + runeWidth(s, pos) : end;
    prevMatchEnd = end;
    if (!accept) continue;
    const indices: number[] = [];
    for (let g = 0; g <= groups; g++) indices.push(matcher.start(g), matcher.end(g));
    out.push(indices);
  }
  return out;
}

/** Go's replace loop with a function computing each replacement. */
export function replaceAllGoFunc(
  re: RE2JS,
  src: string,
  replace: (group: GroupLookup) => string,
): string {
  const matcher = re.matcher(src);
  const names = re.namedGroups();
  const groupCount = re.groupCount();
  const group: GroupLookup = (ref) => {
    if (typeof ref === "number") return ref <= groupCount ? (matcher.group(ref) ?? "") : "";
    return names[ref] === undefined ? "" : (matcher.group(ref) ?? "");
  };
  let out = "";
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length && matcher.find(searchPos)) {
    const [start, end] = [matcher.start(), matcher.end()];
    out += src.slice(lastMatchEnd, start);
    // No replacement for an empty match right after a match (Go's rule).
    if (end > lastMatchEnd || start === 0) out += replace(group);
    lastMatchEnd = end;
    const width = runeWidth(src, searchPos);
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + src.slice(lastMatchEnd);
}

/** Go's (*Regexp).ReplaceAllString(src, template). */
export function replaceAllGo(re: RE2JS, src: string, template: string): string {
  return replaceAllGoFunc(re, src, (group) => expandTemplate(template, group));
}
