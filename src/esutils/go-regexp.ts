// Go's regexp semantics on top of re2js (a pure-JS RE2): the syntax ESO
// users write (`rewrite.regexp`, `find.name.regexp`), and Go's
// ReplaceAllString, which differs from JavaScript's replace in two ways
// users see: an empty match right after a match is not replaced (`(.*)` on
// "foo" gives "my_foo", not "my_foomy_"), and `$name` takes the longest run
// of letters, digits and `_` (`$1x` is group "1x", i.e. empty; `${1}x` is
// group 1 then "x").
import { RE2JS } from "re2js";

export class RegexpError extends Error {
  constructor(pattern: string, cause: unknown) {
    super(
      `invalid regular expression ${JSON.stringify(pattern)}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "RegexpError";
  }
}

/** Compiles a Go/RE2 regular expression; a syntax error names the pattern. */
export function compileGoRegexp(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    throw new RegexpError(pattern, err);
  }
}

interface Reference {
  readonly name: string;
  readonly rest: string;
}

const NAME_RUNE = /^[\p{L}\p{Nd}_]$/u;

/** Go's regexp `extract`: the group name after a `$`, or undefined if malformed. */
function extractReference(template: string): Reference | undefined {
  const brace = template.startsWith("{");
  const body = brace ? template.slice(1) : template;
  const runes = Array.from(body);
  let length = 0;
  let count = 0;
  for (const rune of runes) {
    if (!NAME_RUNE.test(rune)) break;
    length += rune.length;
    count++;
  }
  if (count === 0) return undefined;
  if (brace && body.charAt(length) !== "}") return undefined;
  return { name: body.slice(0, length), rest: body.slice(length + (brace ? 1 : 0)) };
}

/** A group number per Go: decimal digits, no leading zero; else -1 (a name). */
function groupNumber(name: string): number {
  if (!/^\d+$/.test(name) || (name.length > 1 && name.startsWith("0"))) return -1;
  return Number(name);
}

type GroupLookup = (ref: number | string) => string;

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

/** Go's (*Regexp).ReplaceAllString(src, template). */
export function replaceAllGo(re: RE2JS, src: string, template: string): string {
  return replaceAllGoFunc(re, src, (group) => expandTemplate(template, group));
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
    if (end > lastMatchEnd || start === 0) out += replace(group);
    lastMatchEnd = end;
    const width = (src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + src.slice(lastMatchEnd);
}
