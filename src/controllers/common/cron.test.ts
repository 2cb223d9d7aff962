import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CronError, parseCron } from "./cron.ts";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

describe("cron schedules (robfig/cron standard parser)", () => {
  const cases: [expr: string, after: string, next: string][] = [
    ["0 22 * * *", "2026-06-01T20:00:00Z", "2026-06-01T22:00:00.000Z"],
    ["0 22 * * *", "2026-06-01T22:00:00Z", "2026-06-02T22:00:00.000Z"],
    ["*/15 * * * *", "2026-06-01T20:07:30Z", "2026-06-01T20:15:00.000Z"],
    ["30 9 * * mon-fri", "2026-06-05T10:00:00Z", "2026-06-08T09:30:00.000Z"],
    ["0 0 1 jan *", "2026-06-01T00:00:00Z", "2027-01-01T00:00:00.000Z"],
    ["0 12 13 * 5", "2026-06-01T00:00:00Z", "2026-06-05T12:00:00.000Z"],
    ["@daily", "2026-06-01T00:00:00Z", "2026-06-02T00:00:00.000Z"],
    ["@hourly", "2026-06-01T10:59:59Z", "2026-06-01T11:00:00.000Z"],
    ["@weekly", "2026-06-01T00:00:00Z", "2026-06-07T00:00:00.000Z"],
    ["@every 90m", "2026-06-01T00:00:00.500Z", "2026-06-01T01:30:00.000Z"],
    ["0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
  ];
  for (const [expr, after, next] of cases) {
    it(`${expr} after ${after} -> ${next}`, () => {
      assert.equal(iso(parseCron(expr).next(at(after))), next);
    });
  }

  for (const bad of [
    "not-a-cron",
    "61 * * * *",
    "* * * *",
    "5-1 * * * *",
    "@every soon",
    "*/0 * * * *",
  ]) {
    it(`refuses ${bad}`, () => {
      assert.throws(() => parseCron(bad), CronError);
    });
  }
});
