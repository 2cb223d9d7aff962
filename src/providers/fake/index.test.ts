import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FakeProvider } from "../../api/index.ts";
import type { GenericStore } from "../../esutils/store.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { NoSecretError, NotSupportedError, StoreValidationError } from "../errors.ts";
import type { Ctx } from "../provider.ts";
import { FakeSecretsProvider } from "./index.ts";

const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};
const noKube = {} as KubeAccess;
const text = (u: Uint8Array): string => Buffer.from(u).toString("utf8");

function store(fake: FakeProvider, name = "fake", namespace = "ns"): GenericStore {
  return { kind: "SecretStore", metadata: { name, namespace }, spec: { provider: { fake } } };
}

const spec: FakeProvider = {
  data: [
    { key: "/foo/bar", value: "HELLO1" },
    { key: "/foo/bar", value: "HELLO2", version: "v2" },
    {
      key: "/json",
      value: '{"user":"ferry","port":5432,"db":{ "name": "x" },"friends":[{"n":"a"},{"n":"b"}]}',
    },
    { key: "e2e-find-one", value: "1" },
    { key: "e2e-find-two", value: "2" },
    { key: "e2e-find-two", value: "2b", version: "v1" },
    { key: "path/with:chars", value: "3" },
  ],
};

describe("fake provider", () => {
  it("reads values by key and exact version", async () => {
    const client = await new FakeSecretsProvider().newClient(ctx, store(spec), noKube, "ns");
    assert.equal(text(await client.getSecret(ctx, { key: "/foo/bar" })), "HELLO1");
    assert.equal(text(await client.getSecret(ctx, { key: "/foo/bar", version: "v2" })), "HELLO2");
    await assert.rejects(client.getSecret(ctx, { key: "/foo/bar", version: "v3" }), NoSecretError);
    await assert.rejects(client.getSecret(ctx, { key: "/nope" }), NoSecretError);
  });

  it("extracts properties with gjson, keeping raw JSON for objects", async () => {
    const client = await new FakeSecretsProvider().newClient(ctx, store(spec), noKube, "ns");
    assert.equal(text(await client.getSecret(ctx, { key: "/json", property: "user" })), "ferry");
    assert.equal(
      text(await client.getSecret(ctx, { key: "/json", property: "db" })),
      '{ "name": "x" }',
    );
    assert.equal(text(await client.getSecret(ctx, { key: "/json", property: "friends.1.n" })), "b");
    await assert.rejects(
      client.getSecret(ctx, { key: "/json", property: "missing" }),
      NoSecretError,
    );
  });

  it("extracts a JSON object into a map (strings unquoted, others raw)", async () => {
    const client = await new FakeSecretsProvider().newClient(ctx, store(spec), noKube, "ns");
    const map = await client.getSecretMap(ctx, { key: "/json" });
    assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, text(v)])), {
      user: "ferry",
      port: "5432",
      db: '{ "name": "x" }',
      friends: '[{"n":"a"},{"n":"b"}]',
    });
    await assert.rejects(client.getSecretMap(ctx, { key: "/foo/bar" }), (err: unknown) => {
      return (
        err instanceof Error &&
        err.message.includes("unable to unmarshal secret") &&
        !err.message.includes("HELLO")
      );
    });
  });

  it("finds by name regexp with the highest version and converts keys", async () => {
    const client = await new FakeSecretsProvider().newClient(ctx, store(spec), noKube, "ns");
    const found = await client.getAllSecrets(ctx, { name: { regexp: "e2e-find-.+" } });
    assert.deepEqual(Object.fromEntries([...found].map(([k, v]) => [k, text(v)])), {
      "e2e-find-one": "1",
      "e2e-find-two": "2b",
    });
    const converted = await client.getAllSecrets(ctx, {
      name: { regexp: "^path" },
      conversionStrategy: "Unicode",
    });
    assert.deepEqual([...converted.keys()], ["path_U002f_with_U003a_chars"]);
    await assert.rejects(client.getAllSecrets(ctx, { tags: { a: "b" } }), NotSupportedError);
  });

  it("pushes into a database kept per store and refuses to overwrite declared keys", async () => {
    const provider = new FakeSecretsProvider();
    const source = {
      name: "src",
      namespace: "ns",
      labels: {},
      annotations: {},
      data: new Map([["k", new Uint8Array(Buffer.from("pushed"))]]),
    };
    const first = await provider.newClient(ctx, store(spec), noKube, "ns");
    await first.pushSecret(ctx, source, { secretKey: "k", remoteKey: "new-remote", property: "" });
    const again = await provider.newClient(ctx, store(spec), noKube, "ns");
    assert.equal(text(await again.getSecret(ctx, { key: "new-remote" })), "pushed");
    assert.equal(await again.secretExists(ctx, { remoteKey: "new-remote", property: "" }), true);
    await assert.rejects(
      again.pushSecret(ctx, source, { secretKey: "k", remoteKey: "/json", property: "" }),
      /key already exists/,
    );
    const otherNamespace = await provider.newClient(
      ctx,
      store(spec, "fake", "other"),
      noKube,
      "other",
    );
    assert.equal(
      await otherNamespace.secretExists(ctx, { remoteKey: "new-remote", property: "" }),
      false,
    );
  });

  it("validates the store statically and reports the configured validation result", async () => {
    const provider = new FakeSecretsProvider();
    assert.throws(
      () => provider.validateStore(store({ data: [{ key: "", value: "x" }] })),
      StoreValidationError,
    );
    assert.throws(
      () => provider.validateStore(store({ data: [{ key: "k" }] })),
      /at least one value must be set in data 0/,
    );
    const ready = await provider.newClient(ctx, store(spec), noKube, "ns");
    assert.equal(await ready.validate(ctx), "Ready");
    const failing = await provider.newClient(
      ctx,
      store({ data: [], validationResult: 2 }),
      noKube,
      "ns",
    );
    await assert.rejects(failing.validate(ctx), /unable to validate/);
  });
});
