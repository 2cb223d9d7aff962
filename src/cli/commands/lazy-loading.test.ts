// Start-up memory: what `ferry` and `ferry controller` load before any store,
// template or other command is used. Each import runs in a fresh process,
// whose module loads a hook records.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";

/** Every module URL (outside node:) that importing `module` loads. */
function modulesLoadedBy(module: string): string[] {
  const script = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    await import(${JSON.stringify(new URL(module, import.meta.url).href)});
    process.stdout.write(JSON.stringify(loaded.filter((u) => !u.startsWith("node:"))));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  return JSON.parse(out) as string[];
}

/** Loaded on first use only: by a store, a template function or another command. */
const DEFERRED = [
  /\/node_modules\/undici\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/node-forge\//,
  /\/node_modules\/bcryptjs\//,
  /\/node_modules\/re2js\//,
  /\/src\/api\/crd\//,
];

describe("lazy loading", () => {
  it("ferry's command table loads no command implementation", () => {
    const loaded = modulesLoadedBy("../run-cli.ts");
    assert.deepEqual(
      loaded.filter((url) => /\/src\/(?!cli\/(run-cli|command|commands\/index)\.ts$)/.test(url)),
      [],
    );
  });

  it("the controller command defers packages an idle controller does not need", () => {
    const loaded = modulesLoadedBy("./controller.ts");
    assert.ok(loaded.some((url) => url.includes("/src/controllers/")));
    assert.deepEqual(
      loaded.filter((url) => DEFERRED.some((re) => re.test(url))),
      [],
    );
  });
});
