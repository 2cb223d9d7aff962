import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeAccess, SecretObject } from "./kube-access.ts";
import { isReferent, referenceNamespace, ReferenceError, resolveSecretKey } from "./resolvers.ts";
import type { GenericStore } from "./store.ts";

const ss: GenericStore = {
  kind: "SecretStore",
  metadata: { name: "s", namespace: "team-a" },
  spec: { provider: {} },
};
const css: GenericStore = {
  kind: "ClusterSecretStore",
  metadata: { name: "c" },
  spec: { provider: {} },
};

describe("reference namespaces (tenancy)", () => {
  const cases: [
    store: GenericStore,
    refNs: string | undefined,
    source: string,
    expected: string | RegExp,
  ][] = [
    [ss, undefined, "team-a", "team-a"],
    [ss, "team-a", "team-a", "team-a"],
    [
      ss,
      "kube-system",
      "team-a",
      /namespace should either be empty or match the namespace of the SecretStore/,
    ],
    [css, "platform", "team-a", "platform"],
    [css, undefined, "team-a", "team-a"],
    [css, undefined, "", /needs the namespace of an ExternalSecret/],
  ];
  for (const [store, refNs, source, expected] of cases) {
    it(`${store.kind} ref.namespace=${refNs ?? "(unset)"} from ${source || "(validation)"}`, () => {
      if (typeof expected === "string")
        assert.equal(referenceNamespace(store, { namespace: refNs }, source), expected);
      else assert.throws(() => referenceNamespace(store, { namespace: refNs }, source), expected);
    });
  }

  it("marks cluster-store references without namespace as referent", () => {
    assert.equal(isReferent(css, {}), true);
    assert.equal(isReferent(css, { namespace: "x" }), false);
    assert.equal(isReferent(ss, {}), false);
  });
});

describe("resolveSecretKey", () => {
  const secrets = new Map<string, SecretObject>([
    [
      "team-a/creds",
      {
        namespace: "team-a",
        name: "creds",
        labels: {},
        annotations: {},
        data: new Map([["token", new Uint8Array([1, 2])]]),
      },
    ],
  ]);
  const kube: KubeAccess = {
    getSecret: (ns, name) => Promise.resolve(secrets.get(`${ns}/${name}`)),
    getConfigMap: () => Promise.resolve(undefined),
    getServiceAccount: () => Promise.resolve(undefined),
    createServiceAccountToken: () => Promise.reject(new Error("unused")),
  };

  it("reads the key from the Secret in the resolved namespace", async () => {
    assert.deepEqual(
      [...(await resolveSecretKey(kube, ss, { name: "creds", key: "token" }, "team-a"))],
      [1, 2],
    );
  });

  it("says which Secret or key is missing", async () => {
    await assert.rejects(
      resolveSecretKey(kube, ss, { name: "nope", key: "token" }, "team-a"),
      /Secret "team-a\/nope" referenced by SecretStore "team-a\/s" does not exist/,
    );
    await assert.rejects(
      resolveSecretKey(kube, ss, { name: "creds", key: "other" }, "team-a"),
      /has no key "other"/,
    );
    await assert.rejects(
      resolveSecretKey(kube, ss, { name: "creds", key: "token", namespace: "team-b" }, "team-a"),
      ReferenceError,
    );
  });
});
