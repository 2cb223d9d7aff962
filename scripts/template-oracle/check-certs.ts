// Checks the certificates Ferry's template engine generates against Go:
// renders test/golden/template/certs/cases.json with Ferry, then has the Go
// oracle (crypto/x509 + sprig v3.3.0) parse and verify them and compare
// every field sprig determines with what sprig generates for the same
// template (see certcheck.go). Certificates are random, so this is not a
// golden file comparison; it needs Go, like `npm run template:golden`.
// Run: scripts/with-node24.sh node scripts/template-oracle/check-certs.ts
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GOLDEN_DIR, renderCase, type GoldenCase } from "../../src/template/testing/golden.ts";

interface CertCase extends GoldenCase {
  verify?: [string, string][];
  given?: string[];
}

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, ".tools", "template-oracle");
const cases = JSON.parse(
  readFileSync(join(GOLDEN_DIR, "certs", "cases.json"), "utf8"),
) as CertCase[];

const results = cases.map((c) => {
  const renderedAt = Date.now();
  const { output, error } = renderCase(c);
  const renderedUntil = Date.now();
  return { ...c, ferry: { output, error, renderedAt, renderedUntil } };
});

mkdirSync(join(root, ".tools"), { recursive: true });
execFileSync("go", ["build", "-o", bin, "."], { cwd: import.meta.dirname, stdio: "inherit" });
const dir = mkdtempSync(join(tmpdir(), "ferry-certs-"));
try {
  const file = join(dir, "results.json");
  writeFileSync(file, JSON.stringify(results));
  const run = spawnSync(bin, ["-certs", file], {
    stdio: "inherit",
    env: { ...process.env, TZ: "UTC" },
  });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
