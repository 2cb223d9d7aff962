// Rebuilds the Go template oracle and regenerates the expected outputs of
// the golden template cases: test/golden/template/cases/*.json →
// test/golden/template/expected/*.json. Run: npm run template:golden
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
const oracleDir = join(root, "scripts", "template-oracle");
const bin = join(root, ".tools", "template-oracle");
const casesDir = join(root, "test", "golden", "template", "cases");
const expectedDir = join(root, "test", "golden", "template", "expected");

mkdirSync(join(root, ".tools"), { recursive: true });
mkdirSync(expectedDir, { recursive: true });
execFileSync("go", ["build", "-o", bin, "."], { cwd: oracleDir, stdio: "inherit" });

const only = process.argv.slice(2);
for (const file of readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  if (only.length > 0 && !only.includes(file)) continue;
  // Sprig's date functions use the local zone: pin it.
  const out = execFileSync(bin, [join(casesDir, file)], {
    env: { ...process.env, TZ: "UTC" },
    maxBuffer: 64 << 20,
  });
  const results = JSON.parse(out.toString()) as unknown[];
  writeFileSync(join(expectedDir, file), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`expected/${file}: ${results.length} cases`);
}
// Keep the generated files in the repository's format.
execFileSync(join(root, "node_modules", ".bin", "prettier"), ["--write", expectedDir], {
  stdio: "ignore",
});
