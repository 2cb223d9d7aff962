// Response values as ESO's webhook provider turns them into bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import { formatFloatNoDecimals, parseJsonResponse, secretMap, singleValue } from "./values.ts";

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

describe("formatFloatNoDecimals (Go's FormatFloat(v, 'f', 0, 64))", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"],
    [5432, "5432"],
    [1.4, "1"],
    [1.5, "2"],
    [2.5, "2"],
    [3.5, "4"],
    [0.5, "0"],
    [-0.4, "-0"],
    [-1.5, "-2"],
    [-2.5, "-2"],
    [2.500001, "3"],
    [1e21, "1000000000000000000000"],
    [2 ** 64 + 2 ** 12, "18446744073709555712"],
  ];
  for (const [v, want] of cases) {
    it(`${v} -> ${want}`, () => {
      assert.equal(formatFloatNoDecimals(v), want);
    });
  }
});

describe("singleValue (getSecret with a jsonPath)", () => {
  const cases: [unknown, string][] = [
    ["plain", "plain"],
    ["ünïcode", "ünïcode"],
    [true, "true"],
    [false, "false"],
    [null, ""],
    [42, "42"],
    [1.5, "2"],
    [{ b: 1, a: "<x>" }, '{"a":"\\u003cx\\u003e","b":1}'],
    [["first", "second"], "first"],
    [[{ k: "v" }], '{"k":"v"}'],
    [[[3, 4]], "3"],
  ];
  for (const [v, want] of cases) {
    it(`${JSON.stringify(v)} -> ${want}`, () => {
      assert.equal(text(singleValue(v)), want);
    });
  }

  it("an empty list is an error", () => {
    assert.throws(() => singleValue([]), /filter worked but didn't get any result/);
  });
});

describe("secretMap (getSecretMap)", () => {
  it("turns each value into bytes as ESO's GetByteValue", () => {
    const map = secretMap({
      s: "str",
      n: 1.5,
      i: 10,
      big: 1e21,
      b: false,
      z: null,
      o: { y: 2, x: "&" },
      l: [1, "a"],
    });
    assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, text(v)])), {
      s: "str",
      n: "1.5",
      i: "10",
      big: "1000000000000000000000",
      b: "false",
      z: "",
      o: '{"x":"\\u0026","y":2}',
      l: '[1,"a"]',
    });
  });

  it("parses a string that holds a JSON object", () => {
    const map = secretMap('{"a":"1"}');
    assert.equal(text(map.get("a")!), "1");
  });

  it("refuses a non-object without echoing it", () => {
    assert.throws(
      () => secretMap(["hunter2"]),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.message.includes("wrong type: []interface {}") &&
        !err.message.includes("hunter2"),
    );
    assert.throws(
      () => secretMap("hunter2-not-json"),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.message.includes("not valid JSON") &&
        !err.message.includes("hunter2"),
    );
  });
});

describe("parseJsonResponse", () => {
  it("decodes JSON", () => {
    assert.deepEqual(parseJsonResponse(Buffer.from('{"a":[1]}')), { a: [1] });
  });

  it("says the response is not valid JSON, without quoting it", () => {
    for (const body of ['{"password":"hunter2"', "hunter2", '{"a":1} trailing-hunter2']) {
      assert.throws(
        () => parseJsonResponse(Buffer.from(body)),
        (err: unknown) =>
          err instanceof ProviderError &&
          err.message.startsWith("response is not valid JSON") &&
          !err.message.includes("hunter2"),
      );
    }
  });
});
