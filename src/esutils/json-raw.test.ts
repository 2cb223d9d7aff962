import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonObjectToStringMap, JsonSyntaxError } from "./json-raw.ts";

describe("jsonObjectToStringMap (Go json.RawMessage semantics)", () => {
  it("unquotes strings, keeps other values as raw bytes, empties null", () => {
    const map = jsonObjectToStringMap(
      '{"user":"ferry","port": 5432,"db":{ "a" : [1, 2] },"flag":true,"none":null,"s":"a\\nb"}',
    );
    assert.deepEqual(Object.fromEntries(map), {
      user: "ferry",
      port: "5432",
      db: '{ "a" : [1, 2] }',
      flag: "true",
      none: "",
      s: "a\nb",
    });
  });

  it("lets a later duplicate key win, as Go does", () => {
    assert.equal(jsonObjectToStringMap('{"a":"1","a":"2"}').get("a"), "2");
  });

  it("refuses non-objects and invalid JSON without quoting the input", () => {
    for (const input of [
      '"just a string"',
      "[1,2]",
      '{"a": tru}',
      '{"a":"secret-value"',
      "s3cr3t",
    ]) {
      assert.throws(
        () => jsonObjectToStringMap(input),
        (err: unknown) =>
          err instanceof JsonSyntaxError &&
          !err.message.includes("secret") &&
          !err.message.includes("s3cr3t"),
      );
    }
  });
});
