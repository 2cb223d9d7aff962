// Expected results were produced by github.com/tidwall/gjson v1.18.0
// (Result.Exists, Result.Raw, Result.String) on the same document.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatFloatF, get, resultString, splitPath } from "./gjson.ts";

const doc = `{"name": {"first": "Tom", "last": "Anderson"}, "age":37, "children": ["Sara","Alex","Jack"],
 "fav.movie": "Deer Hunter", "friends": [
    {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
    {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
    {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
  ], "n": null, "t": true, "f": 1.50, "esc": "a\\"b\\u00e9", "obj": { "x" : [1, 2 ] }}`;

const cases: [path: string, raw: string | undefined, str: string][] = [
  ["name.last", '"Anderson"', "Anderson"],
  ["age", "37", "37"],
  ["children", '["Sara","Alex","Jack"]', '["Sara","Alex","Jack"]'],
  ["children.#", "3", "3"],
  ["children.1", '"Alex"', "Alex"],
  ["child*.2", '"Jack"', "Jack"],
  ["c?ildren.0", '"Sara"', "Sara"],
  ["fav\\.movie", '"Deer Hunter"', "Deer Hunter"],
  ["friends.#.first", '["Dale","Roger","Jane"]', '["Dale","Roger","Jane"]'],
  ["friends.1.last", '"Craig"', "Craig"],
  ['friends.#(last=="Murphy").first', '"Dale"', "Dale"],
  ['friends.#(last=="Murphy")#.first', '["Dale","Jane"]', '["Dale","Jane"]'],
  ["friends.#(age>45)#.last", '["Craig","Murphy"]', '["Craig","Murphy"]'],
  ['friends.#(first%"D*").last', '"Murphy"', "Murphy"],
  ['friends.#(first!%"D*").last', '"Craig"', "Craig"],
  ['friends.#(nets.#(=="fb"))#.first', '["Dale","Roger"]', '["Dale","Roger"]'],
  ["n", "null", ""],
  ["t", "true", "true"],
  ["f", "1.50", "1.5"],
  ["esc", '"a\\"b\\u00e9"', 'a"bé'],
  ["obj", '{ "x" : [1, 2 ] }', '{ "x" : [1, 2 ] }'],
  ["obj.x", "[1, 2 ]", "[1, 2 ]"],
  ["obj.x.1", "2", "2"],
  ["name", '{"first": "Tom", "last": "Anderson"}', '{"first": "Tom", "last": "Anderson"}'],
  ["missing", undefined, ""],
  ["friends.5", undefined, ""],
  ["name.first.x", undefined, ""],
];

describe("gjson paths (agreement with tidwall/gjson)", () => {
  for (const [path, raw, str] of cases) {
    it(path, () => {
      const result = get(doc, path);
      assert.equal(result.exists, raw !== undefined);
      assert.equal(result.raw, raw ?? "");
      assert.equal(resultString(result), str);
    });
  }

  it("finds nothing in invalid JSON, and never throws", () => {
    assert.equal(get("{not json", "a").exists, false);
    assert.equal(get("plain text", "a").exists, false);
  });

  it("splits on unescaped dots outside queries", () => {
    assert.deepEqual(splitPath('a.b\\.c.#(x.y=="1").z'), ["a", "b\\.c", '#(x.y=="1")', "z"]);
  });

  it("formats floats like strconv.FormatFloat(f, 'f', -1, 64)", () => {
    const table: [number, string][] = [
      [1.5, "1.5"],
      [1000, "1000"],
      [1e21, "1000000000000000000000"],
      [1.25e-7, "0.000000125"],
      [-2.5e22, "-25000000000000000000000"],
    ];
    for (const [n, text] of table) assert.equal(formatFloatF(n), text);
  });
});
