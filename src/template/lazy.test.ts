import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as Yaml from "yaml";
import { lazy, lazyRequire } from "./lazy.ts";

describe("lazy", () => {
  it("loads on the first call only, and not before", () => {
    let loads = 0;
    const value = lazy(() => ({ n: ++loads }));
    assert.equal(loads, 0);
    const first = value();
    assert.equal(value(), first);
    assert.equal(loads, 1);
  });

  it("remembers an undefined result", () => {
    let loads = 0;
    const value = lazy(() => {
      loads++;
      return undefined;
    });
    value();
    value();
    assert.equal(loads, 1);
  });

  it("requires the same CommonJS build an import of the package gets", async () => {
    const yaml = lazyRequire<typeof Yaml>("yaml");
    assert.equal(yaml().parse, (await import("yaml")).parse);
  });
});
