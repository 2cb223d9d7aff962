import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  LabelSelectorError,
  selectorMatches,
  selectorToQuery,
  type LabelSelector,
} from "./label-selector.ts";

const labels = { team: "a", env: "prod" };

describe("label selectors", () => {
  const cases: [LabelSelector, boolean][] = [
    [{}, true],
    [{ matchLabels: { team: "a" } }, true],
    [{ matchLabels: { team: "b" } }, false],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "stage"] }] }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, false],
    [{ matchExpressions: [{ key: "missing", operator: "NotIn", values: ["x"] }] }, true],
    [{ matchExpressions: [{ key: "team", operator: "Exists" }] }, true],
    [{ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }, false],
    [
      {
        matchLabels: { team: "a" },
        matchExpressions: [{ key: "env", operator: "In", values: ["dev"] }],
      },
      false,
    ],
  ];
  for (const [selector, expected] of cases) {
    it(`${JSON.stringify(selector)} -> ${expected}`, () => {
      assert.equal(selectorMatches(selector, labels), expected);
    });
  }

  it("renders the query syntax", () => {
    assert.equal(
      selectorToQuery({
        matchLabels: { a: "b" },
        matchExpressions: [
          { key: "c", operator: "In", values: ["d", "e"] },
          { key: "f", operator: "DoesNotExist" },
        ],
      }),
      "a=b,c in (d,e),!f",
    );
  });

  it("refuses unknown operators", () => {
    assert.throws(
      () => selectorMatches({ matchExpressions: [{ key: "a", operator: "Near" }] }, labels),
      LabelSelectorError,
    );
  });
});
