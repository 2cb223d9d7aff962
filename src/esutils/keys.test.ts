import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkNullBytes,
  convertKey,
  convertKeys,
  KeyError,
  reverseUnicodeKey,
  validateKeys,
} from "./keys.ts";

describe("key conversion", () => {
  const cases: [key: string, strategy: string | undefined, expected: string][] = [
    ["path/to/key", "Default", "path_to_key"],
    ["path/to/key", undefined, "path_to_key"],
    ["path/to/key", "", "path_to_key"],
    ["path/to/key", "Unicode", "path_U002f_to_U002f_key"],
    ["db.user-name_1", "Default", "db.user-name_1"],
    ["clé:ü", "Default", "clé_ü"],
    ["a$b", "Unicode", "a_U0024_b"],
    ["emoji😀", "Unicode", "emoji_U1f600_"],
    ["٣3", "Default", "٣3"],
  ];
  for (const [key, strategy, expected] of cases) {
    it(`${strategy ?? "(unset)"} ${key} -> ${expected}`, () => {
      assert.equal(convertKey(key, strategy), expected);
    });
  }

  it("reverses Unicode conversion for PushSecret", () => {
    assert.equal(reverseUnicodeKey("path_U002f_to_U002f_key"), "path/to/key");
    assert.equal(reverseUnicodeKey("emoji_U1f600_"), "emoji😀");
  });

  it("refuses collisions", () => {
    assert.throws(
      () =>
        convertKeys(
          new Map([
            ["a/b", 1],
            ["a:b", 2],
          ]),
          "Default",
        ),
      /secret name collision during conversion: a_b/,
    );
  });
});

describe("key validation after rewrite", () => {
  it("drops empty keys and keeps valid ones", () => {
    const out = validateKeys(
      new Map([
        ["", 1],
        ["ok.key_-1", 2],
      ]),
    );
    assert.deepEqual([...out.keys()], ["ok.key_-1"]);
  });

  it("refuses invalid characters and over-long keys with ESO's tip", () => {
    assert.throws(
      () => validateKeys(new Map([["bad/key", 1]])),
      /invalid secret keys \(TIP: use rewrite or conversionStrategy/,
    );
    assert.throws(() => validateKeys(new Map([["k".repeat(254), 1]])), KeyError);
    assert.doesNotThrow(() => validateKeys(new Map([["k".repeat(253), 1]])));
  });
});

describe("nullBytePolicy", () => {
  const data = new Map([["k", new Uint8Array([97, 0, 98])]]);
  it("ignores NUL bytes unless the policy is Fail", () => {
    assert.doesNotThrow(() => {
      checkNullBytes(data, undefined, "spec.data[0]");
    });
    assert.doesNotThrow(() => {
      checkNullBytes(data, "Ignore", "spec.data[0]");
    });
    assert.throws(() => {
      checkNullBytes(data, "Fail", "spec.data[0]");
    }, /spec.data\[0\]: the value of key "k" contains a null byte/);
  });
});
