import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExternalSecretObject as ExternalSecret } from "./es-view.ts";
import {
  currentResourceVersion,
  shouldRefresh,
  timeUntilRefresh,
  windowsPermit,
} from "./refresh.ts";

const now = Date.parse("2026-06-01T23:00:00Z");
const hour = 3_600_000;

function es(tweak: (e: ExternalSecret) => void = () => undefined): ExternalSecret {
  const base: ExternalSecret = {
    metadata: { name: "e", namespace: "n", generation: 2, labels: { a: "b" } },
    spec: { refreshInterval: "1h0m0s", data: [{ secretKey: "k", remoteRef: { key: "r" } }] },
    status: {},
  };
  base.status = {
    syncedResourceVersion: currentResourceVersion(base),
    refreshTime: new Date(now - 10 * 60_000).toISOString(),
  };
  tweak(base);
  return base;
}

describe("shouldRefresh", () => {
  const cases: [name: string, e: ExternalSecret, expected: boolean][] = [
    ["synced 10 minutes ago with a 1h interval", es(), false],
    [
      "interval elapsed",
      es((e) => (e.status!.refreshTime = new Date(now - 2 * hour).toISOString())),
      true,
    ],
    ["spec changed (generation bump)", es((e) => (e.metadata!.generation = 3)), true],
    ["labels changed", es((e) => (e.metadata!.labels = { a: "c" })), true],
    ["never synced", es((e) => (e.status = {})), true],
    [
      "refreshTime in the future",
      es((e) => (e.status!.refreshTime = new Date(now + hour).toISOString())),
      true,
    ],
    [
      "interval 0 and synced: never again, even after a spec change",
      es((e) => {
        e.spec!.refreshInterval = "0s";
        e.metadata!.generation = 9;
      }),
      false,
    ],
    [
      "interval 0, never synced",
      es((e) => {
        e.spec!.refreshInterval = "0";
        e.status = {};
      }),
      true,
    ],
    [
      "CreatedOnce after the first sync",
      es((e) => {
        e.spec!.refreshPolicy = "CreatedOnce";
        e.metadata!.generation = 9;
      }),
      false,
    ],
    [
      "CreatedOnce never synced",
      es((e) => {
        e.spec!.refreshPolicy = "CreatedOnce";
        e.status = {};
      }),
      true,
    ],
    [
      "OnChange unchanged, interval long past",
      es((e) => {
        e.spec!.refreshPolicy = "OnChange";
        e.status!.refreshTime = new Date(now - 9 * hour).toISOString();
      }),
      false,
    ],
    [
      "OnChange changed",
      es((e) => {
        e.spec!.refreshPolicy = "OnChange";
        e.metadata!.annotations = { x: "y" };
      }),
      true,
    ],
    [
      "due but outside an allow window",
      es((e) => {
        e.status!.refreshTime = new Date(now - 2 * hour).toISOString();
        e.spec!.syncWindows = {
          kind: "allow",
          windows: [{ schedule: "0 8 * * *", duration: "1h" }],
        };
      }),
      false,
    ],
    [
      "due and inside a deny window",
      es((e) => {
        e.status!.refreshTime = new Date(now - 2 * hour).toISOString();
        e.spec!.syncWindows = {
          kind: "deny",
          windows: [{ schedule: "0 22 * * *", duration: "2h" }],
        };
      }),
      false,
    ],
    [
      "windows never block a spec change",
      es((e) => {
        e.metadata!.generation = 5;
        e.spec!.syncWindows = {
          kind: "deny",
          windows: [{ schedule: "0 22 * * *", duration: "2h" }],
        };
      }),
      true,
    ],
  ];
  for (const [name, e, expected] of cases) {
    it(name, () => {
      assert.equal(shouldRefresh(e, { now }), expected);
    });
  }

  it("uses an in-memory last refresh when given (quiet mode)", () => {
    const e = es((x) => (x.status!.refreshTime = new Date(now - 5 * hour).toISOString()));
    assert.equal(shouldRefresh(e, { now, lastRefresh: now - 60_000 }), false);
  });
});

describe("sync windows (ESO's boundary cases: 0 22 * * *, 2h)", () => {
  const window = { kind: "allow" as const, windows: [{ schedule: "0 22 * * *", duration: "2h" }] };
  const open = Date.parse("2026-06-01T22:00:00Z");
  const cases: [string, number, boolean][] = [
    ["at window open", open, true],
    ["inside", open + 30 * 60_000, true],
    ["at window close", open + 2 * hour, true],
    ["one second past close", open + 2 * hour + 1000, false],
    ["one hour before open", open - hour, false],
    ["between occurrences", open + 5 * hour, false],
    ["inside the next day's window", open + 24 * hour + 30 * 60_000, true],
  ];
  for (const [name, at, expected] of cases) {
    it(name, () => {
      assert.equal(
        windowsPermit(
          es((e) => (e.spec!.syncWindows = window)),
          at,
        ),
        expected,
      );
    });
  }

  it("ignores unparseable schedules: allow then blocks, deny permits", () => {
    const bad = { kind: "allow" as const, windows: [{ schedule: "not-a-cron", duration: "2h" }] };
    assert.equal(
      windowsPermit(
        es((e) => (e.spec!.syncWindows = bad)),
        open,
      ),
      false,
    );
    assert.equal(
      windowsPermit(
        es((e) => (e.spec!.syncWindows = { ...bad, kind: "deny" })),
        open,
      ),
      true,
    );
  });
});

describe("timeUntilRefresh", () => {
  it("counts down from the last refresh", () => {
    assert.equal(timeUntilRefresh(es(), { now }), 50 * 60_000);
    assert.equal(
      timeUntilRefresh(
        es((e) => (e.spec!.refreshPolicy = "OnChange")),
        { now },
      ),
      undefined,
    );
    assert.equal(
      timeUntilRefresh(
        es((e) => (e.spec!.refreshInterval = "0s")),
        { now },
      ),
      undefined,
    );
  });
});
