// What a push leaves behind in the remote Secret, on ESO's own cases
// (providers/v1/kubernetes/client_test.go TestPushSecret) plus the
// metadata envelope's checks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import type { PushSecretData, PushSource } from "../provider.ts";
import { decodeSecret, type RemoteSecret } from "./api.ts";
import { desiredSecret, parsePushMetadata, unchanged, type DesiredSecret } from "./push.ts";

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function remote(
  data: Record<string, string>,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): RemoteSecret {
  return decodeSecret({
    metadata: { name: "mysec", namespace: "remote", resourceVersion: "7", uid: "u1", ...meta },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
}

function source(
  data: Record<string, string>,
  meta: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    type?: string;
  } = {},
): PushSource {
  return {
    name: "src",
    namespace: "app",
    data: new Map(Object.entries(data).map(([k, v]) => [k, bytes(v)])),
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    ...(meta.type === undefined ? {} : { type: meta.type }),
  };
}

const push = (extra: Partial<PushSecretData>): PushSecretData => ({
  secretKey: "",
  remoteKey: "mysec",
  property: "",
  ...extra,
});

const envelope = (spec: Record<string, unknown>): unknown => ({
  apiVersion: "kubernetes.external-secrets.io/v1alpha1",
  kind: "PushSecretMetadata",
  spec,
});

function run(
  src: PushSource,
  data: PushSecretData,
  existing: RemoteSecret | undefined,
): DesiredSecret {
  return desiredSecret(
    { namespace: "remote", name: data.remoteKey, source: src, data },
    parsePushMetadata(data.metadata),
    existing,
  );
}

const plain = (d: DesiredSecret): Record<string, string> =>
  Object.fromEntries([...d.data].map(([k, v]) => [k, Buffer.from(v).toString()]));

describe("desiredSecret", () => {
  it("whole secret: the remote data is replaced entirely (ESO 2.9)", () => {
    const d = run(source({ token2: "foo" }), push({}), remote({ token: "foo" }));
    assert.deepEqual(plain(d), { token2: "foo" });
    // everything else of the existing Secret is kept, resourceVersion included
    assert.equal(d.resource.metadata?.resourceVersion, "7");
    assert.equal(d.resource.metadata["uid"], "u1");
  });

  it("whole secret into one property, keeping the other keys", () => {
    const d = run(source({ foo: "bar" }), push({ property: "token2" }), remote({ token: "foo" }));
    assert.deepEqual(plain(d), { token: "foo", token2: '{"foo":"bar"}' });
  });

  it("whole secret into a property of a new Secret, as Go marshals it", () => {
    const d = run(
      source({ token: "foo", token2: "2" }),
      push({ property: "marshaled" }),
      undefined,
    );
    assert.deepEqual(plain(d), { marshaled: '{"token":"foo","token2":"2"}' });
    assert.equal(d.type, "Opaque");
    assert.equal(d.resource.metadata?.name, "mysec");
    assert.equal(d.resource.metadata.namespace, "remote");
  });

  it("one key into a property: added, or replacing the old value", () => {
    const add = run(
      source({ k: "bar" }),
      push({ secretKey: "k", property: "secret" }),
      remote({ token: "foo" }),
    );
    assert.deepEqual(plain(add), { token: "foo", secret: "bar" });
    const replace = run(
      source({ k: "bar" }),
      push({ secretKey: "k", property: "token" }),
      remote({ token: "foo" }),
    );
    assert.deepEqual(plain(replace), { token: "bar" });
  });

  it("refuses a secretKey the source does not have instead of pushing an empty value", () => {
    assert.throws(
      () => run(source({ k: "bar" }), push({ secretKey: "nope", property: "p" }), undefined),
      /secret key nope does not exist in Secret app\/src/,
    );
  });

  it("copies the source type (template.type), default Opaque", () => {
    const d = run(
      source({ ".dockerconfigjson": "{}" }, { type: "kubernetes.io/dockerconfigjson" }),
      push({}),
      undefined,
    );
    assert.equal(d.type, "kubernetes.io/dockerconfigjson");
    assert.equal(d.resource.type, "kubernetes.io/dockerconfigjson");
  });

  it("targetMergePolicy Ignore keeps the remote metadata", () => {
    const src = source({ k: "bar" }, { labels: { dev: "seb" }, annotations: { date: "today" } });
    const d = run(
      src,
      push({
        secretKey: "k",
        property: "token",
        metadata: envelope({ targetMergePolicy: "Ignore" }),
      }),
      remote({ token: "foo" }),
    );
    assert.deepEqual(d.labels, {});
    assert.deepEqual(d.annotations, {});
  });

  it("targetMergePolicy Replace replaces the remote metadata with the source's", () => {
    const src = source({ k: "bar" }, { labels: { dev: "seb" }, annotations: { date: "today" } });
    const d = run(
      src,
      push({
        secretKey: "k",
        property: "token",
        metadata: envelope({ targetMergePolicy: "Replace" }),
      }),
      remote(
        { token: "foo" },
        { labels: { already: "existing" }, annotations: { already: "existing" } },
      ),
    );
    assert.deepEqual(d.labels, { dev: "seb" });
    assert.deepEqual(d.annotations, { date: "today" });
  });

  it("default Merge: source metadata and push metadata on top of the remote's", () => {
    const src = source({ k: "bar" }, { annotations: { "this-annotation": "present" } });
    const d = run(
      src,
      push({
        secretKey: "k",
        property: "secret",
        metadata: envelope({ annotations: { date: "today" }, labels: { dev: "seb" } }),
      }),
      remote({ x: "1" }, { labels: { keep: "me" } }),
    );
    assert.deepEqual(d.labels, { keep: "me", dev: "seb" });
    assert.deepEqual(d.annotations, { "this-annotation": "present", date: "today" });
  });

  it("sourceMergePolicy Replace: only the push metadata", () => {
    const src = source({ k: "bar" }, { labels: { dev: "seb" }, annotations: { date: "today" } });
    const d = run(
      src,
      push({
        secretKey: "k",
        property: "secret",
        metadata: envelope({
          sourceMergePolicy: "Replace",
          annotations: { "another-field": "from-remote-ref" },
          labels: { "other-label": "from-remote-ref" },
        }),
      }),
      undefined,
    );
    assert.deepEqual(d.labels, { "other-label": "from-remote-ref" });
    assert.deepEqual(d.annotations, { "another-field": "from-remote-ref" });
  });

  it("unchanged() sees a push that changes nothing", () => {
    const existing = remote({ token: "bar" });
    const d = run(source({ k: "bar" }), push({ secretKey: "k", property: "token" }), existing);
    assert.equal(unchanged(existing, d), true);
    const other = run(source({ k: "baz" }), push({ secretKey: "k", property: "token" }), existing);
    assert.equal(unchanged(existing, other), false);
  });
});

describe("parsePushMetadata", () => {
  it("is undefined without metadata", () => {
    assert.equal(parsePushMetadata(undefined), undefined);
  });

  it("reads the spec, from an object or JSON text", () => {
    const parsed = parsePushMetadata(
      JSON.stringify(envelope({ targetMergePolicy: "Replace", remoteNamespace: "x" })),
    );
    assert.equal(parsed?.targetMergePolicy, "Replace");
    assert.equal(parsed.sourceMergePolicy, "Merge");
    assert.equal(parsed.remoteNamespace, "x");
  });

  const bad: [string, unknown, RegExp][] = [
    ["an empty object (no apiVersion)", {}, /unexpected apiVersion "", expected/],
    ["not JSON", "--- not json ---", /not JSON/],
    [
      "a wrong kind",
      { apiVersion: "kubernetes.external-secrets.io/v1alpha1", kind: "X" },
      /unexpected kind "X"/,
    ],
    ["an unknown field", envelope({ colour: "red" }), /unknown field "spec.colour"/],
    [
      "an unknown top-level field",
      { ...(envelope({}) as object), extra: 1 },
      /unknown field "extra"/,
    ],
    [
      "a bad target policy",
      envelope({ targetMergePolicy: "Keep" }),
      /unexpected target merge policy "Keep"/,
    ],
    [
      "a bad source policy",
      envelope({ sourceMergePolicy: "Ignore" }),
      /unexpected source merge policy "Ignore"/,
    ],
    [
      "labels that are not strings",
      envelope({ labels: { a: 1 } }),
      /spec.labels must be a map of strings/,
    ],
  ];
  for (const [name, raw, want] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parsePushMetadata(raw),
        (err: unknown) =>
          err instanceof ProviderError && err.code === "InvalidValue" && want.test(err.message),
      );
    });
  }
});
