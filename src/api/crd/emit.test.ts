import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emitAllCrds, type CustomResourceDefinition, type JsonSchemaProps } from "./index.ts";

interface Version {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: JsonSchemaProps };
  additionalPrinterColumns?: { name: string; jsonPath: string }[];
  selectableFields?: { jsonPath: string }[];
  subresources?: Record<string, unknown>;
}
interface Spec {
  group: string;
  scope: string;
  names: { kind: string; shortNames?: string[]; categories: string[] };
  versions: Version[];
  conversion?: unknown;
}

const crds = emitAllCrds();
const spec = (crd: CustomResourceDefinition): Spec => crd.spec as unknown as Spec;
const byKind = new Map(crds.map((crd) => [spec(crd).names.kind, crd]));
function crdOf(kind: string): Spec {
  const crd = byKind.get(kind);
  assert.ok(crd, `no CRD for ${kind}`);
  return spec(crd);
}
function schemaOf(kind: string): JsonSchemaProps {
  return crdOf(kind).versions[0]!.schema.openAPIV3Schema;
}
function at(root: JsonSchemaProps, path: string): JsonSchemaProps {
  let node = root;
  for (const part of path.split(".").filter(Boolean)) {
    const next =
      part === "[]"
        ? (node["items"] as JsonSchemaProps | undefined)
        : (node["properties"] as Record<string, JsonSchemaProps> | undefined)?.[part];
    assert.ok(next, `no ${path} (at ${part})`);
    node = next;
  }
  return node;
}

/** Calls `visit` on every schema node with its path. */
function walk(node: JsonSchemaProps, path: string, visit: (n: JsonSchemaProps, p: string) => void) {
  visit(node, path);
  for (const [name, child] of Object.entries(
    (node["properties"] as Record<string, JsonSchemaProps> | undefined) ?? {},
  )) {
    walk(child, `${path}.${name}`, visit);
  }
  if (node["items"] !== undefined) walk(node["items"] as JsonSchemaProps, `${path}[]`, visit);
  const values = node["additionalProperties"];
  if (typeof values === "object") walk(values as JsonSchemaProps, `${path}{}`, visit);
}

describe("emitted CRDs", () => {
  it("cover all 25 kinds", () => {
    assert.equal(crds.length, 25);
  });

  it("are structural: a type on every node, no TypeBox leftovers", () => {
    for (const crd of crds) {
      walk(schemaOf(spec(crd).names.kind), spec(crd).names.kind, (node, path) => {
        const typed =
          typeof node["type"] === "string" ||
          node["x-kubernetes-int-or-string"] === true ||
          node["x-kubernetes-preserve-unknown-fields"] === true;
        assert.ok(typed, `${path} has no type`);
        for (const key of ["$id", "$ref", "anyOf", "const", "patternProperties", "allOf"]) {
          assert.equal(node[key], undefined, `${path} has ${key}`);
        }
        assert.ok(
          !(node["properties"] !== undefined && node["additionalProperties"] !== undefined),
          `${path} combines properties and additionalProperties`,
        );
        assert.equal(Object.getOwnPropertySymbols(node).length, 0, `${path} has symbols`);
      });
    }
  });

  it("carry no default on the fields GitOps tools would see drift on", () => {
    const noDefault = new Set([
      "conversionStrategy",
      "decodingStrategy",
      "metadataPolicy",
      "nullBytePolicy",
    ]);
    for (const crd of crds) {
      walk(schemaOf(spec(crd).names.kind), spec(crd).names.kind, (node, path) => {
        const field = path.split(".").at(-1) ?? "";
        if (noDefault.has(field)) assert.equal(node["default"], undefined, `${path} has a default`);
      });
    }
  });

  it("serve v1 (storage) and v1beta1 with the same schema, without conversion", () => {
    for (const kind of [
      "ExternalSecret",
      "ClusterExternalSecret",
      "SecretStore",
      "ClusterSecretStore",
    ]) {
      const { versions, conversion } = crdOf(kind);
      assert.deepEqual(
        versions.map((v) => [v.name, v.served, v.storage]),
        [
          ["v1", true, true],
          ["v1beta1", true, false],
        ],
      );
      assert.deepEqual(versions[0]!.schema, versions[1]!.schema, kind);
      assert.equal(conversion, undefined);
    }
  });

  it("have ESO's names, scopes and labels", () => {
    const cases: [string, string, string[] | undefined, string][] = [
      ["ExternalSecret", "Namespaced", ["es"], "external-secrets.io"],
      ["ClusterExternalSecret", "Cluster", ["ces"], "external-secrets.io"],
      ["SecretStore", "Namespaced", ["ss"], "external-secrets.io"],
      ["ClusterSecretStore", "Cluster", ["css"], "external-secrets.io"],
      ["PushSecret", "Namespaced", ["ps"], "external-secrets.io"],
      ["ClusterPushSecret", "Cluster", undefined, "external-secrets.io"],
      ["GeneratorState", "Namespaced", ["gs"], "generators.external-secrets.io"],
      ["ClusterGenerator", "Cluster", undefined, "generators.external-secrets.io"],
      ["Password", "Namespaced", undefined, "generators.external-secrets.io"],
    ];
    for (const [kind, scope, shortNames, group] of cases) {
      const crd = crdOf(kind);
      assert.equal(crd.scope, scope, kind);
      assert.deepEqual(crd.names.shortNames, shortNames, kind);
      assert.equal(crd.group, group, kind);
      assert.ok(crd.names.categories.includes("external-secrets"), kind);
    }
    for (const crd of crds) {
      assert.equal(crd.metadata.labels["external-secrets.io/component"], "controller");
    }
  });

  it("model the special shapes of ESO's schema", () => {
    assert.equal(
      at(schemaOf("SecretStore"), "spec.refreshInterval")["x-kubernetes-int-or-string"],
      true,
    );
    assert.equal(at(schemaOf("ExternalSecret"), "status.refreshTime")["nullable"], true);
    assert.equal(at(schemaOf("ExternalSecret"), "spec.refreshInterval")["default"], "1h0m0s");
    assert.deepEqual(at(schemaOf("ExternalSecret"), "spec.target")["default"], {
      creationPolicy: "Owner",
      deletionPolicy: "Retain",
    });
    assert.equal(
      at(schemaOf("ExternalSecret"), "spec.data.[].secretKey")["pattern"],
      "^[-._a-zA-Z0-9]+$",
    );
    const provider = at(schemaOf("SecretStore"), "spec.provider");
    assert.equal(provider["minProperties"], 1);
    assert.equal(
      provider["maxProperties"],
      undefined,
      "CEL says 'exactly one' with a better message",
    );
    assert.equal(
      at(schemaOf("PushSecret"), "spec.data.[].metadata")["x-kubernetes-preserve-unknown-fields"],
      true,
    );
    assert.equal(
      at(schemaOf("GeneratorState"), "spec.resource")["x-kubernetes-preserve-unknown-fields"],
      true,
    );
  });

  it("stay far below the 256 KiB limit of client-side apply", () => {
    for (const crd of crds) {
      const size = JSON.stringify(crd).length;
      assert.ok(size < 200 * 1024, `${crd.metadata.name} is ${size} bytes`);
    }
  });

  it("show ESO's printer columns and selectable fields", () => {
    const columns = (kind: string): string[] =>
      (crdOf(kind).versions[0]!.additionalPrinterColumns ?? []).map((c) => c.name);
    assert.deepEqual(columns("ExternalSecret"), [
      "StoreType",
      "Store",
      "Refresh Interval",
      "Status",
      "Ready",
      "Last Sync",
    ]);
    assert.deepEqual(columns("SecretStore"), ["AGE", "Status", "Capabilities", "Ready"]);
    assert.deepEqual(columns("ClusterSecretStore"), ["AGE", "Status", "Capabilities", "Ready"]);
    assert.deepEqual(columns("ClusterExternalSecret"), ["Store", "Refresh Interval", "Ready"]);
    assert.deepEqual(
      crdOf("ExternalSecret").versions[0]!.selectableFields?.map((f) => f.jsonPath),
      [
        ".spec.secretStoreRef.name",
        ".spec.secretStoreRef.kind",
        ".spec.target.name",
        ".spec.refreshInterval",
      ],
    );
  });
});
