import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterExternalSecretStatus } from "../../api/index.ts";
import { listNamespaces, Pass, REASON_ALREADY_EXISTS } from "./pass.ts";
import { computeStatus, isReady, newFailures, statusChanged, statusPatch } from "./status.ts";

describe("computeStatus", () => {
  it("all namespaces provisioned: Ready=True without a message, sorted, no failures", () => {
    const status = computeStatus(undefined, {
      externalSecretName: "child",
      provisioned: ["zeta", "alpha", "alpha"],
      failed: new Map(),
    });
    assert.deepEqual(status, {
      externalSecretName: "child",
      provisionedNamespaces: ["alpha", "zeta"],
      conditions: [{ type: "Ready", status: "True" }],
    });
    assert.equal(isReady(status), true);
  });

  it("a failed namespace: Ready=False with ESO's message, failures sorted with reasons", () => {
    const status = computeStatus(undefined, {
      externalSecretName: "child",
      provisioned: ["b"],
      failed: new Map([
        ["z", REASON_ALREADY_EXISTS],
        ["a", "could not create or update ExternalSecret: denied"],
      ]),
    });
    assert.deepEqual(status.failedNamespaces, [
      { namespace: "a", reason: "could not create or update ExternalSecret: denied" },
      { namespace: "z", reason: REASON_ALREADY_EXISTS },
    ]);
    assert.deepEqual(status.conditions, [
      { type: "Ready", status: "False", message: "one or more namespaces failed" },
    ]);
    assert.equal(isReady(status), false);
  });

  it("nothing selected: Ready=True and no lists at all", () => {
    const status = computeStatus(undefined, {
      externalSecretName: "child",
      provisioned: [],
      failed: new Map(),
    });
    assert.equal("provisionedNamespaces" in status, false);
    assert.equal("failedNamespaces" in status, false);
  });

  it("keeps conditions of other types and caps long reasons", () => {
    const previous: ClusterExternalSecretStatus = {
      conditions: [
        { type: "Other", status: "True" },
        { type: "Ready", status: "False", message: "one or more namespaces failed" },
      ],
    };
    const status = computeStatus(previous, {
      externalSecretName: "c",
      provisioned: [],
      failed: new Map([["ns", "x".repeat(2000)]]),
    });
    assert.deepEqual(status.conditions?.[0], { type: "Other", status: "True" });
    assert.ok((status.failedNamespaces?.[0]?.reason?.length ?? 0) <= 512);
  });
});

describe("statusChanged / statusPatch", () => {
  const base = computeStatus(undefined, {
    externalSecretName: "child",
    provisioned: ["a"],
    failed: new Map(),
  });

  it("is false for the same status as stored (absent and empty lists are equal)", () => {
    assert.equal(statusChanged(structuredClone(base), base), false);
    assert.equal(
      statusChanged({ ...base, failedNamespaces: [] }, base),
      false,
      "[] and absent are the same",
    );
  });

  it("is true when a list, the name or the condition changes", () => {
    assert.equal(statusChanged(undefined, base), true);
    assert.equal(statusChanged({ ...base, provisionedNamespaces: ["a", "b"] }, base), true);
    assert.equal(statusChanged({ ...base, externalSecretName: "old" }, base), true);
    assert.equal(
      statusChanged({ ...base, conditions: [{ type: "Ready", status: "False" }] }, base),
      true,
    );
  });

  it("removes lists that became empty with null", () => {
    assert.deepEqual(statusPatch(base), {
      externalSecretName: "child",
      provisionedNamespaces: ["a"],
      failedNamespaces: null,
      conditions: [{ type: "Ready", status: "True" }],
    });
  });
});

describe("newFailures", () => {
  it("reports failures that are new or changed their reason, not persisting ones", () => {
    const previous: ClusterExternalSecretStatus = {
      failedNamespaces: [
        { namespace: "a", reason: "r1" },
        { namespace: "b", reason: "r2" },
      ],
    };
    const next: ClusterExternalSecretStatus = {
      failedNamespaces: [
        { namespace: "a", reason: "r1" },
        { namespace: "b", reason: "r3" },
        { namespace: "c", reason: "r4" },
      ],
    };
    assert.deepEqual(
      newFailures(previous, next).map((f) => f.namespace),
      ["b", "c"],
    );
    assert.deepEqual(newFailures(next, next), []);
  });
});

describe("Pass", () => {
  it("counts created, updated and unchanged children as provisioned; foreign ones as failed", () => {
    const pass = new Pass("child");
    pass.record("a", "created");
    pass.record("b", "updated");
    pass.record("c", "unchanged");
    pass.record("d", "foreign");
    assert.deepEqual(pass.provisioned, ["a", "b", "c"]);
    assert.deepEqual([...pass.failed], [["d", REASON_ALREADY_EXISTS]]);
    assert.equal(pass.apiError, undefined, "a foreign child is not retried");
    assert.deepEqual(
      pass.events().map((e) => [e.type, e.reason, e.message]),
      [
        ["Normal", "Created", "created ExternalSecret child in namespaces a"],
        ["Normal", "Updated", "updated ExternalSecret child in namespaces b"],
      ],
    );
  });

  it("has no Events for a pass that changed nothing", () => {
    const pass = new Pass("child");
    pass.record("a", "unchanged");
    assert.deepEqual(pass.events(), []);
  });

  it("lists at most ten namespaces in a message", () => {
    const names = Array.from({ length: 13 }, (_, i) => `ns-${String(i).padStart(2, "0")}`);
    assert.equal(
      listNamespaces(names),
      "ns-00, ns-01, ns-02, ns-03, ns-04, ns-05, ns-06, ns-07, ns-08, ns-09 and 3 more",
    );
  });
});
