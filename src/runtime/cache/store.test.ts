import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../client/index.ts";
import { Store } from "./store.ts";
import { stripManagedFields } from "./transform.ts";

const obj = (namespace: string, name: string, owner = ""): KubeObject => ({
  metadata: { namespace, name, labels: { owner } },
});

describe("Store", () => {
  it("gets, lists per namespace and deletes", () => {
    const s = new Store<KubeObject>();
    s.set(obj("a", "x"));
    s.set(obj("a", "y"));
    s.set(obj("b", "x"));
    assert.equal(s.size, 3);
    assert.equal(s.get("a", "y")?.metadata?.name, "y");
    assert.deepEqual(
      s
        .list("a")
        .map((o) => o.metadata?.name)
        .sort(),
      ["x", "y"],
    );
    assert.equal(s.list().length, 3);
    assert.equal(s.delete("a", "x")?.metadata?.name, "x");
    assert.equal(s.delete("a", "x"), undefined);
    assert.equal(s.size, 2);
    assert.deepEqual(s.list("missing"), []);
  });

  it("maintains secondary indexes across updates and deletes", () => {
    const s = new Store<KubeObject>();
    s.addIndex("owner", (o) => [o.metadata?.labels?.["owner"] ?? ""]);
    s.set(obj("a", "x", "es1"));
    s.set(obj("a", "y", "es1"));
    assert.equal(s.byIndex("owner", "es1").length, 2);
    s.set(obj("a", "y", "es2"));
    assert.deepEqual(
      s.byIndex("owner", "es1").map((o) => o.metadata?.name),
      ["x"],
    );
    assert.deepEqual(
      s.byIndex("owner", "es2").map((o) => o.metadata?.name),
      ["y"],
    );
    s.delete("a", "x");
    assert.deepEqual(s.byIndex("owner", "es1"), []);
  });

  it("strips managedFields without touching the rest", () => {
    const raw: KubeObject = {
      kind: "ConfigMap",
      metadata: { name: "x", managedFields: [{ manager: "kubectl" }], labels: { a: "b" } },
    };
    const stripped = stripManagedFields(raw);
    assert.deepEqual(stripped, { kind: "ConfigMap", metadata: { name: "x", labels: { a: "b" } } });
    assert.ok(raw.metadata?.managedFields, "the input is not mutated");
  });
});
