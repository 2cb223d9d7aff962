// Writes deploy/crds/<group>_<plural>.yaml and deploy/crds/bundle.yaml from
// the schemas in src/api. With --check, writes nothing and exits 1 listing
// the files that are stale (CI uses it to catch forgotten regenerations).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCrdBundle, renderCrdFiles } from "../src/cli/commands/crds.ts";

export const CRD_DIR = join(import.meta.dirname, "..", "deploy", "crds");
export const BUNDLE = "bundle.yaml";

/** Every file deploy/crds must contain, by name. */
export function expectedCrdFiles(): Map<string, string> {
  const files = new Map(renderCrdFiles().map((f) => [f.fileName, f.yaml]));
  files.set(BUNDLE, renderCrdBundle());
  return files;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function existingYamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(".yaml"));
  } catch {
    return [];
  }
}

/** Names of files that differ from what the schemas generate, or should not exist. */
export function staleCrdFiles(dir: string = CRD_DIR): string[] {
  const expected = expectedCrdFiles();
  const stale = [...expected]
    .filter(([name, text]) => readOrUndefined(join(dir, name)) !== text)
    .map(([name]) => name);
  const extra = existingYamlFiles(dir).filter((name) => !expected.has(name));
  return [...stale, ...extra].sort();
}

function write(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const expected = expectedCrdFiles();
  for (const name of existingYamlFiles(dir)) {
    if (!expected.has(name)) rmSync(join(dir, name));
  }
  for (const [name, text] of expected) writeFileSync(join(dir, name), text);
  console.log(`wrote ${expected.size} files to ${dir}`);
}

function main(args: readonly string[]): number {
  if (!args.includes("--check")) {
    write(CRD_DIR);
    return 0;
  }
  const stale = staleCrdFiles();
  if (stale.length === 0) {
    console.log("deploy/crds is up to date");
    return 0;
  }
  console.error(`deploy/crds is stale; run npm run crds. Stale files:\n  ${stale.join("\n  ")}`);
  return 1;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
