// Expected JSON bytes come from Go 1.26 (json.Marshal, and an Encoder with
// SetEscapeHTML(false)), the two encoders ESO's rewrite merge uses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goJsonMarshal, type JsonValue } from "./go-json.ts";
import { rewriteMap, RewriteError, type Rewrite } from "./rewrite.ts";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const dec = (m: Map<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString("utf8")]));
const noTransform = (): string => {
  throw new Error("no transform expected");
};

describe("Go JSON encoding", () => {
  const value = JSON.parse(
    '{"b":1.5e-7,"a":[1,2.50,"x<y&z>"],"c":{"z":null,"y":true},"d":1e21,"e":123456789012,"f":0.000001,"g":"\\u2028"}',
  ) as JsonValue;
  it("matches json.Marshal", () => {
    assert.equal(
      goJsonMarshal(value),
      '{"a":[1,2.5,"x\\u003cy\\u0026z\\u003e"],"b":1.5e-7,"c":{"y":true,"z":null},"d":1e+21,"e":123456789012,"f":0.000001,"g":"\\u2028"}',
    );
  });
  it("matches an Encoder with SetEscapeHTML(false)", () => {
    assert.equal(
      goJsonMarshal(value, false),
      '{"a":[1,2.5,"x<y&z>"],"b":1.5e-7,"c":{"y":true,"z":null},"d":1e+21,"e":123456789012,"f":0.000001,"g":"\\u2028"}',
    );
  });
});

describe("rewrite", () => {
  const fetched = new Map([
    ["name", enc("n")],
    ["surname", enc("s")],
  ]);

  it("regexp renames every key with Go's replace semantics", () => {
    const out = rewriteMap([{ regexp: { source: "(.*)", target: "my_$1" } }], fetched, noTransform);
    assert.deepEqual(dec(out), { my_name: "n", my_surname: "s" });
  });

  it("applies operations in order and hands transform keys to the renderer", () => {
    const ops: Rewrite[] = [
      { regexp: { source: "^sur", target: "last" } },
      { transform: { template: "{{ .value | upper }}" } },
    ];
    const out = rewriteMap(ops, fetched, (_template, key) => key.toUpperCase());
    assert.deepEqual(dec(out), { NAME: "n", LASTNAME: "s" });
  });

  it("merges JSON objects in key order with priority keys last (Extract)", () => {
    const data = new Map([
      ["b", enc('{"user":"b","port":5432,"nested":{"z":1,"a":"<"}}')],
      ["a", enc('{"user":"a","flag":true,"none":null}')],
    ]);
    const out = rewriteMap(
      [{ merge: { priority: ["a"], conflictPolicy: "Ignore" } }],
      data,
      noTransform,
    );
    assert.deepEqual(dec(out), {
      user: "a",
      port: "5432",
      nested: '{"a":"\\u003c","z":1}',
      flag: "true",
      none: "",
    });
  });

  it("refuses conflicts unless conflictPolicy is Ignore", () => {
    const data = new Map([
      ["a", enc('{"user":"a"}')],
      ["b", enc('{"user":"b"}')],
    ]);
    assert.throws(
      () => rewriteMap([{ merge: {} }], data, noTransform),
      (err: unknown) =>
        err instanceof RewriteError &&
        err.message.includes("operation[0]: merge failed with conflicts: user"),
    );
  });

  it("JSON strategy keeps the input and adds the merged object under into", () => {
    const data = new Map([
      ["a", enc('{"x":"<1>"}')],
      ["b", enc('{"y":2}')],
    ]);
    const out = rewriteMap([{ merge: { strategy: "JSON", into: "all" } }], data, noTransform);
    assert.deepEqual(dec(out), { a: '{"x":"<1>"}', b: '{"y":2}', all: '{"x":"<1>","y":2}' });
    assert.throws(
      () => rewriteMap([{ merge: { strategy: "JSON" } }], data, noTransform),
      /missing 'into' field/,
    );
  });

  it("Strict priority needs the priority keys; IgnoreNotFound skips them", () => {
    const data = new Map([["a", enc('{"x":"1"}')]]);
    assert.throws(
      () => rewriteMap([{ merge: { priority: ["zz"] } }], data, noTransform),
      /key "zz" not found in input map/,
    );
    const out = rewriteMap(
      [{ merge: { priority: ["zz"], priorityPolicy: "IgnoreNotFound" } }],
      data,
      noTransform,
    );
    assert.deepEqual(dec(out), { x: "1" });
  });

  it("never quotes a value that is not JSON", () => {
    const data = new Map([["a", enc("hunter2-not-json")]]);
    assert.throws(
      () => rewriteMap([{ merge: {} }], data, noTransform),
      (err: unknown) => err instanceof Error && !err.message.includes("hunter2"),
    );
  });
});
