// ESO's common conformance cases at the level of the fetch step, with the
// fake provider: dataFrom before data, rewrites, conversion, decoding,
// missing secrets under each deletionPolicy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExternalSecretSpec, FakeProvider } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { FakeSecretsProvider } from "../../providers/fake/index.ts";
import type { Ctx, SecretsClient } from "../../providers/provider.ts";
import { fetchProviderData, FetchError, type FetchEvent, type FetchOptions } from "./fetch.ts";

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};
const text = (m: Map<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries([...m].map(([k, v]) => [k, Buffer.from(v).toString("utf8")]));

const fake: FakeProvider = {
  data: [
    { key: "one", value: '{"foo1":"foo1-val","bar1":"bar1-val"}' },
    { key: "two", value: '{"foo2":"foo2-val","bar2":"bar2-val"}' },
    { key: "db", value: '{"db":{"username":"u","password":"p","port":5432}}' },
    { key: "plain", value: "plain-text" },
    { key: "b64", value: '{"enc":"aGVsbG8=","raw":"not base64!"}' },
    { key: "e2e_find_name_x1", value: "v1" },
    { key: "e2e_find_name_x2", value: "v2" },
    { key: "path/key", value: "pk" },
  ],
};

async function options(events: FetchEvent[] = []): Promise<FetchOptions> {
  const store: GenericStore = {
    kind: "SecretStore",
    metadata: { name: "s", namespace: "ns" },
    spec: { provider: { fake } },
  };
  const client: SecretsClient = await new FakeSecretsProvider().newClient(
    ctx,
    store,
    {} as KubeAccess,
    "ns",
  );
  return {
    ctx,
    clients: () => Promise.resolve(client),
    renderTransform: (_t, key) => `t-${key}`,
    onEvent: (e) => events.push(e),
  };
}

describe("fetchProviderData", () => {
  it("syncs data[] with properties (JSONDataWithProperty)", async () => {
    const spec: ExternalSecretSpec = {
      data: [
        { secretKey: "one", remoteRef: { key: "one", property: "foo1" } },
        { secretKey: "two", remoteRef: { key: "two", property: "bar2" } },
      ],
    };
    assert.deepEqual(text(await fetchProviderData(spec, await options())), {
      one: "foo1-val",
      two: "bar2-val",
    });
  });

  it("extracts with a property and keeps numbers as text (JSONDataFromExtractProperty)", async () => {
    const spec: ExternalSecretSpec = { dataFrom: [{ extract: { key: "db", property: "db" } }] };
    assert.deepEqual(text(await fetchProviderData(spec, await options())), {
      username: "u",
      password: "p",
      port: "5432",
    });
  });

  it("rewrites with Go semantics (JSONDataFromRewrite) and skips conversion when rewriting", async () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        { extract: { key: "one" }, rewrite: [{ regexp: { source: "(.*)", target: "my_$1" } }] },
      ],
    };
    assert.deepEqual(Object.keys(text(await fetchProviderData(spec, await options()))).sort(), [
      "my_bar1",
      "my_foo1",
    ]);
  });

  it("finds by name, converts keys when there is no rewrite, lets data[] override dataFrom", async () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        { find: { name: { regexp: "^e2e_find_name_.+" } } },
        { find: { name: { regexp: "^path/" } } },
      ],
      data: [{ secretKey: "e2e_find_name_x1", remoteRef: { key: "plain" } }],
    };
    assert.deepEqual(text(await fetchProviderData(spec, await options())), {
      e2e_find_name_x1: "plain-text",
      e2e_find_name_x2: "v2",
      path_key: "pk",
    });
  });

  it("decodes per entry (DecodingPolicySync)", async () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [{ extract: { key: "b64", decodingStrategy: "Auto" } }],
      data: [
        { secretKey: "none", remoteRef: { key: "b64", property: "enc", decodingStrategy: "None" } },
      ],
    };
    assert.deepEqual(text(await fetchProviderData(spec, await options())), {
      enc: "hello",
      raw: "not base64!",
      none: "aGVsbG8=",
    });
  });

  it("fails on a missing secret under Retain, naming the entry and the code", async () => {
    const spec: ExternalSecretSpec = { data: [{ secretKey: "x", remoteRef: { key: "nope" } }] };
    await assert.rejects(fetchProviderData(spec, await options()), (err: unknown) => {
      return (
        err instanceof FetchError &&
        err.code === "KeyNotFound" &&
        err.message.startsWith("spec.data[0] (key=nope): [KeyNotFound]")
      );
    });
  });

  it("skips a missing secret with an Event under Delete and Merge", async () => {
    for (const deletionPolicy of ["Delete", "Merge"] as const) {
      const events: FetchEvent[] = [];
      const spec: ExternalSecretSpec = {
        target: { deletionPolicy },
        dataFrom: [{ extract: { key: "gone" } }],
        data: [
          { secretKey: "x", remoteRef: { key: "nope" } },
          { secretKey: "p", remoteRef: { key: "plain" } },
        ],
      };
      assert.deepEqual(text(await fetchProviderData(spec, await options(events))), {
        p: "plain-text",
      });
      assert.deepEqual(
        events.map((e) => `${e.reason}: ${e.message}`),
        [
          "MissingProviderSecret: secret does not exist at provider using spec.dataFrom[0]",
          "MissingProviderSecret: secret does not exist at provider using spec.data[0] (key=nope)",
        ],
      );
    }
  });

  it("refuses generators for now with a clear NotSupported error", async () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [{ sourceRef: { generatorRef: { kind: "Password", name: "pw" } } }],
    };
    await assert.rejects(
      fetchProviderData(spec, await options()),
      /\[NotSupported\] generators are not supported/,
    );
  });

  it("reports invalid keys with ESO's tip", async () => {
    const spec: ExternalSecretSpec = {
      dataFrom: [
        {
          find: { name: { regexp: "^path/" } },
          rewrite: [{ regexp: { source: "^path_?", target: "a/" } }],
        },
      ],
    };
    await assert.rejects(
      fetchProviderData(spec, await options()),
      /spec.dataFrom\[0\]: \[InvalidKey\] invalid secret keys \(TIP/,
    );
  });
});
