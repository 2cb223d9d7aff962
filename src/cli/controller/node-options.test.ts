import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { missingNodeOptions, RECOMMENDED_NODE_OPTIONS } from "./node-options.ts";

describe("missingNodeOptions", () => {
  it("finds the recommended flags in NODE_OPTIONS or the command line, whatever their values", () => {
    assert.deepEqual(missingNodeOptions([], "--expose-gc --max-semi-space-size=8"), []);
    assert.deepEqual(missingNodeOptions(["--expose-gc"], "--max-semi-space-size=2"), []);
    assert.deepEqual(missingNodeOptions([], undefined), [...RECOMMENDED_NODE_OPTIONS]);
    assert.deepEqual(missingNodeOptions(["--max-semi-space-size=4"], ""), ["--expose-gc"]);
  });
});
