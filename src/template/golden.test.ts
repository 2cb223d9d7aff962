// Golden tests: every case in test/golden/template/cases is rendered by the
// engine and compared byte for byte with the output of Go text/template +
// sprig (scripts/template-oracle), stored in test/golden/template/expected.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  GOLDEN_DIR,
  errorLocation,
  renderCase,
  type GoldenCase,
  type GoldenResult,
} from "./testing/golden.ts";

type Case = GoldenCase;
type Expected = GoldenResult;
const dir = GOLDEN_DIR;
const render = renderCase;
const location = errorLocation;

/** Cases where Ferry knowingly differs from Go (reported as todo, see src/template/README.md). */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  "core-037": "integers are JS numbers: exact only up to 2^53",
  "fn-309": "fromYaml parse error text differs from go-yaml's",
};

/**
 * Cases whose Go output is the day the oracle ran: sprig turns a value that
 * is not a date into time.Now(). Compared with today's local date instead.
 */
const TODAY_CASES = new Set(["eso-065"]);

function today(): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${String(d.getFullYear())}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

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
        if (TODAY_CASES.has(c.name)) {
          const before = today();
          const output = render(c).output ?? "";
          assert.ok([before, today()].includes(output), `${output} is not today`);
          return;
        }
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
