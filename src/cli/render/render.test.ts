// `ferry render` for generic targets: the ConfigMap or custom resource an
// ExternalSecret with spec.target.manifest would produce, masked unless
// values are asked for.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { newProviderRegistry } from "../../providers/all.ts";
import { readManifests } from "./manifests.ts";
import { createHash } from "node:crypto";
import { fingerprint, formatResults, renderAll } from "./render.ts";

const MANIFESTS = `
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: fake, namespace: apps }
spec:
  provider:
    fake:
      data:
        - { key: db-user, value: admin }
        - { key: db-port, value: "5432" }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: cm, namespace: apps }
spec:
  secretStoreRef: { name: fake }
  target:
    name: app-config
    manifest: { apiVersion: v1, kind: ConfigMap }
    template:
      data:
        url: "postgres://{{ .user }}@db:{{ .port }}"
  data:
    - { secretKey: user, remoteRef: { key: db-user } }
    - { secretKey: port, remoteRef: { key: db-port } }
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: widget, namespace: apps }
spec:
  secretStoreRef: { name: fake }
  target:
    manifest: { apiVersion: example.ferry.dev/v1, kind: Widget }
    template:
      templateFrom:
        - target: spec.config.items[0]
          literal: "name: port\\nvalue: {{ .port }}"
  data:
    - { secretKey: port, remoteRef: { key: db-port } }
`;

const dir = mkdtempSync(join(tmpdir(), "ferry-render-"));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function render(showValues: boolean): Promise<Record<string, unknown>[]> {
  const file = join(dir, "m.yaml");
  writeFileSync(file, MANIFESTS);
  const registry = newProviderRegistry();
  const results = await renderAll(readManifests([file]), registry, {
    showValues,
    delimiters: { leftDelim: "{{", rightDelim: "}}" },
  });
  await registry.close();
  assert.deepEqual(
    results.map((r) => r.error),
    [undefined, undefined],
  );
  const text = formatResults(results);
  assert.match(
    text,
    /# event: note: generic target \(spec\.target\.manifest\); the controller writes it only with --unsafe-allow-generic-targets/,
  );
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

describe("ferry render with generic targets", () => {
  it("prints the ConfigMap and the custom resource", async () => {
    const [cm = {}, widget = {}] = await render(true);
    assert.equal(cm["kind"], "ConfigMap");
    assert.deepEqual(cm["data"], { url: "postgres://admin@db:5432" });
    assert.equal((cm["metadata"] as { name?: string }).name, "app-config");
    assert.equal(widget["apiVersion"], "example.ferry.dev/v1");
    assert.deepEqual(widget["spec"], { config: { items: [{ name: "port", value: 5432 }] } });
  });

  it("masks every value of the content by default", async () => {
    const docs = await render(false);
    const text = JSON.stringify(docs);
    assert.ok(!text.includes("admin"));
    assert.ok(!text.includes("5432"));
    const widget = docs[1]?.["spec"] as { config: { items: { value: string }[] } };
    assert.match(
      widget.config.items[0]?.value ?? "",
      /^<masked: 4 bytes, fingerprint [0-9a-f]{12}…>$/,
    );
  });
});

describe("masked values", () => {
  it("fingerprint equal values alike within a run, but not with a plain hash one could look up", () => {
    const value = Buffer.from("admin");
    assert.equal(fingerprint(value), fingerprint(Buffer.from("admin")));
    assert.notEqual(fingerprint(value), fingerprint(Buffer.from("admin2")));
    const plain = createHash("sha256").update(value).digest("hex").slice(0, 12);
    assert.notEqual(fingerprint(value), plain);
  });
});
