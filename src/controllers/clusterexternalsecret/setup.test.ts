import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Store } from "../../runtime/index.ts";
import type {
  ClusterExternalSecretObject,
  ExternalSecretObject,
  NamespaceObject,
} from "./ces-view.ts";
import { childName } from "./ces-view.ts";
import {
  cesChanged,
  cesForChild,
  cesForNamespace,
  childChanged,
  namespaceChanged,
} from "./setup.ts";

function ces(
  name: string,
  spec: Partial<NonNullable<ClusterExternalSecretObject["spec"]>>,
  status = {},
) {
  return {
    metadata: { name },
    spec: { externalSecretSpec: {}, ...spec },
    status,
  } as ClusterExternalSecretObject;
}

function cache(...items: ClusterExternalSecretObject[]): Store<ClusterExternalSecretObject> {
  const store = new Store<ClusterExternalSecretObject>();
  store.addIndex("clusterexternalsecret-child-name", (c) => [childName(c)]);
  for (const item of items) store.set(item);
  return store;
}

const ns = (name: string, labels: Record<string, string> = {}): NamespaceObject => ({
  metadata: { name, labels },
});

describe("cesForNamespace", () => {
  const store = cache(
    ces("by-label", { namespaceSelectors: [{ matchLabels: { team: "a" } }] }),
    ces("by-name", { namespaces: ["named"] }),
    ces("by-status", {}, { provisionedNamespaces: ["was-provisioned"] }),
    ces("by-failure", {}, { failedNamespaces: [{ namespace: "was-failed" }] }),
    ces("broken", { namespaceSelectors: [{ matchExpressions: [{ key: "x", operator: "Bad" }] }] }),
  );
  const names = (n: NamespaceObject): string[] =>
    cesForNamespace(store, n)
      .map((r) => r.name)
      .filter((name) => name !== "broken");

  it("maps a namespace to the ClusterExternalSecrets that select it or list it in status", () => {
    assert.deepEqual(names(ns("x", { team: "a" })), ["by-label"]);
    assert.deepEqual(names(ns("named")), ["by-name"]);
    assert.deepEqual(names(ns("was-provisioned")), ["by-status"]);
    assert.deepEqual(names(ns("was-failed")), ["by-failure"]);
    assert.deepEqual(names(ns("unrelated")), []);
  });

  it("maps to a ClusterExternalSecret with an invalid selector, so it reports the error", () => {
    assert.ok(cesForNamespace(store, ns("unrelated")).some((r) => r.name === "broken"));
  });

  it("uses cluster-scoped keys", () => {
    assert.deepEqual(cesForNamespace(store, ns("named"))[0], { namespace: "", name: "by-name" });
  });
});

describe("cesForChild", () => {
  const store = cache(ces("owner", {}), ces("renamed", { externalSecretName: "db" }));

  it("maps to the controlling ClusterExternalSecret and to those whose children share the name", () => {
    const child: ExternalSecretObject = {
      metadata: {
        name: "db",
        namespace: "n",
        ownerReferences: [
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterExternalSecret",
            name: "owner",
            uid: "u",
            controller: true,
          },
        ],
      },
    };
    assert.deepEqual(
      cesForChild(store, child)
        .map((r) => r.name)
        .sort(),
      ["owner", "renamed"],
    );
    assert.deepEqual(cesForChild(store, { metadata: { name: "unrelated", namespace: "n" } }), []);
  });
});

describe("predicates", () => {
  it("ignore status-only updates of ClusterExternalSecrets and children", () => {
    const old = { metadata: { generation: 1, labels: { a: "1" } }, status: { x: 1 } };
    const statusOnly = { ...old, status: { x: 2 } };
    assert.equal(cesChanged("update", statusOnly as never, old as never), false);
    assert.equal(childChanged("update", statusOnly as never, old as never), false);
    const edited = { ...old, metadata: { ...old.metadata, generation: 2 } };
    assert.equal(cesChanged("update", edited as never, old as never), true);
    assert.equal(childChanged("update", edited as never, old as never), true);
    assert.equal(childChanged("delete", old as never), true);
  });

  it("pass namespace relabels and the start of deletion, not other updates", () => {
    const old = ns("n", { a: "1" });
    assert.equal(namespaceChanged("update", ns("n", { a: "2" }), old), true);
    assert.equal(
      namespaceChanged("update", { metadata: { ...old.metadata, deletionTimestamp: "t" } }, old),
      true,
    );
    assert.equal(
      namespaceChanged("update", { metadata: { ...old.metadata, finalizers: ["f"] } }, old),
      false,
    );
    assert.equal(namespaceChanged("add", old), true);
  });
});
