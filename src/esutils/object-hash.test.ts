// Expected hashes were computed with Go 1.26: fmt.Sprintf("%+v", v) hashed
// with crypto/sha3.Sum224, exactly as ESO's esutils.ObjectHash does.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createdByHash,
  formatPlusV,
  goMap,
  objectHash,
  secretDataHash,
  syncedResourceVersion,
} from "./object-hash.ts";

const bytes = (s: string): Uint8Array => Buffer.from(s, "utf8");

describe("ObjectHash compatibility with Go", () => {
  it("formats and hashes map[string][]byte like Go (sorted keys, bytes as decimals)", () => {
    const data = new Map([
      ["b", bytes("hi")],
      ["a", bytes("")],
      ["é", bytes("x")],
      ["Z", new Uint8Array()],
    ]);
    assert.equal(formatPlusV(goMap(data)), "map[Z:[] a:[] b:[104 105] é:[120]]");
    assert.equal(secretDataHash(data), "a12b22e05a46bcba5e419e0f96b9a896e7ac99f67a8c5ea0a2817557");
  });

  it("hashes empty and nil maps alike", () => {
    const empty = "74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b";
    assert.equal(secretDataHash(new Map()), empty);
    assert.equal(secretDataHash(undefined), empty);
  });

  it("computes the created-by label from namespace/name", () => {
    assert.equal(
      createdByHash("default", "my-es"),
      "b8464376b5fe3535e690594280bfe59b60be2603cb6cbb6d6c8bcbb4",
    );
  });

  it("computes syncedResourceVersion from generation, annotations and labels", () => {
    assert.equal(
      formatPlusV({
        kind: "struct",
        fields: [
          ["annotations", goMap(undefined)],
          ["labels", goMap({ b: "y", app: "x" })],
        ],
      }),
      "{annotations:map[] labels:map[app:x b:y]}",
    );
    assert.equal(
      syncedResourceVersion({ generation: 3, labels: { app: "x", b: "y" } }),
      "3-d7ac67af04623f350688a7c6cbec4ec15f380f44d1650cbc65a0e1cf",
    );
    assert.equal(
      syncedResourceVersion({ generation: 1 }),
      "1-f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2",
    );
  });

  it("hashes a plain string as itself", () => {
    assert.equal(objectHash("default/my-es"), createdByHash("default", "my-es"));
  });
});
