// The JSONPath subset of result.jsonPath, with PaesslerAG/jsonpath's
// results: plain paths give one value or an error, wildcards, unions,
// slices, filters and `..` give the list of matches.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compileJsonPath,
  evaluateJsonPath,
  goTypeName,
  JsonPathLookupError,
  JsonPathSyntaxError,
  parseJsonPath,
} from "./jsonpath.ts";

const doc = {
  args: { parameter: "secret", "my-key": "dashed", "0": "zero-key" },
  data: { user: "admin", password: "s3cr3t", port: 5432, nested: { a: { b: "deep" } } },
  items: [
    { name: "db", value: "v-db", size: 3 },
    { name: "api", value: "v-api", size: 10 },
    { name: "cache", size: 7 },
  ],
  list: [10, 20, 30, 40, 50],
  flag: true,
  nothing: null,
  'quoted"key': "q",
};

const get = (path: string, root: unknown = doc): unknown =>
  evaluateJsonPath(parseJsonPath(path), root);

describe("jsonPath: plain paths (one value)", () => {
  const cases: [string, unknown][] = [
    ["$", doc],
    ["$.args.parameter", "secret"],
    ["  $.args.parameter  ", "secret"],
    ['$["args"]["my-key"]', "dashed"],
    ["$['args']['my-key']", "dashed"],
    ['$.args["0"]', "zero-key"],
    ["$.args[0]", "zero-key"], // a number key on an object is its decimal text
    ["$.data.port", 5432],
    ["$.data.nested", { a: { b: "deep" } }],
    ["$.data.nested.a.b", "deep"],
    ["$.items[1].name", "api"],
    ["$.items[1]['value']", "v-api"],
    ["$.list[4]", 50],
    ["$.flag", true],
    ["$.nothing", null],
    ['$["quoted\\"key"]', "q"],
    ['$["\\u0061rgs"].parameter', "secret"],
  ];
  for (const [path, want] of cases) {
    it(path, () => {
      assert.deepEqual(get(path), want);
    });
  }

  const errors: [string, string][] = [
    ["$.missing", "unknown key missing"],
    ["$.args.missing", "unknown key missing"],
    ["$.list[5]", "index 5 out of bounds"],
    ["$.list[-1]", "index -1 out of bounds"],
    ['$.list["a"]', "could not select value, invalid key: a"],
    [
      "$.flag.x",
      "unsupported value type bool for select, expected map[string]interface{} or []interface{}",
    ],
    [
      "$.data.port.x",
      "unsupported value type float64 for select, expected map[string]interface{} or []interface{}",
    ],
  ];
  for (const [path, message] of errors) {
    it(`${path} fails: ${message}`, () => {
      assert.throws(
        () => get(path),
        (err: unknown) => err instanceof JsonPathLookupError && err.message === message,
      );
    });
  }
});

describe("jsonPath: wildcards, unions, slices, filters, descent (a list)", () => {
  const cases: [string, unknown][] = [
    ["$.items[*].name", ["db", "api", "cache"]],
    ["$.items.*.name", ["db", "api", "cache"]],
    ["$.items[*].value", ["v-db", "v-api"]], // items without `value` are left out
    ["$.args[*]", ["zero-key", "dashed", "secret"]], // object values, keys sorted
    ["$.list[0,2,9]", [10, 30]], // a missing index in a union is left out
    ['$.args["parameter","nope","my-key"]', ["secret", "dashed"]],
    ["$.list[1:3]", [20, 30]],
    ["$.list[3:]", [40, 50]],
    ["$.list[:2]", [10, 20]],
    ["$.list[-2:]", [40, 50]],
    ["$.list[::2]", [10, 30, 50]],
    ["$.list[:-1]", []], // PaesslerAG compares the bounds before resolving negatives
    ["$.list[1:4:-1]", [40, 30, 20]],
    ['$.items[?(@.name == "api")].value', ["v-api"]],
    ['$.items[?@.name=="api"].value', ["v-api"]],
    ["$.items[?(@.size > 5)].name", ["api", "cache"]],
    ["$.items[?(@.size >= 7 && @.size < 10)].name", ["cache"]],
    ['$.items[?(@.name == "db" || @.size == 10)].name', ["db", "api"]],
    ['$.items[?(!(@.name == "db"))].name', ["api", "cache"]],
    ['$.items[?(@.value != "v-db")].name', ["api"]], // no `value`: the element is left out
    ['$.items[?(@.name =~ "^(db|cache)$")].name', ["db", "cache"]],
    ['$.items[?(@.size == "10")].name', ["api"]], // numeric strings compare as numbers
    ["$.items[?(@.size)].name", []], // a number is not a condition
    ["$..b", ["deep"]],
    ["$.data..b", ["deep"]],
    ["$..name", ["db", "api", "cache"]],
    ["$.data.nested..*", [{ b: "deep" }, "deep"]],
    ['$..["password"]', ["s3cr3t"]],
    ["$.missing[*]", []],
    ["$.flag[*]", []],
  ];
  for (const [path, want] of cases) {
    it(path, () => {
      assert.deepEqual(get(path), want);
    });
  }
});

describe("jsonPath: syntax", () => {
  const bad = [
    "",
    "args.parameter", // gval variables are not supported: a path starts with $
    "$.",
    "$.a-b",
    "$[",
    "$['a'",
    "$[1,2:3]",
    "$..[1:2]",
    "$.a[?(@.x ==)]",
    "$.a[?(@.x[*] == 1)]",
    "$.a[1.5]",
    '$["\\q"]',
    "$ x",
  ];
  for (const path of bad) {
    it(`rejects ${JSON.stringify(path)}`, () => {
      assert.throws(() => parseJsonPath(path), JsonPathSyntaxError);
    });
  }

  it("caches compiled paths", () => {
    assert.equal(compileJsonPath("$.a.b"), compileJsonPath("$.a.b"));
  });

  it("names Go types as encoding/json decodes them", () => {
    assert.deepEqual([null, "s", 1, true, [], {}].map(goTypeName), [
      "<nil>",
      "string",
      "float64",
      "bool",
      "[]interface {}",
      "map[string]interface {}",
    ]);
  });
});
