// The read side of provider.kubernetes on fixed Secrets, with ESO's own
// expectations (providers/v1/kubernetes/client_test.go) where it has them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExternalSecretDataRemoteRef } from "../../api/index.ts";
import { ProviderError } from "../errors.ts";
import { decodeSecret, type RemoteSecret } from "./api.ts";
import { secretJson, secretMap, secretValue } from "./values.ts";

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString("base64");
const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString();

function secret(
  data: Record<string, string | Uint8Array>,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): RemoteSecret {
  return decodeSecret({
    metadata: { name: "mysec", namespace: "ns", ...meta },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
}

const ref = (extra: Partial<ExternalSecretDataRemoteRef> = {}): ExternalSecretDataRemoteRef => ({
  key: "mysec",
  ...extra,
});

const binary = new Uint8Array([0x00, 0xff, 0x00, 0xff, 0xac, 0xab, 0x28, 0x21]);
const meta = { annotations: { date: "today" }, labels: { dev: "seb" } };

describe("secretValue (GetSecret)", () => {
  const cases: [string, RemoteSecret, ExternalSecretDataRemoteRef, string | Uint8Array][] = [
    ["data key", secret({ token: "foobar" }), ref({ property: "token" }), "foobar"],
    [
      "multi-level property into a JSON value",
      secret({ foo: '{"huga":{"bar":"val"}}' }),
      ref({ property: "foo.huga.bar" }),
      "val",
    ],
    [
      "a key with a dot wins over the gjson path",
      secret({ "foo.png": "correct", foo: '{"png":"wrong"}' }),
      ref({ property: "foo.png" }),
      "correct",
    ],
    ["no property: JSON, HTML kept", secret({ html: "<foobar>" }), ref(), '{"html":"<foobar>"}'],
    ["binary value by property", secret({ bindata: binary }), ref({ property: "bindata" }), binary],
    ["no property: keys sorted", secret({ b: "2", a: "1" }), ref(), '{"a":"1","b":"2"}'],
    [
      "Fetch without property",
      secret({}, { annotations: { date: "today" }, labels: { dev: "<seb>" } }),
      ref({ metadataPolicy: "Fetch" }),
      '{"annotations":{"date":"today"},"labels":{"dev":"<seb>"}}',
    ],
    [
      "Fetch without labels: null, as Go marshals a nil map",
      secret({}, { annotations: { date: "today" } }),
      ref({ metadataPolicy: "Fetch" }),
      '{"annotations":{"date":"today"},"labels":null}',
    ],
    [
      "Fetch labels",
      secret({}, meta),
      ref({ metadataPolicy: "Fetch", property: "labels" }),
      '{"dev":"seb"}',
    ],
    [
      "Fetch one label",
      secret({}, meta),
      ref({ metadataPolicy: "Fetch", property: "labels.dev" }),
      "seb",
    ],
    [
      "Fetch a dotted label key",
      secret({}, { labels: { "app.kubernetes.io/name": "web" } }),
      ref({ metadataPolicy: "Fetch", property: "labels.app.kubernetes.io/name" }),
      "web",
    ],
    [
      "Fetch into a JSON annotation",
      secret({}, { annotations: { cfg: '{"a":{"b":"x"}}' } }),
      ref({ metadataPolicy: "Fetch", property: "annotations.cfg.a" }),
      '{"b":"x"}',
    ],
    [
      "version is ignored, as in ESO",
      secret({ token: "v" }),
      ref({ property: "token", version: "42" }),
      "v",
    ],
  ];
  for (const [name, s, r, want] of cases) {
    it(name, () => {
      const got = secretValue(s, r);
      assert.deepEqual(got, typeof want === "string" ? new Uint8Array(Buffer.from(want)) : want);
    });
  }

  it("missing properties name the property, never a value", () => {
    assert.throws(
      () => secretValue(secret({ token: "foobar" }), ref({ property: "not-the-token" })),
      (err: unknown) =>
        err instanceof ProviderError &&
        err.code === "PropertyNotFound" &&
        err.message.includes("property not-the-token does not exist in data of secret") &&
        !err.message.includes("foobar"),
    );
    assert.throws(
      () => secretValue(secret({}, meta), ref({ metadataPolicy: "Fetch", property: "foo" })),
      /property foo does not exist in metadata of secret/,
    );
    assert.throws(
      () => secretValue(secret({ a: "{}" }), ref({ property: ".a" })),
      /does not exist in data/,
    );
  });
});

describe("secretMap (GetSecretMap)", () => {
  it("returns the data as is", () => {
    const map = secretMap(secret({ a: "1", bin: binary }), ref());
    assert.deepEqual([...map.keys()].sort(), ["a", "bin"]);
    assert.deepEqual(map.get("bin"), binary);
  });

  it("Fetch without property: labels and annotations as JSON", () => {
    const map = secretMap(secret({}, meta), ref({ metadataPolicy: "Fetch" }));
    assert.equal(text(map.get("annotations")), '{"date":"today"}');
    assert.equal(text(map.get("labels")), '{"dev":"seb"}');
  });

  it("Fetch with property: values re-encoded as JSON, as ESO's test expects", () => {
    const map = secretMap(secret({}, meta), ref({ metadataPolicy: "Fetch", property: "labels" }));
    assert.deepEqual(
      [...map.entries()].map(([k, v]) => [k, text(v)]),
      [["dev", '"seb"']],
    );
  });

  it("property: the JSON object in that key; a dotted key is one name first", () => {
    const s = secret({ "db.json": '{"user":"u","port":5432,"n":{"x":1}}', db: '{"json":"no"}' });
    const map = secretMap(s, ref({ property: "db.json" }));
    assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, text(v)])), {
      user: '"u"',
      port: "5432",
      n: '{"x":1}',
    });
  });

  it("property errors never quote the value", () => {
    assert.throws(
      () => secretMap(secret({ a: "not json s3cret" }), ref({ property: "a" })),
      (err: unknown) =>
        err instanceof Error &&
        err.message === "failed to unmarshal secret: invalid JSON format" &&
        !err.message.includes("s3cret"),
    );
    assert.throws(
      () => secretMap(secret({ a: "{}" }), ref({ property: "b" })),
      /property b does not exist in key mysec/,
    );
    assert.throws(() => secretMap(secret({ a: "[1]" }), ref({ property: "a" })), /invalid JSON/);
    assert.equal(secretMap(secret({ a: "null" }), ref({ property: "a" })).size, 0);
  });
});

describe("secretJson (find results)", () => {
  it("is the data as a JSON object of strings", () => {
    assert.equal(text(secretJson(secret({ token: "bar" }))), '{"token":"bar"}');
  });
});
