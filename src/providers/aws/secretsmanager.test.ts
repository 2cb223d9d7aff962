import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoSecretError, ProviderError } from "../errors.ts";
import type { SecretsClient } from "../provider.ts";
import { BATCH_SIZE } from "./secretsmanager.ts";
import { awsStore, ctx, harness, staticAuth, text, type Harness } from "./testing.ts";

const SECRET_VALUE = "s3cr3t-do-not-leak";

async function client(h: Harness, prefix?: string): Promise<SecretsClient> {
  const store = awsStore({ auth: staticAuth(), ...(prefix === undefined ? {} : { prefix }) });
  return h.provider.newClient(ctx(), store, h.kube, "apps");
}

function seeded(): Harness {
  const h = harness();
  h.aws.putSecret("db", { SecretString: JSON.stringify({ user: "old" }) });
  h.aws.putSecret("db", {
    SecretString: JSON.stringify({
      user: "admin",
      password: SECRET_VALUE,
      "dotted.key": "literal",
      nested: { "a.b": { c: 1 } },
      dotted: { key: "path" },
      list: [{ n: "x" }, { n: "y" }],
      num: 1.5,
      obj: { z: 1, a: [true, null] },
    }),
  });
  h.aws.putSecret("bin", { SecretBinary: new Uint8Array([0, 159, 146, 150, 255]) });
  h.aws.putSecret("binjson", { SecretBinary: new Uint8Array(Buffer.from('{"k":"v"}')) });
  h.aws.putSecret("plain", { SecretString: SECRET_VALUE });
  return h;
}

describe("aws SecretsManager reads", () => {
  const cases: { name: string; ref: Parameters<SecretsClient["getSecret"]>[1]; want: string }[] = [
    { name: "whole value", ref: { key: "plain" }, want: SECRET_VALUE },
    { name: "property", ref: { key: "db", property: "user" }, want: "admin" },
    {
      name: "dotted key first as literal",
      ref: { key: "db", property: "dotted.key" },
      want: "literal",
    },
    { name: "array index", ref: { key: "db", property: "list.1.n" }, want: "y" },
    { name: "escaped dots", ref: { key: "db", property: "nested.a\\.b.c" }, want: "1" },
    { name: "number as gjson prints it", ref: { key: "db", property: "num" }, want: "1.5" },
    { name: "object raw", ref: { key: "db", property: "obj" }, want: '{"z":1,"a":[true,null]}' },
    {
      name: "AWSPREVIOUS stage",
      ref: { key: "db", version: "AWSPREVIOUS", property: "user" },
      want: "old",
    },
    { name: "uuid version", ref: { key: "db", version: "uuid/v1", property: "user" }, want: "old" },
    { name: "property of binary as JSON text", ref: { key: "binjson", property: "k" }, want: "v" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = seeded();
      assert.equal(text(await (await client(h)).getSecret(ctx(), c.ref)), c.want);
    });
  }

  it("sends VersionStage or VersionId as ESO does", async () => {
    const h = seeded();
    const c = await client(h);
    await c.getSecret(ctx(), { key: "db" });
    await c.getSecret(ctx(), { key: "db", version: "uuid/v1" });
    await c.getSecret(ctx(), { key: "db", version: "AWSPENDING" }).catch(() => undefined);
    const inputs = h.aws.calls.filter((x) => x.operation === "GetSecretValue").map((x) => x.input);
    assert.deepEqual(inputs, [
      { SecretId: "db", VersionStage: "AWSCURRENT" },
      { SecretId: "db", VersionId: "v1" },
      { SecretId: "db", VersionStage: "AWSPENDING" },
    ]);
  });

  it("returns binary secrets raw", async () => {
    const h = seeded();
    assert.deepEqual(
      await (await client(h)).getSecret(ctx(), { key: "bin" }),
      new Uint8Array([0, 159, 146, 150, 255]),
    );
  });

  it("prepends prefix to every key", async () => {
    const h = seeded();
    h.aws.putSecret("team/plain", { SecretString: "prefixed" });
    assert.equal(
      text(await (await client(h, "team/")).getSecret(ctx(), { key: "plain" })),
      "prefixed",
    );
  });

  it("extracts a JSON object as a map (strings unquoted, others raw)", async () => {
    const h = seeded();
    const map = await (await client(h)).getSecretMap(ctx(), { key: "db" });
    assert.equal(text(map.get("user") ?? new Uint8Array()), "admin");
    assert.equal(text(map.get("num") ?? new Uint8Array()), "1.5");
    assert.equal(text(map.get("obj") ?? new Uint8Array()), '{"z":1,"a":[true,null]}');
    const nested = await (await client(h)).getSecretMap(ctx(), { key: "db", property: "dotted" });
    assert.deepEqual([...nested.keys()], ["key"]);
  });

  it("fetches tags with metadataPolicy Fetch", async () => {
    const h = harness();
    h.aws.putSecret("tagged", { SecretString: "x" }, { team: "a", env: "prod" });
    const c = await client(h);
    assert.equal(
      text(await c.getSecret(ctx(), { key: "tagged", metadataPolicy: "Fetch" })),
      '{"env":"prod","team":"a"}',
    );
    assert.equal(
      text(await c.getSecret(ctx(), { key: "tagged", metadataPolicy: "Fetch", property: "team" })),
      "a",
    );
    assert.equal(h.aws.count("DescribeSecret"), 1);
    assert.equal(h.aws.count("GetSecretValue"), 0);
  });

  const missing: {
    name: string;
    setup: (h: Harness) => void;
    ref: { key: string; version?: string };
  }[] = [
    { name: "missing secret", setup: () => undefined, ref: { key: "nope" } },
    {
      name: "secret marked for deletion",
      setup: (h) => {
        h.aws.putSecret("gone", { SecretString: "x" });
        const s = h.aws.secrets.get("gone");
        if (s !== undefined) s.deleted = true;
      },
      ref: { key: "gone" },
    },
    {
      name: "missing version",
      setup: (h) => h.aws.putSecret("one", { SecretString: "x" }),
      ref: { key: "one", version: "uuid/zzz" },
    },
  ];
  for (const c of missing) {
    it(`reports ${c.name} as NoSecretError`, async () => {
      const h = harness();
      c.setup(h);
      await assert.rejects((await client(h)).getSecret(ctx(), c.ref), NoSecretError);
    });
  }

  it("reports a missing property as PropertyNotFound, naming no value", async () => {
    const h = seeded();
    await assert.rejects(
      (await client(h)).getSecret(ctx(), { key: "db", property: "nope" }),
      (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.code, "PropertyNotFound");
        assert.ok(!err.message.includes(SECRET_VALUE));
        return true;
      },
    );
  });

  it("never echoes a value when it is not JSON", async () => {
    const h = seeded();
    await assert.rejects(
      (await client(h)).getSecretMap(ctx(), { key: "plain" }),
      (err: unknown) => {
        assert.ok(err instanceof ProviderError);
        assert.equal(err.code, "InvalidValue");
        assert.ok(!err.message.includes(SECRET_VALUE), err.message);
        return true;
      },
    );
  });
});

describe("aws SecretsManager find", () => {
  it("finds by name regexp and reads values in batches of at most 20", async () => {
    const h = harness();
    for (let i = 0; i < 45; i++)
      h.aws.putSecret(`app-${String(i).padStart(2, "0")}`, { SecretString: `v${String(i)}` });
    h.aws.putSecret("other", { SecretString: "no" });
    h.aws.listPageSize = 10;
    const found = await (await client(h)).getAllSecrets(ctx(), { name: { regexp: "^app-" } });
    assert.equal(found.size, 45);
    assert.equal(text(found.get("app-07") ?? new Uint8Array()), "v7");
    const batches = h.aws.calls.filter((c) => c.operation === "BatchGetSecretValue");
    assert.deepEqual(
      batches.map((b) => (b.input as { SecretIdList: string[] }).SecretIdList.length),
      [20, 20, 5],
    );
    assert.equal(BATCH_SIZE, 20);
    assert.equal(h.aws.count("ListSecrets"), 5);
  });

  it("finds by tags and path with ListSecrets filters", async () => {
    const h = harness();
    h.aws.putSecret("team-a/one", { SecretString: "1" }, { owner: "a" });
    h.aws.putSecret("team-a/two", { SecretString: "2" }, { owner: "b" });
    h.aws.putSecret("team-b/one", { SecretString: "3" }, { owner: "a" });
    const c = await client(h);
    const byTags = await c.getAllSecrets(ctx(), { tags: { owner: "a" }, path: "team-a/" });
    assert.deepEqual([...byTags.keys()], ["team-a/one"]);
    const listInput = h.aws.calls.find((x) => x.operation === "ListSecrets")?.input;
    assert.deepEqual(listInput, {
      Filters: [
        { Key: "tag-key", Values: ["owner"] },
        { Key: "tag-value", Values: ["a"] },
        { Key: "name", Values: ["team-a/"] },
      ],
    });
  });

  it("refuses a find without name or tags", async () => {
    const h = harness();
    await assert.rejects((await client(h)).getAllSecrets(ctx(), { path: "x" }), ProviderError);
  });
});

describe("aws SecretsManager push/delete/exists", () => {
  const source = (data: Record<string, string>) => ({
    name: "src",
    namespace: "apps",
    data: new Map(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))])),
    labels: {},
    annotations: {},
  });

  it("creates with the managed-by tag, binary by default", async () => {
    const h = harness();
    const c = await client(h);
    await c.pushSecret(ctx(), source({ k: "v1" }), {
      secretKey: "k",
      remoteKey: "pushed",
      property: "",
    });
    const s = h.aws.secrets.get("pushed");
    assert.equal(s?.tags.get("managed-by"), "external-secrets");
    assert.deepEqual(s.versions.at(0)?.value.SecretBinary, new Uint8Array(Buffer.from("v1")));
    assert.equal(await c.secretExists(ctx(), { remoteKey: "pushed", property: "" }), true);
    assert.equal(await c.secretExists(ctx(), { remoteKey: "absent", property: "" }), false);
  });

  it("writes properties into JSON and honours secretPushFormat string", async () => {
    const h = harness();
    const c = await client(h);
    const metadata = {
      apiVersion: "kubernetes.external-secrets.io/v1alpha1",
      kind: "PushSecretMetadata",
      spec: { secretPushFormat: "string", tags: { team: "a" } },
    };
    await c.pushSecret(ctx(), source({ u: "me" }), {
      secretKey: "u",
      remoteKey: "json",
      property: "user",
      metadata,
    });
    await c.pushSecret(ctx(), source({ p: "pw" }), {
      secretKey: "p",
      remoteKey: "json",
      property: "auth.password",
      metadata,
    });
    const s = h.aws.secrets.get("json");
    assert.equal(s?.versions.at(-1)?.value.SecretString, '{"auth":{"password":"pw"},"user":"me"}');
    assert.equal(s.tags.get("team"), "a");
    const before = h.aws.count("PutSecretValue");
    await c.pushSecret(ctx(), source({ p: "pw" }), {
      secretKey: "p",
      remoteKey: "json",
      property: "auth.password",
      metadata,
    });
    assert.equal(h.aws.count("PutSecretValue"), before, "an unchanged value is not written again");
  });

  it("pushes the whole Secret as JSON when secretKey is empty", async () => {
    const h = harness();
    const c = await client(h);
    const metadata = { spec: { secretPushFormat: "string" } };
    await c.pushSecret(ctx(), source({ b: "2", a: "<1>" }), {
      secretKey: "",
      remoteKey: "whole",
      property: "",
      metadata,
    });
    assert.equal(
      h.aws.secrets.get("whole")?.versions[0]?.value.SecretString,
      '{"a":"<1>","b":"2"}',
    );
  });

  it("refuses to overwrite or delete unmanaged secrets", async () => {
    const h = harness();
    h.aws.putSecret("theirs", { SecretString: SECRET_VALUE });
    const c = await client(h);
    await assert.rejects(
      c.pushSecret(ctx(), source({ k: "v" }), {
        secretKey: "k",
        remoteKey: "theirs",
        property: "",
      }),
      (err: unknown) =>
        err instanceof ProviderError && err.message.includes("not managed by external-secrets"),
    );
    await c.deleteSecret(ctx(), { remoteKey: "theirs", property: "" });
    assert.equal(h.aws.count("DeleteSecret"), 0);
    await c.deleteSecret(ctx(), { remoteKey: "never-existed", property: "" });
  });

  it("refuses a user managed-by tag", async () => {
    const h = harness();
    await assert.rejects(
      (await client(h)).pushSecret(ctx(), source({ k: "v" }), {
        secretKey: "k",
        remoteKey: "x",
        property: "",
        metadata: { spec: { tags: { "managed-by": "me" } } },
      }),
      ProviderError,
    );
  });

  const deletions: {
    name: string;
    sm: { forceDeleteWithoutRecovery?: boolean; recoveryWindowInDays?: number } | undefined;
    want: Record<string, unknown>;
  }[] = [
    { name: "default recovery", sm: undefined, want: {} },
    {
      name: "force",
      sm: { forceDeleteWithoutRecovery: true },
      want: { ForceDeleteWithoutRecovery: true },
    },
    { name: "window", sm: { recoveryWindowInDays: 7 }, want: { RecoveryWindowInDays: 7 } },
  ];
  for (const d of deletions) {
    it(`deletes managed secrets (${d.name})`, async () => {
      const h = harness();
      h.aws.putSecret("mine", { SecretString: "x" }, { "managed-by": "external-secrets" });
      const store = awsStore({
        auth: staticAuth(),
        ...(d.sm === undefined ? {} : { secretsManager: d.sm }),
      });
      const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
      await c.deleteSecret(ctx(), { remoteKey: "mine", property: "" });
      const call = h.aws.calls.find((x) => x.operation === "DeleteSecret");
      const { SecretId: _id, ...options } = call?.input as Record<string, unknown>;
      assert.deepEqual(options, d.want);
    });
  }
});
