// The dotted-path setter of generic targets: path syntax, creation of maps
// and list slots, Values (leaf, YAML-parsed) and KeysAndValues (merge).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  canonicalJson,
  leafValue,
  MAX_PATH_INDEX,
  mergeAtPath,
  parsePath,
  parseYamlValue,
  PathError,
  setAtPath,
  type JsonObject,
} from "./generic-path.ts";

describe("parsePath", () => {
  it("splits fields and indices", () => {
    assert.deepEqual(parsePath("spec"), ["spec"]);
    assert.deepEqual(parsePath("spec.config.items[0].value"), [
      "spec",
      "config",
      "items",
      0,
      "value",
    ]);
    assert.deepEqual(parsePath("spec.rules[0].from[12].source"), [
      "spec",
      "rules",
      0,
      "from",
      12,
      "source",
    ]);
    assert.deepEqual(parsePath("spec.matrix[1][2]"), ["spec", "matrix", 1, 2]);
    assert.deepEqual(parsePath("spec.my-field_x"), ["spec", "my-field_x"]);
  });

  it("rejects malformed paths", () => {
    for (const bad of [
      "",
      "spec..x",
      ".spec",
      "spec.",
      "spec.items[]",
      "spec.items[a]",
      "spec.[0]",
      "spec.items[-1]",
      "spec.items[0]x",
      "[0]",
    ]) {
      assert.throws(() => parsePath(bad), PathError, bad);
    }
  });

  it("bounds indices at 10000", () => {
    assert.deepEqual(parsePath(`spec.items[${String(MAX_PATH_INDEX)}]`), [
      "spec",
      "items",
      MAX_PATH_INDEX,
    ]);
    assert.throws(() => parsePath(`spec.items[${String(MAX_PATH_INDEX + 1)}]`), /exceeds 10000/);
  });
});

describe("setAtPath", () => {
  it("creates the maps and lists on the way", () => {
    const root: JsonObject = {};
    setAtPath(root, parsePath("spec.config.items[0].value"), "x");
    assert.deepEqual(root, { spec: { config: { items: [{ value: "x" }] } } });
  });

  it("keeps what is already there and writes only the leaf", () => {
    const root: JsonObject = {
      spec: { config: { items: [{ value: "old", name: "a" }, { value: "b" }] }, other: 1 },
    };
    setAtPath(root, parsePath("spec.config.items[0].value"), 8080);
    assert.deepEqual(root, {
      spec: { config: { items: [{ value: 8080, name: "a" }, { value: "b" }] }, other: 1 },
    });
  });

  it("grows a list to the index, the skipped slots null", () => {
    const root: JsonObject = { spec: { items: ["a"] } };
    setAtPath(root, parsePath("spec.items[3]"), "d");
    assert.deepEqual(root, { spec: { items: ["a", null, null, "d"] } });
    setAtPath(root, parsePath("spec.items[1].name"), "b");
    assert.deepEqual(root, { spec: { items: ["a", { name: "b" }, null, "d"] } });
  });

  it("nested indices create lists of lists", () => {
    const root: JsonObject = {};
    setAtPath(root, parsePath("spec.m[1][0]"), 5);
    assert.deepEqual(root, { spec: { m: [null, [5]] } });
  });

  it("refuses to walk through a value of another shape", () => {
    const root: JsonObject = { spec: { items: "text", list: [1], map: { a: 1 } } };
    assert.throws(() => {
      setAtPath(root, parsePath("spec.items[0]"), 1);
    }, /spec\.items is not a list/);
    assert.throws(() => {
      setAtPath(root, parsePath("spec.list.a"), 1);
    }, /spec\.list is not a map/);
    assert.throws(() => {
      setAtPath(root, parsePath("spec.map[0]"), 1);
    }, /spec\.map is not a list/);
    assert.deepEqual(root, { spec: { items: "text", list: [1], map: { a: 1 } } });
  });

  it("treats __proto__ as a field name, never as the prototype", () => {
    const root: JsonObject = {};
    setAtPath(root, parsePath("spec.__proto__.polluted"), "yes");
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(Object.getPrototypeOf(root["spec"]), Object.prototype);
    assert.equal(canonicalJson(root), '{"spec":{"__proto__":{"polluted":"yes"}}}');
  });
});

describe("mergeAtPath (KeysAndValues)", () => {
  it("replaces a one-field path as a whole", () => {
    const root: JsonObject = { spec: { keep: true } };
    mergeAtPath(root, ["spec"], { a: 1 });
    assert.deepEqual(root, { spec: { a: 1 } });
  });

  it("merges a map into the map at a deeper path", () => {
    const root: JsonObject = { spec: { slack: { channel: "#a", url: "old" } } };
    mergeAtPath(root, parsePath("spec.slack"), { url: "new", user: "bot" });
    assert.deepEqual(root, { spec: { slack: { channel: "#a", url: "new", user: "bot" } } });
  });

  it("replaces what is not a map, and creates missing paths", () => {
    const root: JsonObject = { spec: { slack: "text" } };
    mergeAtPath(root, parsePath("spec.slack"), { url: "u" });
    mergeAtPath(root, parsePath("spec.items[1]"), { name: "n" });
    mergeAtPath(root, parsePath("spec.list"), [1, 2]);
    assert.deepEqual(root, {
      spec: { slack: { url: "u" }, items: [null, { name: "n" }], list: [1, 2] },
    });
  });
});

describe("YAML values", () => {
  it("parses leaves as Kubernetes' YAML 1.1 reader does", () => {
    assert.equal(leafValue("8080"), 8080);
    assert.equal(leafValue("yes"), true);
    assert.equal(leafValue("false"), false);
    assert.equal(leafValue("0755"), 493);
    assert.equal(leafValue(""), null);
    assert.equal(leafValue("plain text"), "plain text");
    assert.equal(leafValue("https://example.com/a?b=c"), "https://example.com/a?b=c");
    assert.equal(leafValue("2024-01-02"), "2024-01-02");
    assert.deepEqual(leafValue("a: 1\nb: [x, z]"), { a: 1, b: ["x", "z"] });
    assert.equal(leafValue("y"), true);
  });

  it("keeps the text when it is not YAML", () => {
    assert.equal(leafValue("{unclosed"), "{unclosed");
    assert.equal(leafValue("a\n---\nb"), "a\n---\nb");
  });

  it("never quotes the text in a parse error", () => {
    assert.throws(
      () => parseYamlValue("password: {s3cr3t"),
      (err: Error) => {
        assert.ok(!err.message.includes("s3cr3t"));
        return true;
      },
    );
  });

  it("canonical JSON sorts keys at every level", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }),
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});
