import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goJsonMarshal } from "./go-json.ts";

describe("goJsonMarshal (Go encoding/json bytes)", () => {
  it("sorts object keys by UTF-8 bytes and writes no spaces", () => {
    assert.equal(
      goJsonMarshal({ b: 1, a: [true, null], é: "x", Z: {} }),
      '{"Z":{},"a":[true,null],"b":1,"é":"x"}',
    );
  });
  it("prints float64 as Go does", () => {
    assert.equal(
      goJsonMarshal([1e21, 1e20, 0.000001, 1e-7, 1.5, -0]),
      "[1e+21,100000000000000000000,0.000001,1e-7,1.5,-0]",
    );
  });
  it("escapes HTML characters unless asked not to", () => {
    assert.equal(goJsonMarshal("<a&b>"), '"\\u003ca\\u0026b\\u003e"');
    assert.equal(goJsonMarshal("<a&b>", false), '"<a&b>"');
  });
  it("escapes control characters and the JS line separators", () => {
    assert.equal(goJsonMarshal("a\u0001\n\u2028"), '"a\\u0001\\n\\u2028"');
  });
});
