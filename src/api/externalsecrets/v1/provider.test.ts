import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerName, type HasProvider } from "./provider.ts";

describe("providerName", () => {
  const ok: [HasProvider, string][] = [
    [{ provider: { fake: { data: [] } } }, "fake"],
    [{ provider: { aws: { service: "SecretsManager", region: "eu-west-1" } } }, "aws"],
    [{ provider: { akeyless: {} } }, "akeyless"],
  ];
  for (const [spec, name] of ok) {
    it(`names ${name}`, () => {
      assert.equal(providerName(spec), name);
    });
  }

  const bad: [string, HasProvider, number][] = [
    ["no provider block", {}, 0],
    ["an empty provider block", { provider: {} }, 0],
    ["two providers", { provider: { fake: { data: [] }, akeyless: {} } }, 2],
  ];
  for (const [what, spec, found] of bad) {
    it(`refuses ${what}`, () => {
      assert.throws(() => providerName(spec), {
        message: `secret stores must only have exactly one backend specified, found ${found}`,
      });
    });
  }
});
