// Golden tests: every case in test/golden/template/cases is rendered by the
// engine and compared byte for byte with the output of Go text/template +
// sprig (scripts/template-oracle), stored in test/golden/template/expected.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TemplateError, compile, dataContext, fromJSON } from "./index.ts";

interface Case {
  name: string;
  template: string;
  data?: unknown;
  delims?: [string, string];
  jsonData?: boolean;
}

interface Expected {
  name: string;
  output?: string;
  error?: string;
}

const dir = join(import.meta.dirname, "..", "..", "test", "golden", "template");

function render(c: Case): Expected {
  try {
    const t = compile(c.template, {
      name: c.name,
      ...(c.delims === undefined ? {} : { leftDelim: c.delims[0], rightDelim: c.delims[1] }),
    });
    const dot =
      c.jsonData === true
        ? fromJSON(c.data)
        : dataContext((c.data ?? {}) as Record<string, string>);
    return { name: c.name, output: Buffer.from(t.executeValue(dot)).toString("utf8") };
  } catch (e) {
    if (e instanceof TemplateError) return { name: c.name, error: e.message };
    throw e;
  }
}

/** Error messages must agree on kind and location: "template: NAME:LINE[:COL]: ...". */
function location(msg: string): string {
  const m = /^template: [^:]*:(\d+(?::\d+)?):/.exec(msg);
  return m?.[1] ?? msg;
}

/** Cases where Ferry knowingly differs from Go (reported as todo, see src/template/README.md). */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  "core-037": "integers are JS numbers: exact only up to 2^53",
  "core-040": "complex constants are not supported",
  "core-041": "complex constants are not supported",
  "fn-279": "zone abbreviations come from Intl, not the Go tz database",
  "fn-309": "fromYaml parse error text differs from go-yaml's",
};

const files = readdirSync(join(dir, "cases")).filter((f) => f.endsWith(".json"));

for (const file of files) {
  const cases = JSON.parse(readFileSync(join(dir, "cases", file), "utf8")) as Case[];
  const expected = JSON.parse(readFileSync(join(dir, "expected", file), "utf8")) as Expected[];
  const byName = new Map(expected.map((e) => [e.name, e]));
  describe(`golden ${file}`, () => {
    for (const c of cases) {
      const todo = KNOWN_DIFFERENCES[c.name];
      it(c.name, todo === undefined ? {} : { todo }, () => {
        const want = byName.get(c.name);
        assert.ok(want, `no expected output for ${c.name} (run npm run template:golden)`);
        const got = render(c);
        if (want.error !== undefined) {
          assert.ok(
            got.error !== undefined,
            `Go fails with ${want.error}\nbut Ferry rendered ${JSON.stringify(got.output)}`,
          );
          assert.equal(
            location(got.error),
            location(want.error),
            `Go: ${want.error}\nFerry: ${got.error}`,
          );
          return;
        }
        assert.equal(got.error, undefined, `Ferry failed: ${got.error ?? ""}`);
        assert.equal(got.output, want.output);
      });
    }
  });
}
