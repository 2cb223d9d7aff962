// Expected outputs come from Go 1.26's regexp.ReplaceAllString.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGoRegexp, RegexpError, replaceAllGo } from "./go-regexp.ts";

const cases: [pattern: string, src: string, template: string, expected: string][] = [
  ["(.*)", "foo", "my_$1", "my_foo"],
  ["a*", "baaac", "X", "XbXcX"],
  ["(?P<n>o)", "foo", "[${n}$1x$$]", "f[o$][o$]"],
  ["(o)", "foo", "$1x", "f"],
  ["(o)", "foo", "${1}x", "foxox"],
  ["e2e_find_and_rewrite_(.*)", "e2e_find_and_rewrite_abc", "$1", "abc"],
  ["^path/(.*)$", "path/to/x", "${1}", "to/x"],
  ["", "abc", "-", "-a-b-c-"],
  ["b*", "abc", "-", "-a-c-"],
  ["(a)(b)?", "ab a", "[$2|$1]", "[b|a] [|a]"],
  ["x", "😀x😀", "y", "😀y😀"],
  ["$", "abc", "!", "abc!"],
  ["\\b", "ab cd", "|", "|ab| |cd|"],
  ["(o)", "foo", "$", "f$$"],
  ["(o)", "foo", "$}", "f$}$}"],
  ["(o)", "foo", "${1", "f${1${1"],
  ["(o)", "foo", "$01", "f"],
  ["(o)", "foo", "$9", "f"],
];

describe("Go regexp ReplaceAllString", () => {
  for (const [pattern, src, template, expected] of cases) {
    it(`${pattern} on ${src} with ${template}`, () => {
      assert.equal(replaceAllGo(compileGoRegexp(pattern), src, template), expected);
    });
  }

  it("reports a bad pattern by name", () => {
    assert.throws(() => compileGoRegexp("(unclosed"), RegexpError);
    assert.throws(() => compileGoRegexp("(?=lookahead)"), /invalid regular expression/);
  });
});
