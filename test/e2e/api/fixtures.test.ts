// Manifests as users copy them from tutorials (test/fixtures/field-manifests)
// against the real apiserver: the valid ESO ones apply unchanged, the others
// are refused with a message naming the problem.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { createNamespace, kube } from "../framework/env.ts";
import { installCrds, kubectl, REPO_ROOT } from "./kubectl.ts";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "field-manifests");

function fixtures(folder: string): { file: string; text: string }[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") }));
}

/** The manifest with its namespace (if any) replaced by the test's own. */
function inNamespace(text: string, namespace: string): string {
  const manifest = parse(text) as { metadata: { namespace?: string } };
  if (manifest.metadata.namespace !== undefined) manifest.metadata.namespace = namespace;
  return stringify(manifest);
}

const refusedBecause: Record<string, RegExp> = {
  "03-secretstore-aws-secrets-manager-legacy-auth.yaml":
    /unknown field "spec\.provider\.aws\.auth\.serviceAccount"/,
  "09-secretgenerator-password-generator.yaml":
    /no matches for kind "SecretGenerator" in version "external-secrets\.io\/v1alpha1"/,
};

describe("field manifests from tutorials", () => {
  const k = kube();
  let ns: { name: string; remove: () => Promise<void> };

  before(async () => {
    await installCrds();
    ns = await createNamespace(k.core, "api-fixtures");
  });
  after(async () => {
    await ns.remove();
  });

  const valid = fixtures("valid");
  it("has the valid fixtures", () => {
    assert.equal(valid.length, 16);
  });
  for (const { file, text } of valid) {
    it(`accepts ${file}`, async () => {
      const result = await kubectl(
        ["apply", "--dry-run=server", "-f", "-"],
        inNamespace(text, ns.name),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /\(server dry run\)/);
    });
  }

  for (const { file, text } of fixtures("refused")) {
    it(`refuses ${file}`, async () => {
      const expected = refusedBecause[file];
      assert.ok(expected, `no expected message for ${file}`);
      const result = await kubectl(
        ["apply", "--dry-run=server", "-f", "-"],
        inNamespace(text, ns.name),
      );
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr, expected);
    });
  }
});
