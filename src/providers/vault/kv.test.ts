import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildMetadataPath, buildPath, dataObject, type KvConfig } from "./kv.ts";

const vault = (mount: string | undefined, version: "v1" | "v2"): KvConfig => ({
  flavor: "vault",
  mount,
  version,
});

describe("buildPath (ESO's cases)", () => {
  const cases: [string, KvConfig, string, string][] = [
    ["v2 with path", vault("secret/path", "v2"), "foo", "secret/path/data/foo"],
    ["v1 with path", vault("secret/path", "v1"), "foo", "secret/path/foo"],
    [
      "v2 key inherits the path",
      vault("secret/path", "v2"),
      "secret/path/foo",
      "secret/path/data/foo",
    ],
    [
      "v2 key with data",
      vault("secret/path", "v2"),
      "secret/path/data/foo",
      "secret/path/data/foo",
    ],
    ["v1 key inherits the path", vault("secret/path", "v1"), "secret/path/foo", "secret/path/foo"],
    ["v2 without path", vault(undefined, "v2"), "secret/path/foo", "secret/data/path/foo"],
    [
      "v2 without path, data present",
      vault(undefined, "v2"),
      "secret/path/data/foo",
      "secret/path/data/foo",
    ],
    ["v1 without path", vault(undefined, "v1"), "secret/path/foo", "secret/path/foo"],
    ["v2 single segment", vault(undefined, "v2"), "secret", "secret/data"],
    [
      "openBao v2 default mount",
      { flavor: "openBao", mount: undefined, version: "v2" },
      "foo/bar",
      "kv/data/foo/bar",
    ],
    ["openBao v1", { flavor: "openBao", mount: "m", version: "v1" }, "foo", "m/foo"],
  ];
  for (const [name, cfg, key, want] of cases) {
    it(name, () => {
      assert.equal(buildPath(cfg, key), want);
    });
  }
});

describe("buildMetadataPath", () => {
  const cases: [string, KvConfig, string, string][] = [
    ["v2 with path", vault("secret", "v2"), "foo", "secret/metadata/foo"],
    ["v2 key with mount and data", vault("secret", "v2"), "secret/data/foo", "secret/metadata/foo"],
    ["v2 without path", vault(undefined, "v2"), "secret/data/foo", "secret/metadata/foo"],
    ["v1", vault("kv", "v1"), "foo/", "kv/foo/"],
    ["list root", vault("secret", "v2"), "", "secret/metadata/"],
  ];
  for (const [name, cfg, key, want] of cases) {
    it(name, () => {
      assert.equal(buildMetadataPath(cfg, key), want);
    });
  }
  it("refuses a v2 key without path nor data, and v1 without mount", () => {
    assert.throws(() => buildMetadataPath(vault(undefined, "v2"), "foo"), /valid kv v2 path/);
    assert.throws(() => buildMetadataPath(vault(undefined, "v1"), "foo"), /needs the store's path/);
  });
});

describe("dataObject", () => {
  it("finds data.data on v2 and data on v1; null data is no secret", () => {
    const v2 = '{"data":{"data":{"a":"1"},"metadata":{}}}';
    const obj = dataObject(vault("s", "v2"), v2);
    assert.equal(obj === undefined ? "" : v2.slice(obj.span.start, obj.span.end), '{"a":"1"}');
    const v1 = '{"data":{"a":"1"}}';
    const obj1 = dataObject(vault("s", "v1"), v1);
    assert.equal(obj1 === undefined ? "" : v1.slice(obj1.span.start, obj1.span.end), '{"a":"1"}');
    assert.equal(dataObject(vault("s", "v2"), '{"data":{"data":null}}'), undefined);
    assert.throws(
      () => dataObject(vault("s", "v2"), '{"data":{"x":1}}'),
      /failed to find data field/,
    );
  });
});
