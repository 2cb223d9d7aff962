// Reports how many golden template cases Ferry renders exactly like Go:
// outputs byte for byte, errors by location and by exact message.
// Run: scripts/with-node24.sh node scripts/template-oracle/compare.ts [-v] [FILE.json...]
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  GOLDEN_DIR,
  errorLocation,
  renderCase,
  type GoldenCase,
  type GoldenResult,
} from "../../src/template/testing/golden.ts";

type Case = GoldenCase;
type Result = GoldenResult;

const dir = GOLDEN_DIR;
const args = process.argv.slice(2);
const verbose = args.includes("-v");
const only = args.filter((a) => a !== "-v");

/** Like renderCase, but a crash is reported as a result instead of stopping the run. */
function render(c: Case): Result {
  try {
    return renderCase(c);
  } catch (e) {
    return {
      name: c.name,
      error: `CRASH ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    };
  }
}

const location = errorLocation;

interface Tally {
  total: number;
  agree: number;
  exactErrors: number;
  errors: number;
}

function errorAgrees(label: string, want: string, got: Result, t: Tally): boolean {
  t.errors++;
  const ok = got.error !== undefined && location(got.error) === location(want);
  if (got.error === want) t.exactErrors++;
  else if (verbose && ok) console.log(`~ ${label}\n  go:    ${want}\n  ferry: ${got.error ?? ""}`);
  return ok;
}

function check(file: string, c: Case, want: Result | undefined, t: Tally): void {
  t.total++;
  const got = render(c);
  const ok =
    want?.error !== undefined
      ? errorAgrees(`${file} ${c.name}`, want.error, got, t)
      : got.error === undefined && got.output === want?.output;
  if (ok) {
    t.agree++;
    return;
  }
  console.log(`✗ ${file} ${c.name}`);
  console.log(`  go:    ${JSON.stringify(want?.error ?? want?.output)}`);
  console.log(`  ferry: ${JSON.stringify(got.error ?? got.output)}`);
}

const tally: Tally = { total: 0, agree: 0, exactErrors: 0, errors: 0 };
for (const file of readdirSync(join(dir, "cases"))
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  if (only.length > 0 && !only.includes(file)) continue;
  const cases = JSON.parse(readFileSync(join(dir, "cases", file), "utf8")) as Case[];
  const expected = new Map(
    (JSON.parse(readFileSync(join(dir, "expected", file), "utf8")) as Result[]).map((e) => [
      e.name,
      e,
    ]),
  );
  for (const c of cases) check(file, c, expected.get(c.name), tally);
}
console.log(
  `${tally.agree}/${tally.total} cases agree; errors: ${tally.exactErrors}/${tally.errors} messages identical`,
);
