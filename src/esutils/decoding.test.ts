import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decode, DecodingError } from "./decoding.ts";

const b = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const text = (u: Uint8Array): string => Buffer.from(u).toString("utf8");

describe("decodingStrategy (Go encoding/base64 semantics)", () => {
  const cases: [strategy: string | undefined, input: string, expected: string | Error][] = [
    [undefined, "aGVsbG8=", "aGVsbG8="],
    ["None", "aGVsbG8=", "aGVsbG8="],
    ["Base64", "aGVsbG8=", "hello"],
    ["Base64", "aGVs\nbG8=\r\n", "hello"],
    ["Base64", "aGVsbG8", new DecodingError("Base64", "")],
    ["Base64", "aGVs bG8=", new DecodingError("Base64", "")],
    ["Base64", "_-8=", new DecodingError("Base64", "")],
    ["Base64URL", "_-8=", "\u00ff\u00ef"],
    ["Base64URL", "+/8=", new DecodingError("Base64URL", "")],
    ["Auto", "aGVsbG8=", "hello"],
    ["Auto", "plain-value", "plain-value"],
    ["Auto", "", ""],
    ["Auto", "YWJj", "abc"],
    ["Rot13", "x", new DecodingError("Rot13", "")],
  ];
  for (const [strategy, input, expected] of cases) {
    it(`${strategy ?? "(unset)"}: ${JSON.stringify(input)}`, () => {
      if (expected instanceof Error) {
        assert.throws(() => decode(strategy, b(input)), DecodingError);
      } else if (input === "_-8=") {
        assert.deepEqual([...decode(strategy, b(input))], [0xff, 0xef]);
      } else {
        assert.equal(text(decode(strategy, b(input))), expected);
      }
    });
  }

  it("never puts the value into the error message", () => {
    assert.throws(
      () => decode("Base64", b("s3cr3t!")),
      (err: unknown) => err instanceof DecodingError && !err.message.includes("s3cr3t"),
    );
  });
});
