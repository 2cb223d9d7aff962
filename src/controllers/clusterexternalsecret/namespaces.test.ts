import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LabelSelectorError } from "../common/label-selector.ts";
import type { NamespaceObject } from "./ces-view.ts";
import { isSelected, selectNamespaces, selectorsOf } from "./namespaces.ts";

function ns(
  name: string,
  labels: Record<string, string> = {},
  terminating = false,
): NamespaceObject {
  return {
    metadata: {
      name,
      labels: { "kubernetes.io/metadata.name": name, ...labels },
      ...(terminating ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
  };
}

const cluster = [
  ns("alpha", { team: "a", env: "prod" }),
  ns("beta", { team: "b", env: "prod" }),
  ns("gamma", { team: "c" }),
  ns("delta"),
  ns("dying", { team: "a" }, true),
];

describe("selectNamespaces", () => {
  const cases: {
    name: string;
    spec: Parameters<typeof selectNamespaces>[0];
    active: string[];
    terminating?: string[];
  }[] = [
    { name: "no selector and no names select nothing", spec: {}, active: [] },
    { name: "undefined spec selects nothing", spec: undefined, active: [] },
    {
      name: "an empty selector selects every namespace",
      spec: { namespaceSelectors: [{}] },
      active: ["alpha", "beta", "delta", "gamma"],
      terminating: ["dying"],
    },
    {
      name: "matchLabels",
      spec: { namespaceSelectors: [{ matchLabels: { team: "a" } }] },
      active: ["alpha"],
      terminating: ["dying"],
    },
    {
      name: "several selectors are ORed",
      spec: {
        namespaceSelectors: [{ matchLabels: { team: "b" } }, { matchLabels: { team: "c" } }],
      },
      active: ["beta", "gamma"],
    },
    {
      name: "matchLabels and matchExpressions of one selector are ANDed",
      spec: {
        namespaceSelectors: [
          {
            matchLabels: { env: "prod" },
            matchExpressions: [{ key: "team", operator: "NotIn", values: ["a"] }],
          },
        ],
      },
      active: ["beta"],
    },
    {
      name: "the deprecated namespaceSelector counts as one more selector",
      spec: {
        namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["c"] }] },
        namespaceSelectors: [{ matchLabels: { team: "b" } }],
      },
      active: ["beta", "gamma"],
    },
    {
      name: "the deprecated names list is ORed with the selectors",
      spec: {
        namespaces: ["delta", "missing"],
        namespaceSelectors: [{ matchLabels: { team: "a" } }],
      },
      active: ["alpha", "delta"],
      terminating: ["dying"],
    },
    {
      name: "DoesNotExist",
      spec: {
        namespaceSelectors: [{ matchExpressions: [{ key: "team", operator: "DoesNotExist" }] }],
      },
      active: ["delta"],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = selectNamespaces(tc.spec, cluster);
      assert.deepEqual(got.active, tc.active);
      assert.deepEqual(got.terminating, tc.terminating ?? []);
    });
  }

  it("returns names sorted whatever the cache order", () => {
    const got = selectNamespaces({ namespaceSelectors: [{}] }, [...cluster].reverse());
    assert.deepEqual(got.active, ["alpha", "beta", "delta", "gamma"]);
  });

  it("rejects an unknown operator with a LabelSelectorError", () => {
    assert.throws(
      () =>
        selectNamespaces(
          { namespaceSelectors: [{ matchExpressions: [{ key: "team", operator: "Equals" }] }] },
          cluster,
        ),
      LabelSelectorError,
    );
  });
});

describe("isSelected / selectorsOf", () => {
  it("matches a listed name without looking at labels", () => {
    assert.equal(isSelected({ namespaces: ["x"] }, "x", {}), true);
    assert.equal(isSelected({ namespaces: ["x"] }, "y", {}), false);
  });

  it("puts the deprecated selector first", () => {
    const spec = {
      namespaceSelector: { matchLabels: { a: "1" } },
      namespaceSelectors: [{ matchLabels: { b: "2" } }],
    };
    assert.deepEqual(selectorsOf(spec), [{ matchLabels: { a: "1" } }, { matchLabels: { b: "2" } }]);
  });
});
