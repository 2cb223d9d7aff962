import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rootValue } from "../../esutils/json-raw.ts";
import { canonicalJson, secretMap, secretValue, stringMapObject } from "./values.ts";

const obj = (text: string) => ({ text, span: rootValue(text) });

describe("canonicalJson: ESO's json.Marshal of a json.Number-decoded map", () => {
  const cases: [string, string][] = [
    ['{"b": "2", "a": 1}', '{"a":1,"b":"2"}'],
    ['{"n": 1.50, "big": 12345678901234567890}', '{"big":12345678901234567890,"n":1.50}'],
    ['{"h": "<a&b>"}', '{"h":"\\u003ca\\u0026b\\u003e"}'],
    ['{"x": {"z": [1, {"b": 1, "a": 2}], "y": null}}', '{"x":{"y":null,"z":[1,{"a":2,"b":1}]}}'],
    ['{"a": "1", "a": "2"}', '{"a":"2"}'],
    ['{"é": 1, "z": 2}', '{"z":2,"é":1}'],
  ];
  for (const [input, want] of cases) {
    it(input, () => {
      assert.equal(canonicalJson(input, rootValue(input)), want);
    });
  }
});

describe("secretValue", () => {
  const data = obj(
    '{"a":"x","n":{"b":"y","a":1},"list":[1,2],"t":true,"nil":null,"dot.key":"d","dot":{"key":"g"},"num":1.50}',
  );
  const cases: [string, string][] = [
    ["a", "x"],
    ["n", '{"a":1,"b":"y"}'],
    ["n.b", "y"],
    ["list", "[1,2]"],
    ["list.1", "2"],
    ["t", "true"],
    ["nil", ""],
    ["dot.key", "d"],
    ["num", "1.50"],
  ];
  for (const [property, want] of cases) {
    it(`property ${property}`, () => {
      assert.equal(secretValue(data, property, "k"), want);
    });
  }
  it("a missing property is PropertyNotFound and names no value", () => {
    assert.throws(
      () => secretValue(data, "missing", "k"),
      (e: unknown) =>
        e instanceof Error &&
        e.message.includes('cannot find secret data for key: "missing"') &&
        !e.message.includes('"x"'),
    );
  });
  it("metadata maps follow the same rules", () => {
    const meta = stringMapObject(
      new Map([
        ["managed-by", "external-secrets"],
        ["created_time", "t"],
      ]),
    );
    assert.equal(
      secretValue(meta, "", "k"),
      '{"created_time":"t","managed-by":"external-secrets"}',
    );
    assert.equal(secretValue(meta, "managed-by", "k"), "external-secrets");
  });
});

describe("secretMap (GetSecretMap after json.Unmarshal)", () => {
  it("strings, numbers as FormatFloat, nested as JSON, null as empty", () => {
    const map = secretMap(
      '{"s":"v","n":1.50,"i":5432,"o":{"b":1,"a":"<"},"l":[true],"z":null}',
      "k",
    );
    assert.deepEqual(Object.fromEntries(map), {
      s: "v",
      n: "1.5",
      i: "5432",
      o: '{"a":"\\u003c","b":1}',
      l: "[true]",
      z: "",
    });
  });
  it("refuses non-objects without quoting them", () => {
    assert.throws(
      () => secretMap("secret-text", "k"),
      (e: unknown) => e instanceof Error && !e.message.includes("secret-text"),
    );
    assert.throws(() => secretMap("[1]", "k"), /not a JSON object/);
  });
});
