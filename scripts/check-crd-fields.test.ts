import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { staleCrdFiles } from "./gen-crds.ts";
import {
  checkCrdFields,
  isDeferred,
  loadFieldRows,
  parseFieldsTsv,
  schemaPaths,
} from "./check-crd-fields.ts";

describe("ESO 2.9.0 field coverage", () => {
  it("emits every in-scope path of the field list with its type and enum, and nothing else", () => {
    const report = checkCrdFields(loadFieldRows());
    const problems = [
      ...report.missing.map((l) => `missing  ${l}`),
      ...report.mismatched.map((l) => `mismatch ${l}`),
      ...report.extra.map((l) => `extra    ${l}`),
    ];
    assert.deepEqual(problems, [], `field coverage problems:\n${problems.join("\n")}`);
    assert.equal(report.rows, 3730);
    assert.equal(report.checked + report.deferred, report.rows);
    // v1 and v1beta1 of ES/CES/SS/CSS, v1alpha1 of the other 21 kinds
    assert.equal(report.versionsChecked, 29);
  });

  it("defers only rows below the open-object providers of the stores", () => {
    const cases = [
      ["SecretStore/v1", ".spec.provider.akeyless", false],
      ["SecretStore/v1", ".spec.provider.akeyless.akeylessGWApiURL", true],
      ["ClusterSecretStore/v1", ".spec.provider.infisical.auth", true],
      ["SecretStore/v1", ".spec.provider.vault.server", false],
      ["SecretStore/v1", ".spec.provider.aws.region", false],
      ["ClusterGenerator/v1alpha1", ".spec.generator.fakeSpec.data", false],
    ] as const;
    for (const [kind, path, deferred] of cases) {
      assert.equal(
        isDeferred({ kind, path, type: "object", enum: "" }),
        deferred,
        `${kind} ${path}`,
      );
    }
  });
});

describe("field list parsing and schema walking", () => {
  it("parses rows with and without enums", () => {
    const rows = parseFieldsTsv(
      "ExternalSecret/v1\t.spec.target.creationPolicy\tstring\tenum=CreateOrMerge|Owner\nX/v1\t.\tobject\n",
    );
    assert.deepEqual(rows, [
      {
        kind: "ExternalSecret/v1",
        path: ".spec.target.creationPolicy",
        type: "string",
        enum: "CreateOrMerge|Owner",
      },
      { kind: "X/v1", path: ".", type: "object", enum: "" },
    ]);
  });

  it("names paths with . for properties, [] for items and {} for map values", () => {
    const paths = schemaPaths({
      type: "object",
      properties: {
        a: { type: "array", items: { type: "string", enum: ["b", "a"] } },
        m: {
          type: "object",
          additionalProperties: { type: "object", additionalProperties: { type: "integer" } },
        },
        i: { "x-kubernetes-int-or-string": true },
        j: { "x-kubernetes-preserve-unknown-fields": true },
      },
    });
    assert.deepEqual(Object.fromEntries(paths), {
      ".": { type: "object", enum: "" },
      ".a": { type: "array", enum: "" },
      ".a[]": { type: "string", enum: "a|b" },
      ".m": { type: "object", enum: "" },
      ".m{}": { type: "object", enum: "" },
      ".m{}{}": { type: "integer", enum: "" },
      ".i": { type: "int-or-string", enum: "" },
      ".j": { type: "any", enum: "" },
    });
  });
});

describe("deploy/crds", () => {
  it("is what the schemas generate (run npm run crds after changing src/api)", () => {
    assert.deepEqual(staleCrdFiles(), []);
  });
});
