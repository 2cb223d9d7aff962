// The layer boundaries of the architecture are enforced by lint
// (eslint-rules/layer-boundaries.js). These cases build a scratch tree with
// the project's eslint config and stub files at the paths in question, then
// check that a forbidden import is an error and an allowed one is not.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { repoRoot } from "./testenv/env-file.ts";

const cases: { file: string; imports: string; allowed: boolean }[] = [
  { file: "src/runtime/probe.ts", imports: "../api/index.ts", allowed: false },
  { file: "src/template/probe.ts", imports: "../runtime/index.ts", allowed: false },
  { file: "src/api/probe.ts", imports: "../esutils/index.ts", allowed: false },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../../providers/aws/client.ts",
    allowed: false,
  },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../../providers/registry.ts",
    allowed: true,
  },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../common/status.ts",
    allowed: true,
  },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../pushsecret/reconciler.ts",
    allowed: false,
  },
  {
    file: "src/providers/fake/probe.ts",
    imports: "../../controllers/common/status.ts",
    allowed: false,
  },
  { file: "src/esutils/probe.ts", imports: "../api/index.ts", allowed: true },
  { file: "src/esutils/probe.ts", imports: "../template/index.ts", allowed: true },
  { file: "src/providers/aws/probe.ts", imports: "../../template/index.ts", allowed: false },
  { file: "src/providers/registry.ts", imports: "../template/index.ts", allowed: false },
  { file: "src/providers/webhook/probe.ts", imports: "../../template/index.ts", allowed: true },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../../cli/run-cli.ts",
    allowed: false,
  },
  { file: "src/providers/registry.ts", imports: "./all.ts", allowed: false },
  { file: "src/cli/probe.ts", imports: "../providers/all.ts", allowed: true },
  {
    file: "src/controllers/externalsecret/probe.ts",
    imports: "../../providers/fake/index.ts",
    allowed: false,
  },
  {
    file: "src/controllers/externalsecret/probe.test.ts",
    imports: "../../providers/fake/index.ts",
    allowed: true,
  },
  { file: "src/runtime/probe.ts", imports: "../../test/e2e/framework/env.ts", allowed: false },
];

const scratch = mkdtempSync(join(tmpdir(), "ferry-lint-"));
copyFileSync(join(repoRoot, "eslint.config.js"), join(scratch, "eslint.config.js"));
mkdirSync(join(scratch, "eslint-rules"));
copyFileSync(
  join(repoRoot, "eslint-rules", "layer-boundaries.js"),
  join(scratch, "eslint-rules", "layer-boundaries.js"),
);
symlinkSync(join(repoRoot, "node_modules"), join(scratch, "node_modules"));
for (const tc of cases) {
  for (const file of [tc.file, join(dirname(tc.file), tc.imports)]) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    writeFileSync(join(scratch, file), "export const probe = 1;\n");
  }
}

const eslint = new ESLint({
  cwd: scratch,
  // Import rules need no type information.
  overrideConfig: [tseslint.configs.disableTypeChecked],
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(scratch, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "ferry/layer-boundaries")
    .map((m) => m.message);
}

describe("layer boundaries", () => {
  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });
  for (const tc of cases) {
    it(`${tc.allowed ? "allows" : "refuses"} ${tc.file} -> ${tc.imports}`, async () => {
      const errors = await boundaryErrors(
        tc.file,
        `import { probe } from "${tc.imports}";\nexport const copy = probe;\n`,
      );
      if (tc.allowed) assert.deepEqual(errors, []);
      else
        assert.equal(
          errors.length,
          1,
          `expected one boundary error, got ${JSON.stringify(errors)}`,
        );
    });
  }
});
