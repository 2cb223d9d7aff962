// Building generic targets (spec.target.manifest): where the data goes with
// and without a template, templateFrom targets (map targets, dotted paths
// with indices, literals), metadata, ownership, creationPolicy and the
// data-hash / validity / no-change rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANNOTATION_DATA_HASH, LABEL_CREATED_BY, LABEL_MANAGED } from "../../api/index.ts";
import { createdByHash } from "../../esutils/object-hash.ts";
import type { ExternalSecretObject } from "./es-view.ts";
import {
  contentHash,
  desiredResource,
  isGenericTarget,
  isResourceUnchanged,
  isValidResource,
  targetKindOf,
  type GenericObject,
} from "./generic-target.ts";
import { TargetError, fieldManagerFor } from "./target.ts";
import type { TemplateSources } from "./template.ts";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const fetched = new Map([
  ["user", enc("admin")],
  ["port", enc("5432")],
  ["json", enc('{"url":"https://db","tags":["a","b"]}')],
]);
const delimiters = { leftDelim: "{{", rightDelim: "}}" };
const NO_SOURCES: TemplateSources = { configMaps: new Map(), secrets: new Map() };

type Target = NonNullable<NonNullable<ExternalSecretObject["spec"]>["target"]>;

const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap" };
const WIDGET = { apiVersion: "example.ferry.dev/v1", kind: "Widget" };

function es(target: Target): ExternalSecretObject {
  return {
    metadata: {
      name: "my-es",
      namespace: "ns",
      uid: "uid-1",
      labels: { from: "es" },
      annotations: { note: "es" },
    },
    spec: { target: { name: "app", ...target }, data: [] },
  };
}

function build(
  e: ExternalSecretObject,
  existing?: GenericObject,
  sources: TemplateSources = NO_SOURCES,
): GenericObject {
  const kind = targetKindOf(e);
  assert.ok(kind !== undefined);
  return desiredResource({ es: e, kind, existing, fetched, sources, delimiters });
}

const spec = (o: GenericObject): unknown => o["spec"];
const lbl = (o: GenericObject): Record<string, string> => o.metadata.labels ?? {};
const ann = (o: GenericObject): Record<string, string> => o.metadata.annotations ?? {};

describe("generic target kinds", () => {
  it("parses apiVersion and kind; v1/Secret is not generic", () => {
    assert.deepEqual(targetKindOf(es({ manifest: WIDGET })), {
      apiVersion: "example.ferry.dev/v1",
      group: "example.ferry.dev",
      version: "v1",
      kind: "Widget",
    });
    assert.deepEqual(targetKindOf(es({ manifest: CONFIGMAP }))?.group, "");
    assert.equal(isGenericTarget(es({ manifest: CONFIGMAP })), true);
    assert.equal(isGenericTarget(es({ manifest: { apiVersion: "v1", kind: "Secret" } })), false);
    assert.equal(isGenericTarget(es({})), false);
  });
});

describe("without a template", () => {
  it("a ConfigMap gets the fetched data as strings in data, plus ESO metadata", () => {
    const cm = build(es({ manifest: CONFIGMAP }));
    assert.equal(cm.apiVersion, "v1");
    assert.equal(cm.kind, "ConfigMap");
    assert.deepEqual(cm["data"], {
      user: "admin",
      port: "5432",
      json: '{"url":"https://db","tags":["a","b"]}',
    });
    assert.equal(cm.metadata.name, "app");
    assert.equal(cm.metadata.namespace, "ns");
    assert.equal(lbl(cm)[LABEL_MANAGED], "true");
    assert.equal(lbl(cm)[LABEL_CREATED_BY], createdByHash("ns", "my-es"));
    assert.equal(lbl(cm)["from"], "es");
    assert.equal(ann(cm)["note"], "es");
    assert.equal(ann(cm)[ANNOTATION_DATA_HASH], contentHash(cm, "data"));
    assert.deepEqual(cm.metadata.ownerReferences, [
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        name: "my-es",
        uid: "uid-1",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(isValidResource(cm, "data"), true);
  });

  it("other kinds get it in spec.data", () => {
    const w = build(es({ manifest: WIDGET }));
    assert.deepEqual(spec(w), {
      data: { user: "admin", port: "5432", json: '{"url":"https://db","tags":["a","b"]}' },
    });
    assert.equal(ann(w)[ANNOTATION_DATA_HASH], contentHash(w, "spec"));
  });
});

describe("with a template", () => {
  it("template.data goes to data (a ConfigMap's data), nothing else of the fetched data", () => {
    const cm = build(
      es({
        manifest: CONFIGMAP,
        template: {
          data: {
            "config.yaml": "user: {{ .user }}\nport: {{ .port }}",
            url: "{{ (.json | fromJson).url }}",
          },
          metadata: { labels: { team: "{{ .user }}-team" }, annotations: { plain: "a" } },
        },
      }),
    );
    assert.deepEqual(cm["data"], { "config.yaml": "user: admin\nport: 5432", url: "https://db" });
    assert.equal(lbl(cm)["team"], "admin-team");
    assert.equal(ann(cm)["plain"], "a");
    // The ExternalSecret's own labels are not copied when there is a template (ESO).
    assert.equal(lbl(cm)["from"], undefined);
  });

  it("templateFrom literals write dotted paths with indices into a custom resource", () => {
    const w = build(
      es({
        manifest: WIDGET,
        template: {
          templateFrom: [
            { target: "spec.config.items[0]", literal: "name: db\nvalue: '{{ .user }}'" },
            { target: "spec.config.items[1]", literal: "name: port\nvalue: {{ .port }}" },
            { target: "spec.database", literal: "host: db.internal\nport: {{ .port }}" },
          ],
        },
      }),
    );
    assert.deepEqual(spec(w), {
      config: {
        items: [
          { name: "db", value: "admin" },
          { name: "port", value: 5432 },
        ],
      },
      database: { host: "db.internal", port: 5432 },
    });
  });

  it("configMap items with Values set the leaf at the path, YAML-parsed", () => {
    const sources: TemplateSources = {
      configMaps: new Map([
        [
          "tpl",
          new Map([
            ["v", "{{ .port }}"],
            ["name", "svc-{{ .user }}"],
          ]),
        ],
      ]),
      secrets: new Map(),
    };
    const w = build(
      es({
        manifest: WIDGET,
        template: {
          templateFrom: [
            {
              target: "spec.config.items[0].value",
              configMap: { name: "tpl", items: [{ key: "v" }] },
            },
            { target: "spec.name", configMap: { name: "tpl", items: [{ key: "name" }] } },
          ],
        },
      }),
      undefined,
      sources,
    );
    assert.deepEqual(spec(w), { config: { items: [{ value: 5432 }] }, name: "svc-admin" });
  });

  it("target Spec with Values sets spec.<key>; a literal at Spec replaces the spec", () => {
    const sources: TemplateSources = {
      configMaps: new Map([["tpl", new Map([["endpoint", "https://{{ .user }}.example"]])]]),
      secrets: new Map(),
    };
    const values = build(
      es({
        manifest: WIDGET,
        template: {
          templateFrom: [
            { target: "Spec", configMap: { name: "tpl", items: [{ key: "endpoint" }] } },
          ],
        },
      }),
      undefined,
      sources,
    );
    assert.deepEqual(spec(values), { endpoint: "https://admin.example" });
    const literal = build(
      es({
        manifest: WIDGET,
        template: { templateFrom: [{ target: "spec", literal: "replicas: 2\nuser: {{ .user }}" }] },
      }),
      {
        apiVersion: WIDGET.apiVersion,
        kind: "Widget",
        metadata: { name: "app" },
        spec: { old: 1 },
      },
    );
    assert.deepEqual(spec(literal), { replicas: 2, user: "admin" });
  });

  it("KeysAndValues at a deeper path merges into the map there (CreateOrMerge keeps the rest)", () => {
    const existing: GenericObject = {
      apiVersion: WIDGET.apiVersion,
      kind: "Widget",
      metadata: { name: "app", namespace: "ns", resourceVersion: "7" },
      spec: { slack: { channel: "#ops", api_url: "old" }, replicas: 3 },
    };
    const w = build(
      es({
        manifest: WIDGET,
        creationPolicy: "CreateOrMerge",
        template: {
          templateFrom: [{ target: "spec.slack", literal: "api_url: https://{{ .user }}" }],
        },
      }),
      existing,
    );
    assert.deepEqual(spec(w), {
      slack: { channel: "#ops", api_url: "https://admin" },
      replicas: 3,
    });
    assert.equal(w.metadata.resourceVersion, "7");
    assert.equal(w.metadata.ownerReferences?.length, 0);
    assert.equal(lbl(w)[LABEL_CREATED_BY], undefined);
  });

  it("labels and annotations targets, and valuesDecodingStrategy", () => {
    const cm = build(
      es({
        manifest: CONFIGMAP,
        template: {
          templateFrom: [
            { target: "Labels", literal: "tier: '{{ .user }}'" },
            {
              target: "annotations",
              literal: "encoded: '{{ .user | b64enc }}'",
              valuesDecodingStrategy: "Base64",
            },
            { literal: "plain: '{{ .port }}'" },
          ],
        },
      }),
    );
    assert.equal(lbl(cm)["tier"], "admin");
    assert.equal(ann(cm)["encoded"], "admin");
    assert.deepEqual(cm["data"], { plain: "5432" });
  });

  it("refuses paths into identity, metadata and status, and bad paths, before writing", () => {
    for (const target of [
      "metadata.name",
      "kind",
      "Status.x",
      "apiVersion",
      "spec..x",
      "spec.a[99999]",
    ]) {
      assert.throws(
        () =>
          build(
            es({ manifest: WIDGET, template: { templateFrom: [{ target, literal: "a: b" }] } }),
          ),
        TargetError,
        target,
      );
    }
  });

  it("a template that does not render, or a literal that is not YAML, is a TargetError without values", () => {
    assert.throws(
      () => build(es({ manifest: CONFIGMAP, template: { data: { k: "{{ .missing }}" } } })),
      (err: Error) =>
        err instanceof TargetError && err.message.includes("could not apply template"),
    );
    assert.throws(
      () =>
        build(
          es({
            manifest: WIDGET,
            template: { templateFrom: [{ target: "spec.x", literal: "{{ .user }}: [" }] },
          }),
        ),
      (err: Error) => err instanceof TargetError && !err.message.includes("admin"),
    );
    assert.throws(
      () =>
        build(
          es({
            manifest: WIDGET,
            creationPolicy: "Merge",
            template: { templateFrom: [{ target: "spec.items[0]", literal: "a: 1" }] },
          }),
          {
            apiVersion: WIDGET.apiVersion,
            kind: "Widget",
            metadata: { name: "app" },
            spec: { items: "not a list" },
          },
        ),
      /spec\.items is not a list/,
    );
  });
});

describe("ownership and creationPolicy", () => {
  const theirs: GenericObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "app",
      namespace: "ns",
      resourceVersion: "3",
      labels: { keep: "me", mine: "old" },
      annotations: { other: "x" },
      managedFields: [
        {
          manager: fieldManagerFor("my-es"),
          operation: "Update",
          fieldsV1: { "f:metadata": { "f:labels": { "f:mine": {} } }, "f:data": { "f:stale": {} } },
        },
      ],
    },
    data: { stale: "from-us", foreign: "kept-under-merge" },
  };

  it("Owner starts from empty data but keeps other writers' metadata", () => {
    const cm = build(es({ manifest: CONFIGMAP }), theirs);
    assert.deepEqual(Object.keys(cm["data"] as object).sort(), ["json", "port", "user"]);
    assert.equal(lbl(cm)["keep"], "me");
    assert.equal(lbl(cm)["mine"], undefined);
    assert.equal(ann(cm)["other"], "x");
    assert.equal(cm.metadata.resourceVersion, "3");
    assert.equal(cm.metadata.managedFields, undefined);
  });

  it("Merge keeps the existing data, minus the keys this ExternalSecret wrote before", () => {
    const cm = build(es({ manifest: CONFIGMAP, creationPolicy: "Merge" }), theirs);
    assert.deepEqual(cm["data"], {
      foreign: "kept-under-merge",
      user: "admin",
      port: "5432",
      json: '{"url":"https://db","tags":["a","b"]}',
    });
  });

  it("refuses a target another controller owns", () => {
    const owned: GenericObject = {
      ...theirs,
      metadata: {
        ...theirs.metadata,
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-1", controller: true },
        ],
      },
    };
    assert.throws(
      () => build(es({ manifest: CONFIGMAP }), owned),
      /target is owned by another ExternalSecret: the ConfigMap's controller is Deployment "web"/,
    );
  });
});

describe("validity and no-change detection", () => {
  it("an edited content or a missing managed label invalidates the target", () => {
    const cm = build(es({ manifest: CONFIGMAP }));
    assert.equal(isValidResource(cm, "data"), true);
    assert.equal(isValidResource({ ...cm, data: { user: "edited" } }, "data"), false);
    assert.equal(
      isValidResource({ ...cm, metadata: { ...cm.metadata, labels: {} } }, "data"),
      false,
    );
    assert.equal(isValidResource(undefined, "data"), false);
  });

  it("the hash is independent of key order and of a missing vs empty content", () => {
    assert.equal(
      contentHash({ spec: { a: 1, b: { c: 2, d: 3 } } }, "spec"),
      contentHash({ spec: { b: { d: 3, c: 2 }, a: 1 } }, "spec"),
    );
    assert.equal(contentHash({}, "data"), contentHash({ data: {} }, "data"));
  });

  it("rebuilding from the written object changes nothing", () => {
    const e = es({
      manifest: WIDGET,
      template: { templateFrom: [{ target: "spec.items[0].v", literal: "x: {{ .port }}" }] },
    });
    const first = build(e);
    const stored: GenericObject = {
      ...first,
      metadata: { ...first.metadata, resourceVersion: "9", uid: "w-1" },
    };
    const second = build(e, stored);
    assert.equal(isResourceUnchanged(stored, second), true);
    assert.equal(isResourceUnchanged({ ...stored, spec: { items: [] } }, second), false);
  });
});
