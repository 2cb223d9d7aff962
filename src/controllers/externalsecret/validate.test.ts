import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { viewOf, type ExternalSecretObject } from "./es-view.ts";
import { specProblem } from "./validate.ts";

const es = (deletionPolicy: "Retain" | "Delete", keys: string[]): ExternalSecretObject => ({
  metadata: { name: "e", namespace: "n" },
  spec: {
    target: { deletionPolicy },
    data: keys.map((k) => ({ secretKey: k, remoteRef: { key: k } })),
  },
});

describe("spec checks beyond CEL", () => {
  it("refuses duplicate secretKeys under Retain, naming the key", () => {
    assert.match(
      specProblem(viewOf(es("Retain", ["a", "b", "a"]))) ?? "",
      /duplicate secretKey "a" in spec.data/,
    );
  });
  it("accepts unique keys, and duplicates under other deletion policies (as ESO)", () => {
    assert.equal(specProblem(viewOf(es("Retain", ["a", "b"]))), undefined);
    assert.equal(specProblem(viewOf(es("Delete", ["a", "a"]))), undefined);
  });
});
