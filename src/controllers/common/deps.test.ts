import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isOwnClass, jitter } from "./deps.ts";

describe("controller deps helpers", () => {
  it("isOwnClass: empty or equal to --controller-class", () => {
    const deps = { controllerClass: "default" };
    assert.equal(isOwnClass(deps, undefined), true);
    assert.equal(isOwnClass(deps, ""), true);
    assert.equal(isOwnClass(deps, "default"), true);
    assert.equal(isOwnClass(deps, "other"), false);
  });

  it("jitter stays within ±10 %", () => {
    assert.equal(
      jitter(1000, () => 0),
      900,
    );
    assert.equal(
      jitter(1000, () => 0.5),
      1000,
    );
    assert.equal(
      jitter(1000, () => 0.999999),
      1100,
    );
    assert.equal(
      jitter(0, () => 0),
      0,
    );
  });
});
