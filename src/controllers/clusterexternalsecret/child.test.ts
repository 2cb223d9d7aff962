import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANNOTATION_FORCE_SYNC } from "../../api/index.ts";
import type { ClusterExternalSecretObject, ExternalSecretObject } from "./ces-view.ts";
import { childName, DEFAULT_REFRESH_MS, refreshMs } from "./ces-view.ts";
import {
  childUpToDate,
  controllingCes,
  desiredChild,
  isOwnedBy,
  ownerIndexKeys,
  ownerReferenceFor,
} from "./child.ts";

function ces(overrides: Partial<ClusterExternalSecretObject> = {}): ClusterExternalSecretObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterExternalSecret",
    metadata: { name: "shared", uid: "ces-uid", annotations: {} },
    spec: {
      externalSecretSpec: {
        refreshInterval: "1h0m0s",
        secretStoreRef: { kind: "ClusterSecretStore", name: "store" },
        target: { creationPolicy: "Owner", deletionPolicy: "Retain" },
        data: [{ secretKey: "password", remoteRef: { key: "db" } }],
      },
      externalSecretMetadata: { labels: { app: "db" }, annotations: { note: "from-ces" } },
    },
    ...overrides,
  };
}

const target = { namespace: "team-a", name: "shared" };

describe("childName / refreshMs", () => {
  it("defaults the child name to the ClusterExternalSecret's name", () => {
    assert.equal(childName(ces()), "shared");
    const named = ces();
    named.spec = { ...named.spec!, externalSecretName: "db-creds" };
    assert.equal(childName(named), "db-creds");
  });

  it("parses refreshTime, defaults to an hour, and 0 means no requeue", () => {
    const withTime = (refreshTime?: string): ClusterExternalSecretObject => {
      const c = ces();
      c.spec = { ...c.spec!, ...(refreshTime === undefined ? {} : { refreshTime }) };
      return c;
    };
    assert.equal(refreshMs(withTime()), DEFAULT_REFRESH_MS);
    assert.equal(refreshMs(withTime("1m")), 60_000);
    assert.equal(refreshMs(withTime("1h30m")), 5_400_000);
    assert.equal(refreshMs(withTime("0")), undefined);
    assert.throws(() => refreshMs(withTime("soon")), /Go syntax/);
  });
});

describe("desiredChild", () => {
  it("builds the child from scratch: metadata, controller owner, spec verbatim", () => {
    const c = ces();
    const child = desiredChild(c, target);
    assert.deepEqual(child, {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: {
        name: "shared",
        namespace: "team-a",
        labels: { app: "db" },
        annotations: { note: "from-ces" },
        ownerReferences: [
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterExternalSecret",
            name: "shared",
            uid: "ces-uid",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: c.spec?.externalSecretSpec,
    });
    assert.notEqual(child.spec, c.spec?.externalSecretSpec, "the spec is a copy");
  });

  it("mirrors the force-sync annotation of the ClusterExternalSecret, and only it", () => {
    const c = ces({
      metadata: {
        name: "shared",
        uid: "u",
        annotations: { [ANNOTATION_FORCE_SYNC]: "123", other: "x" },
      },
    });
    assert.deepEqual(desiredChild(c, target).metadata?.annotations, {
      note: "from-ces",
      [ANNOTATION_FORCE_SYNC]: "123",
    });
    const without = ces();
    without.spec!.externalSecretMetadata = { annotations: { [ANNOTATION_FORCE_SYNC]: "stale" } };
    assert.equal(desiredChild(without, target).metadata?.annotations, undefined);
  });

  it("leaves labels and annotations absent when the metadata has none", () => {
    const c = ces();
    delete c.spec!.externalSecretMetadata;
    const meta = desiredChild(c, target).metadata!;
    assert.equal("labels" in meta, false);
    assert.equal("annotations" in meta, false);
  });

  it("keeps an existing child's other metadata and owners and replaces what the CES owns", () => {
    const existing: ExternalSecretObject = {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: {
        name: "shared",
        namespace: "team-a",
        resourceVersion: "42",
        uid: "child-uid",
        finalizers: ["externalsecrets.external-secrets.io/externalsecret-cleanup"],
        labels: { app: "old", extra: "gone" },
        ownerReferences: [
          { apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm" },
          {
            apiVersion: "external-secrets.io/v1beta1",
            kind: "ClusterExternalSecret",
            name: "shared",
            uid: "old-uid",
            controller: true,
          },
        ],
      },
      spec: { refreshInterval: "5m" },
      status: { refreshTime: "2026-01-01T00:00:00Z" },
    };
    const child = desiredChild(ces(), target, existing);
    assert.equal(child.metadata?.resourceVersion, "42");
    assert.deepEqual(child.metadata.finalizers, existing.metadata?.finalizers);
    assert.deepEqual(child.metadata.labels, { app: "db" });
    assert.deepEqual(child.metadata.ownerReferences, [
      { apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm" },
      ownerReferenceFor(ces()),
    ]);
    assert.equal(child.spec?.refreshInterval, "1h0m0s");
    assert.equal(existing.metadata?.labels?.["app"], "old", "the input is not mutated");
  });
});

describe("childUpToDate", () => {
  it("is true for the child as written and as the apiserver returns it", () => {
    const desired = desiredChild(ces(), target);
    const stored = structuredClone(desired);
    stored.metadata = { ...stored.metadata, uid: "x", resourceVersion: "7", generation: 1 };
    stored.status = { conditions: [] };
    assert.equal(childUpToDate(stored, desiredChild(ces(), target, stored)), true);
  });

  const drift: [string, (es: ExternalSecretObject) => void][] = [
    ["a label edited by hand", (es) => (es.metadata!.labels = { app: "x" })],
    ["an extra annotation", (es) => (es.metadata!.annotations = { note: "from-ces", more: "1" })],
    ["a spec edit", (es) => (es.spec = { ...es.spec, refreshInterval: "1m" })],
    ["a lost owner reference", (es) => (es.metadata!.ownerReferences = [])],
  ];
  for (const [what, change] of drift) {
    it(`is false after ${what}`, () => {
      const stored = structuredClone(desiredChild(ces(), target));
      change(stored);
      assert.equal(childUpToDate(stored, desiredChild(ces(), target, stored)), false);
    });
  }
});

describe("ownership", () => {
  const owned = desiredChild(ces(), target);

  it("recognises the controlling ClusterExternalSecret by group, kind and name", () => {
    assert.equal(controllingCes(owned), "shared");
    assert.equal(isOwnedBy(owned, "shared"), true);
    assert.equal(isOwnedBy(owned, "other"), false);
    assert.deepEqual(ownerIndexKeys(owned), ["shared"]);
  });

  it("ignores non-controller references and other kinds", () => {
    const foreign: ExternalSecretObject = {
      metadata: {
        ownerReferences: [
          {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterExternalSecret",
            name: "shared",
            uid: "u",
          },
          { apiVersion: "apps/v1", kind: "Deployment", name: "shared", uid: "d", controller: true },
        ],
      },
    };
    assert.equal(controllingCes(foreign), undefined);
    assert.equal(isOwnedBy(foreign, "shared"), false);
    assert.deepEqual(ownerIndexKeys(foreign), []);
    assert.equal(isOwnedBy({ metadata: {} }, "shared"), false);
  });
});
