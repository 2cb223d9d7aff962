import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../../../scripts/testenv/env-file.ts";
import type { Io } from "../command.ts";
import { renderCommand } from "./render.ts";

const example = join(repoRoot, "examples", "fake-store.yaml");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => (out += t), stderr: (t) => (err += t) };
  const code = await renderCommand.run(args, io);
  return { code, out, err };
}

function secrets(
  yaml: string,
): { metadata: { name: string }; type: string; data: Record<string, string> }[] {
  return parseAllDocuments(yaml).map(
    (d) => d.toJS() as { metadata: { name: string }; type: string; data: Record<string, string> },
  );
}

describe("ferry render", () => {
  it("renders the example with masked values by default", async () => {
    const { code, out } = await run(["-f", example]);
    assert.equal(code, 0);
    assert.doesNotMatch(out, /c0rrect-h0rse|r3g1stry/);
    const [db, registry] = secrets(out);
    assert.equal(db?.metadata.name, "database-credentials");
    assert.match(db.data["DATABASE_URL"] ?? "", /^<masked: 67 bytes, fingerprint [0-9a-f]{12}…>$/);
    assert.equal(registry?.type, "kubernetes.io/dockerconfigjson");
  });

  it("shows the values the controller would write with --show-values", async () => {
    const { code, out } = await run(["-f", example, "--show-values"]);
    assert.equal(code, 0);
    const [db, registry] = secrets(out);
    const decode = (v: string | undefined): string => Buffer.from(v ?? "", "base64").toString();
    assert.equal(
      decode(db?.data["DATABASE_URL"]),
      "postgres://shop:c0rrect-h0rse@db.shop.svc:5432/shop?sslmode=require",
    );
    const docker = JSON.parse(decode(registry?.data[".dockerconfigjson"])) as {
      auths: Record<string, { auth: string }>;
    };
    assert.equal(decode(docker.auths["registry.example.com"]?.auth), "ci:r3g1stry-t0ken");
  });

  it("explains a missing store and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ferry-render-"));
    const file = join(dir, "es.yaml");
    writeFileSync(
      file,
      "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: lonely}\nspec:\n  secretStoreRef: {name: nowhere}\n  data: [{secretKey: a, remoteRef: {key: b}}]\n",
    );
    const { code, out } = await run(["-f", file]);
    assert.equal(code, 1);
    assert.match(
      out,
      /# ERROR: spec.data\[0\] \(key=b\): .*SecretStore "nowhere" in namespace "default" is not in the given manifests/,
    );
  });

  it("refuses to run without files", async () => {
    const { code, err } = await run([]);
    assert.equal(code, 2);
    assert.match(err, /give at least one manifest with -f/);
  });
});
