import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Io } from "../command.ts";
import { templateCommand } from "./template.ts";

function capture(stdin?: string): { io: Io; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    ...(stdin === undefined ? {} : { readStdin: () => Promise.resolve(stdin) }),
  };
  return { io, out: () => out, err: () => err };
}

const dir = mkdtempSync(join(tmpdir(), "ferry-template-"));
const values = join(dir, "values.json");
writeFileSync(values, JSON.stringify({ user: "admin", password: "s3cr3t-value" }));
const tpl = join(dir, "t.tmpl");
writeFileSync(tpl, "{{ .user }}:{{ .password | b64enc }}");
const badValues = join(dir, "bad.json");
writeFileSync(badValues, JSON.stringify({ n: 1 }));

describe("ferry template", () => {
  const cases: {
    name: string;
    args: string[];
    stdin?: string;
    code: number;
    out?: string;
    err?: RegExp;
    notErr?: string;
  }[] = [
    {
      name: "template file",
      args: ["--values", values, "--template", tpl],
      code: 0,
      out: "admin:czNjcjN0LXZhbHVl",
    },
    {
      name: "stdin",
      args: ["--values", values],
      stdin: "{{ upper .user }}",
      code: 0,
      out: "ADMIN",
    },
    {
      name: "flag=value form",
      args: [`--values=${values}`],
      stdin: "{{ .user }}",
      code: 0,
      out: "admin",
    },
    { name: "no values", args: [], stdin: "{{ len . }}", code: 0, out: "0" },
    {
      name: "delimiters",
      args: ["--values", values, "--left-delimiter", "[[", "--right-delimiter", "]]"],
      stdin: "[[ .user ]] {{ x }}",
      code: 0,
      out: "admin {{ x }}",
    },
    {
      name: "missing key",
      args: ["--values", values],
      stdin: "{{ .nope }}",
      code: 1,
      err: /map has no entry for key "nope"/,
    },
    {
      name: "parse error",
      args: [],
      stdin: "{{ nofunc }}",
      code: 1,
      err: /function "nofunc" not defined/,
    },
    {
      name: "secret not echoed",
      args: ["--values", values],
      stdin: "{{ fail .password }}",
      code: 1,
      err: /\[redacted\]/,
      notErr: "s3cr3t-value",
    },
    {
      name: "non-string value",
      args: ["--values", badValues],
      stdin: "x",
      code: 1,
      err: /not a string/,
    },
    { name: "unknown flag", args: ["--nope"], code: 2, err: /unknown argument/ },
    { name: "help", args: ["--help"], code: 0 },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const c = capture(tc.stdin);
      const code = await templateCommand.run(tc.args, c.io);
      assert.equal(code, tc.code, c.err());
      if (tc.out !== undefined) assert.equal(c.out(), tc.out);
      if (tc.err !== undefined) assert.match(c.err(), tc.err);
      if (tc.notErr !== undefined) assert.ok(!c.err().includes(tc.notErr));
    });
  }
});
