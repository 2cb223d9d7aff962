import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoSecretError, ProviderError } from "../errors.ts";
import type { SecretsClient } from "../provider.ts";
import { awsStore, ctx, harness, staticAuth, text, type Harness } from "./testing.ts";

async function client(h: Harness, prefix?: string): Promise<SecretsClient> {
  const store = awsStore({
    service: "ParameterStore",
    auth: staticAuth(),
    ...(prefix === undefined ? {} : { prefix }),
  });
  return h.provider.newClient(ctx(), store, h.kube, "apps");
}

function seeded(): Harness {
  const h = harness();
  h.aws.putParameter("/app/db", '{"user":"v1"}', { team: "a" });
  h.aws.putParameter("/app/db", '{"user":"v2","a.b":"dot"}');
  h.aws.putParameter("/app/sub/x", "x");
  h.aws.putParameter("/other/y", "y", { team: "a" });
  return h;
}

describe("aws ParameterStore", () => {
  const reads: {
    name: string;
    ref: { key: string; version?: string; property?: string };
    want: string;
  }[] = [
    { name: "latest", ref: { key: "/app/db", property: "user" }, want: "v2" },
    { name: "version name:1", ref: { key: "/app/db", version: "1", property: "user" }, want: "v1" },
    { name: "dotted key literal", ref: { key: "/app/db", property: "a.b" }, want: "dot" },
    { name: "plain", ref: { key: "/app/sub/x" }, want: "x" },
  ];
  for (const c of reads) {
    it(`reads ${c.name}`, async () => {
      const h = seeded();
      assert.equal(text(await (await client(h)).getSecret(ctx(), c.ref)), c.want);
    });
  }

  it("asks for name:version with decryption", async () => {
    const h = seeded();
    await (await client(h, "/app")).getSecret(ctx(), { key: "/db", version: "1" });
    assert.deepEqual(h.aws.calls.at(-1)?.input, { Name: "/app/db:1", WithDecryption: true });
  });

  it("missing parameter or version is NoSecretError", async () => {
    const h = seeded();
    const c = await client(h);
    await assert.rejects(c.getSecret(ctx(), { key: "/nope" }), NoSecretError);
    await assert.rejects(c.getSecret(ctx(), { key: "/app/db", version: "9" }), NoSecretError);
  });

  it("fetches tags with metadataPolicy Fetch", async () => {
    const h = seeded();
    const c = await client(h);
    assert.equal(
      text(await c.getSecret(ctx(), { key: "/app/db", metadataPolicy: "Fetch" })),
      '{"team":"a"}',
    );
  });

  it("finds by name recursively under a path (default /)", async () => {
    const h = seeded();
    const c = await client(h);
    const all = await c.getAllSecrets(ctx(), { name: { regexp: "^/app/" } });
    assert.deepEqual([...all.keys()].sort(), ["/app/db", "/app/sub/x"]);
    const under = await c.getAllSecrets(ctx(), { path: "/app/sub", name: { regexp: "." } });
    assert.deepEqual([...under.keys()], ["/app/sub/x"]);
    assert.deepEqual(h.aws.calls.find((x) => x.operation === "GetParametersByPath")?.input, {
      Path: "/",
      Recursive: true,
      WithDecryption: true,
      NextToken: undefined,
    });
  });

  it("finds by tags through DescribeParameters filters", async () => {
    const h = seeded();
    const found = await (await client(h)).getAllSecrets(ctx(), { tags: { team: "a" } });
    assert.deepEqual([...found.keys()].sort(), ["/app/db", "/other/y"]);
    const input = h.aws.calls.find((x) => x.operation === "DescribeParameters")?.input;
    assert.deepEqual(input, {
      ParameterFilters: [{ Key: "tag:team", Option: "Equals", Values: ["a"] }],
    });
  });

  it("pushes with managed-by, refuses unmanaged, deletes only managed", async () => {
    const h = seeded();
    const c = await client(h);
    const source = {
      name: "s",
      namespace: "apps",
      data: new Map([["k", new Uint8Array(Buffer.from("pv"))]]),
      labels: {},
      annotations: {},
    };
    await c.pushSecret(ctx(), source, { secretKey: "k", remoteKey: "/pushed", property: "" });
    assert.equal(h.aws.parameters.get("/pushed")?.tags.get("managed-by"), "external-secrets");
    assert.equal(await c.secretExists(ctx(), { remoteKey: "/pushed", property: "" }), true);
    await assert.rejects(
      c.pushSecret(ctx(), source, { secretKey: "k", remoteKey: "/other/y", property: "" }),
      ProviderError,
    );
    await c.deleteSecret(ctx(), { remoteKey: "/other/y", property: "" });
    assert.ok(h.aws.parameters.has("/other/y"));
    await c.deleteSecret(ctx(), { remoteKey: "/pushed", property: "" });
    assert.equal(await c.secretExists(ctx(), { remoteKey: "/pushed", property: "" }), false);
    await c.deleteSecret(ctx(), { remoteKey: "/pushed", property: "" });
  });

  it("pushes the whole Secret as JSON of base64 values unless encodeAsDecoded", async () => {
    const h = seeded();
    const c = await client(h);
    const source = {
      name: "s",
      namespace: "apps",
      data: new Map([["k", new Uint8Array(Buffer.from("pv"))]]),
      labels: {},
      annotations: {},
    };
    await c.pushSecret(ctx(), source, { secretKey: "", remoteKey: "/whole", property: "" });
    assert.equal(h.aws.parameters.get("/whole")?.versions.at(-1), '{"k":"cHY="}');
    await c.pushSecret(ctx(), source, {
      secretKey: "",
      remoteKey: "/whole",
      property: "",
      metadata: { spec: { encodeAsDecoded: true } },
    });
    assert.equal(h.aws.parameters.get("/whole")?.versions.at(-1), '{"k":"pv"}');
  });
});
