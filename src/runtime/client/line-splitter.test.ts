import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineSplitter } from "./line-splitter.ts";

describe("LineSplitter", () => {
  const cases: { name: string; chunks: (string | Buffer)[]; lines: string[] }[] = [
    { name: "whole lines", chunks: ['{"a":1}\n{"b":2}\n'], lines: ['{"a":1}', '{"b":2}'] },
    { name: "a line across chunks", chunks: ['{"a"', ":1}\n"], lines: ['{"a":1}'] },
    {
      name: "a trailing line without newline",
      chunks: ['{"a":1}\n{"b"', ":2}"],
      lines: ['{"a":1}', '{"b":2}'],
    },
    { name: "blank lines", chunks: ["\n\n{}\n\n"], lines: ["{}"] },
    {
      name: "a multi-byte character split across chunks",
      chunks: [Buffer.from([0x22, 0xc3]), Buffer.from([0xa9, 0x22, 0x0a])],
      lines: ['"é"'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = new LineSplitter();
      const out = tc.chunks.flatMap((c) => s.push(c));
      const last = s.flush();
      if (last !== undefined) out.push(last);
      assert.deepEqual(out, tc.lines);
    });
  }
});
