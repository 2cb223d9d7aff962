import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DurationError, formatGoDuration, parseGoDuration } from "./go-duration.ts";

describe("Go durations", () => {
  const parse: [string, number][] = [
    ["1h0m0s", 3_600_000],
    ["1h", 3_600_000],
    ["30s", 30_000],
    ["1.5h", 5_400_000],
    ["1h30m", 5_400_000],
    ["300ms", 300],
    ["0", 0],
    ["0s", 0],
    ["-2m", -120_000],
    ["10us", 0.01],
  ];
  for (const [text, ms] of parse) {
    it(`parses ${text}`, () => {
      assert.equal(parseGoDuration(text), ms);
    });
  }
  for (const bad of ["", "1", "1d", "h", "1h 30m", "abc"]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseGoDuration(bad), DurationError);
    });
  }
  const format: [number, string][] = [
    [3_600_000, "1h0m0s"],
    [90_000, "1m30s"],
    [5_000, "5s"],
    [1_500, "1.5s"],
    [0, "0s"],
    [250, "250ms"],
  ];
  for (const [ms, text] of format) {
    it(`formats ${ms} as ${text}`, () => {
      assert.equal(formatGoDuration(ms), text);
    });
  }
});
