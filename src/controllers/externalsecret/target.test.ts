// The desired Secret for ESO's template conformance cases (5, 6, 7, 12, 13)
// and the ownership, policy and hash rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANNOTATION_DATA_HASH, LABEL_CREATED_BY, LABEL_MANAGED } from "../../api/index.ts";
import { createdByHash, secretDataHash } from "../../esutils/object-hash.ts";
import type { ExternalSecretObject } from "./es-view.ts";
import {
  decodeData,
  desiredSecret,
  fieldManagerFor,
  isUnchanged,
  isValidTarget,
  TargetError,
  type WireSecret,
} from "./target.ts";
import { templateApplier, validateSecretTemplate, type TemplateSources } from "./template.ts";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const fetched = new Map([
  ["one", enc("foo1-val")],
  ["two", enc("bar2-val")],
]);
const delims = { leftDelim: "{{", rightDelim: "}}" };

function es(
  target: NonNullable<ExternalSecretObject["spec"]>["target"] = {},
): ExternalSecretObject {
  return {
    metadata: {
      name: "e2e-es",
      namespace: "ns",
      uid: "uid-1",
      labels: { from: "es" },
      annotations: { note: "es" },
    },
    spec: { target: { name: "target-secret", ...target }, data: [] },
  };
}

const lbl = (s: WireSecret): Record<string, string> => s.metadata.labels ?? {};
const ann = (s: WireSecret): Record<string, string> => s.metadata.annotations ?? {};

function data(secret: WireSecret): Record<string, string> {
  return Object.fromEntries(
    [...decodeData(secret.data)].map(([k, v]) => [k, Buffer.from(v).toString("utf8")]),
  );
}

function render(
  e: ExternalSecretObject,
  existing?: WireSecret,
  sources?: TemplateSources,
): WireSecret {
  return desiredSecret({
    es: e,
    existing,
    fetched,
    applyTemplate: templateApplier(delims, sources),
  });
}

describe("desired Secret", () => {
  it("without template: fetched data, the ES's labels and annotations, ownership, hash", () => {
    const s = render(es());
    assert.deepEqual(data(s), { one: "foo1-val", two: "bar2-val" });
    assert.equal(s.metadata.name, "target-secret");
    assert.equal(s.type, "Opaque");
    assert.equal(s.metadata.labels?.["from"], "es");
    assert.equal(s.metadata.annotations?.["note"], "es");
    assert.equal(lbl(s)[LABEL_MANAGED], "true");
    assert.equal(lbl(s)[LABEL_CREATED_BY], createdByHash("ns", "e2e-es"));
    assert.equal(ann(s)[ANNOTATION_DATA_HASH], secretDataHash(fetched));
    assert.deepEqual(
      s.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [["ExternalSecret", "e2e-es", "uid-1", true]],
    );
    assert.ok(isValidTarget(s));
  });

  it("JSONDataWithTemplate: template data, labels and annotations as templates, finalizers", () => {
    const s = render(
      es({
        template: {
          metadata: {
            labels: { example: "{{ .one }}" },
            annotations: { example: "static" },
            finalizers: ["example.com/finalizer"],
          },
          data: { executed: "executed: {{ .one }}|{{ .two }}" },
        },
      }),
    );
    assert.deepEqual(data(s), { executed: "executed: foo1-val|bar2-val" });
    assert.equal(s.metadata.labels?.["example"], "foo1-val");
    assert.equal(s.metadata.annotations?.["example"], "static");
    assert.equal(lbl(s)["from"], undefined, "a template replaces the ES's own labels");
    assert.deepEqual(s.metadata.finalizers, ["example.com/finalizer"]);
  });

  it("JSONDataWithTemplateFromLiteral: keys from the literal, raw keys not copied", () => {
    const s = render(
      es({ template: { templateFrom: [{ literal: "executed-{{ .one }}: {{ .two }}" }] } }),
    );
    assert.deepEqual(data(s), { "executed-foo1-val": "bar2-val" });
  });

  it("TemplateFromConfigmaps: Values and KeysAndValues items", () => {
    const sources: TemplateSources = {
      configMaps: new Map([
        [
          "tpl",
          new Map([
            ["config.json", '{"a":"{{ .one }}"}'],
            ["templated", "{{ .one }}: {{ .two }}"],
          ]),
        ],
      ]),
      secrets: new Map(),
    };
    const s = render(
      es({
        template: {
          templateFrom: [
            {
              configMap: {
                name: "tpl",
                items: [{ key: "config.json" }, { key: "templated", templateAs: "KeysAndValues" }],
              },
            },
          ],
        },
      }),
      undefined,
      sources,
    );
    assert.deepEqual(data(s), { "config.json": '{"a":"foo1-val"}', "foo1-val": "bar2-val" });
  });

  it("DataPropertyDockerconfigJSON: template type and mergePolicy Merge keeps raw keys", () => {
    const s = render(
      es({
        template: {
          type: "kubernetes.io/dockerconfigjson",
          mergePolicy: "Merge",
          data: { ".dockerconfigjson": "{{ .one | b64enc }}" },
        },
      }),
    );
    assert.equal(s.type, "kubernetes.io/dockerconfigjson");
    assert.deepEqual(data(s), {
      one: "foo1-val",
      two: "bar2-val",
      ".dockerconfigjson": "Zm9vMS12YWw=",
    });
  });

  it("a failing template names the key, never the value", () => {
    assert.throws(
      () => render(es({ template: { data: { bad: "{{ .missing }}" } } })),
      (err: unknown) =>
        err instanceof TargetError &&
        err.message.includes("at key bad") &&
        !err.message.includes("foo1-val"),
    );
  });

  it("refuses privileged templates and bad templateFrom targets", () => {
    assert.throws(() => {
      validateSecretTemplate({ type: "bootstrap.kubernetes.io/token" });
    }, TargetError);
    assert.throws(() => {
      validateSecretTemplate({
        type: "kubernetes.io/service-account-token",
        metadata: { annotations: { "kubernetes.io/service-account.name": "admin" } },
      });
    }, TargetError);
    assert.throws(() => {
      validateSecretTemplate({ templateFrom: [{ literal: "a: b", target: "spec.x" }] });
    }, /only valid for generic targets/);
    assert.doesNotThrow(() => {
      validateSecretTemplate({ templateFrom: [{ literal: "a: b", target: "labels" }] });
    });
  });
});

describe("policies and ownership", () => {
  const existing: WireSecret = {
    metadata: {
      name: "target-secret",
      namespace: "ns",
      resourceVersion: "7",
      labels: { keep: "me" },
      managedFields: [
        {
          manager: fieldManagerFor("e2e-es"),
          operation: "Update",
          fieldsV1: { "f:data": { "f:old": {} } },
        },
      ],
    },
    data: {
      old: Buffer.from("x").toString("base64"),
      foreign: Buffer.from("y").toString("base64"),
    },
  };

  it("Merge keeps foreign keys, drops the keys this ES wrote before, adds no ownerRef", () => {
    const s = render(es({ creationPolicy: "Merge" }), existing);
    assert.deepEqual(data(s), { foreign: "y", one: "foo1-val", two: "bar2-val" });
    assert.deepEqual(s.metadata.ownerReferences, []);
    assert.equal(s.metadata.labels?.[LABEL_CREATED_BY], undefined);
    assert.equal(s.metadata.resourceVersion, "7");
  });

  it("Owner replaces data", () => {
    assert.deepEqual(data(render(es(), existing)), { one: "foo1-val", two: "bar2-val" });
  });

  it("refuses a target controlled by another ExternalSecret", () => {
    const owned: WireSecret = {
      ...existing,
      metadata: {
        ...existing.metadata,
        ownerReferences: [
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            name: "other",
            uid: "uid-2",
            controller: true,
          },
        ],
      },
    };
    assert.throws(() => render(es(), owned), /target is owned by another ExternalSecret/);
  });

  it("detects no-op writes and tampered targets", () => {
    const s = render(es());
    assert.equal(isUnchanged(s, render(es())), true);
    const tampered: WireSecret = {
      ...s,
      data: { ...s.data, one: Buffer.from("edited").toString("base64") },
    };
    assert.equal(isValidTarget(tampered), false);
    assert.equal(isUnchanged(tampered, s), false);
  });

  it("uses a hashed field manager for long names, as ESO", () => {
    assert.equal(fieldManagerFor("short"), "externalsecrets.external-secrets.io/short");
    assert.match(
      fieldManagerFor("x".repeat(40)),
      /^externalsecrets\.external-secrets\.io\/sha3\/[0-9a-f]{56}$/,
    );
  });
});
