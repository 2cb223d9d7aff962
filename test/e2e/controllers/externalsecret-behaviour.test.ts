// The ExternalSecret controller end to end beyond ESO's conformance cases:
// provider failures (the existing Secret is kept, status and Events say
// why, no value leaks), drift repair, restart without writes, creation and
// deletion policies, bad input.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject } from "../../../src/runtime/index.ts";
import { eventually, uniqueName } from "../framework/env.ts";
import {
  ESO,
  eventsFor,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";
import {
  createEs,
  createFakeStore,
  decode,
  encode,
  getEs,
  getSecret,
  Namespaces,
  readyOf,
  sameData,
  setFakeStore,
  sleep,
  waitReady,
  waitSecret,
  waitSecretGone,
  waitStoreReady,
  type Es,
} from "./es-helpers.ts";

const client = testClient();
// Values that must never show up in status, Events or logs.
const SECRET_A = "s3cr3t-value-alpha-7f1c";
const SECRET_B = "s3cr3t-value-bravo-22d9";
const STORE = "fake";

function simpleSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const target = (extra["target"] as Record<string, unknown> | undefined) ?? {};
  return {
    refreshInterval: "1h",
    secretStoreRef: { name: STORE, kind: "SecretStore" },
    data: [
      { secretKey: "a", remoteRef: { key: "key-a" } },
      { secretKey: "b", remoteRef: { key: "key-b" } },
    ],
    ...extra,
    target: { name: "target", ...target },
  };
}

const FIXTURE = [
  { key: "key-a", value: SECRET_A },
  { key: "key-b", value: SECRET_B },
];

function assertNoValue(where: string, text: string): void {
  for (const value of [SECRET_A, SECRET_B]) {
    assert.ok(!text.includes(value), `${where} leaks a secret value: ${text.slice(0, 500)}`);
  }
}

async function assertNoLeaks(ctl: TestController, ns: string, name: string): Promise<void> {
  const es = await getEs(client, ns, name);
  assertNoValue("status", JSON.stringify(es?.status ?? {}));
  assertNoValue("events", JSON.stringify(await eventsFor(client, ns, "ExternalSecret", name)));
  assertNoValue("logs", ctl.logs.join(""));
}

describe("ExternalSecret controller behaviour (e2e)", () => {
  let ctl: TestController;
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
    ctl = await startTestController({ concurrent: 4 });
  });
  after(async () => {
    await ctl.stop();
    await namespaces.removeAll();
  });

  async function synced(prefix: string, spec: Record<string, unknown> = simpleSpec()) {
    const ns = (await namespaces.create(prefix)).name;
    await createFakeStore(client, ns, FIXTURE, STORE);
    const name = uniqueName("es");
    await createEs(client, ns, name, spec);
    return { ns, name };
  }

  describe("provider failure", () => {
    it("keeps the Secret byte for byte when the store fails, reports it, recovers", async () => {
      const { ns, name } = await synced("es-fail", simpleSpec({ refreshInterval: "2s" }));
      const before = await waitSecret(client, ns, "target", (s) =>
        sameData(s, { a: SECRET_A, b: SECRET_B }),
      );
      await waitReady(client, ns, name, { status: "True", reason: "SecretSynced" });

      // key-b disappears at the provider; deletionPolicy Retain ⇒ an error.
      await setFakeStore(client, ns, STORE, { data: [FIXTURE[0]!] });
      const failed = await waitReady(client, ns, name, {
        status: "False",
        reason: "SecretSyncedError",
      });
      const message = readyOf(failed)?.message ?? "";
      assert.match(message, /could not get secret data from provider/);
      assert.match(message, /key-b/, "the message names the failing entry");
      await eventually("a Warning UpdateFailed event", async () =>
        (await eventsFor(client, ns, "ExternalSecret", name)).some(
          (e) => e.type === "Warning" && e.reason === "UpdateFailed",
        ),
      );
      const during = await getSecret(client, ns, "target");
      assert.ok(during);
      assert.deepEqual(during.data, before.data);
      assert.equal(during.metadata?.resourceVersion, before.metadata?.resourceVersion);
      await assertNoLeaks(ctl, ns, name);

      // The whole store fails validation: the Secret still stays.
      await setFakeStore(client, ns, STORE, { data: FIXTURE, validationResult: 2 });
      await waitStoreReady(client, ns, STORE, "False");
      // The ES is in error backoff; an annotation change reconciles it now.
      await client.mergePatch(
        ESO.externalSecrets,
        name,
        { metadata: { annotations: { "test/poke": "1" } } },
        { namespace: ns },
      );
      // The ExternalSecret says why the store is not ready, in the store's words.
      await eventually("a not-ready store in the ES message", async () =>
        (readyOf(await getEs(client, ns, name))?.message ?? "").includes(
          "is not ready: unable to validate store",
        ),
      );
      const still = await getSecret(client, ns, "target");
      assert.equal(still?.metadata?.resourceVersion, before.metadata?.resourceVersion);
      await assertNoLeaks(ctl, ns, name);

      // Fixed: back to Ready=True, same data.
      await setFakeStore(client, ns, STORE, { data: FIXTURE });
      await waitReady(client, ns, name, { status: "True", reason: "SecretSynced" });
      const after = await getSecret(client, ns, "target");
      assert.deepEqual(after?.data, before.data);
    });
  });

  describe("drift", () => {
    it("repairs an edited or deleted Secret even with refreshInterval 1h", async () => {
      const { ns, name } = await synced("es-drift");
      await waitSecret(client, ns, "target", (s) => sameData(s, { a: SECRET_A, b: SECRET_B }));
      await waitReady(client, ns, name, { status: "True" });

      await client.mergePatch(
        CORE.secrets,
        "target",
        { data: encode({ a: "tampered", extra: "x" }) },
        { namespace: ns },
      );
      await waitSecret(client, ns, "target", (s) => sameData(s, { a: SECRET_A, b: SECRET_B }));

      await client.delete(CORE.secrets, "target", { namespace: ns });
      await waitSecret(client, ns, "target", (s) => sameData(s, { a: SECRET_A, b: SECRET_B }));
    });

    it("a restarted controller writes nothing when nothing changed", async () => {
      const { ns, name } = await synced("es-restart");
      await waitSecret(client, ns, "target", (s) => sameData(s, { a: SECRET_A, b: SECRET_B }));
      const es1 = await waitReady(client, ns, name, { status: "True", reason: "SecretSynced" });
      await sleep(1000); // let the last write settle
      const esBefore = await getEs(client, ns, name);
      assert.ok(esBefore);
      const secretBefore = await getSecret(client, ns, "target");
      const eventsBefore = await eventsFor(client, ns, "ExternalSecret", name);
      assert.equal(esBefore.metadata?.resourceVersion, es1.metadata?.resourceVersion);

      await ctl.stop();
      ctl = await startTestController({ concurrent: 4 });
      // Wait until the new controller has certainly reconciled it: a new
      // ExternalSecret in the same namespace syncs.
      const probe = uniqueName("probe");
      await createEs(client, ns, probe, simpleSpec({ target: { name: "probe" } }));
      await waitReady(client, ns, probe, { status: "True" });
      await sleep(2000);

      const esAfter = await getEs(client, ns, name);
      const secretAfter = await getSecret(client, ns, "target");
      assert.equal(esAfter?.metadata?.resourceVersion, esBefore.metadata?.resourceVersion);
      assert.equal(secretAfter?.metadata?.resourceVersion, secretBefore?.metadata?.resourceVersion);
      const eventsAfter = await eventsFor(client, ns, "ExternalSecret", name);
      assert.deepEqual(
        eventsAfter.map((e) => [e.reason, e.count]),
        eventsBefore.map((e) => [e.reason, e.count]),
      );
    });
  });

  describe("creation and deletion policies", () => {
    it("Merge: SecretMissing when absent, then merges keeping foreign keys", async () => {
      const { ns, name } = await synced(
        "es-merge",
        simpleSpec({ refreshInterval: "2s", target: { creationPolicy: "Merge" } }),
      );
      const missing = await waitReady(client, ns, name, {
        status: "True",
        reason: "SecretMissing",
      });
      assert.equal(
        readyOf(missing)?.message,
        "secret will not be created due to CreationPolicy=Merge",
      );
      assert.equal(await getSecret(client, ns, "target"), undefined);

      await client.create(
        CORE.secrets,
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "target", namespace: ns },
          data: encode({ foreign: "keep-me", a: "old" }),
        } as KubeObject,
        { namespace: ns },
      );
      const merged = await waitSecret(client, ns, "target", (s) =>
        sameData(s, { foreign: "keep-me", a: SECRET_A, b: SECRET_B }),
      );
      assert.equal(merged.metadata?.ownerReferences, undefined);
      await waitReady(client, ns, name, { status: "True", reason: "SecretSynced" });
    });

    it("CreateOrMerge: creates when absent, merges into an existing Secret", async () => {
      const ns = (await namespaces.create("es-com")).name;
      await createFakeStore(client, ns, FIXTURE, STORE);
      await client.create(
        CORE.secrets,
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "existing", namespace: ns },
          data: encode({ foreign: "keep-me" }),
        } as KubeObject,
        { namespace: ns },
      );
      await createEs(
        client,
        ns,
        "es-new",
        simpleSpec({ target: { name: "fresh", creationPolicy: "CreateOrMerge" } }),
      );
      await createEs(
        client,
        ns,
        "es-existing",
        simpleSpec({ target: { name: "existing", creationPolicy: "CreateOrMerge" } }),
      );
      const fresh = await waitSecret(client, ns, "fresh", (s) =>
        sameData(s, { a: SECRET_A, b: SECRET_B }),
      );
      assert.equal(fresh.metadata?.ownerReferences, undefined);
      await waitSecret(client, ns, "existing", (s) =>
        sameData(s, { foreign: "keep-me", a: SECRET_A, b: SECRET_B }),
      );
    });

    it("Owner: takes over an existing unmanaged Secret of the target name", async () => {
      // The managed-Secret cache does not see an unlabelled Secret: the
      // create meets AlreadyExists and the next attempt reads it directly.
      const ns = (await namespaces.create("es-adopt")).name;
      await createFakeStore(client, ns, FIXTURE, STORE);
      await client.create(
        CORE.secrets,
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "target", namespace: ns },
          data: encode({ a: "stale" }),
        } as KubeObject,
        { namespace: ns },
      );
      await createEs(client, ns, "es-adopt", simpleSpec());
      const adopted = await waitSecret(client, ns, "target", (s) =>
        sameData(s, { a: SECRET_A, b: SECRET_B }),
      );
      assert.equal(adopted.metadata?.ownerReferences?.[0]?.name, "es-adopt");
      await waitReady(client, ns, "es-adopt", { status: "True", reason: "SecretSynced" });
    });

    it("Orphan: no ownerRef, the Secret stays after the ExternalSecret is deleted", async () => {
      const { ns, name } = await synced(
        "es-orphan",
        simpleSpec({ target: { creationPolicy: "Orphan" } }),
      );
      const s = await waitSecret(client, ns, "target", (x) =>
        sameData(x, { a: SECRET_A, b: SECRET_B }),
      );
      assert.equal(s.metadata?.ownerReferences, undefined);
      await client.delete(ESO.externalSecrets, name, { namespace: ns });
      await eventually("the ES gone", async () => (await getEs(client, ns, name)) === undefined);
      await sleep(1000);
      assert.ok(await getSecret(client, ns, "target"));
    });

    it("None: no Secret is written", async () => {
      const { ns, name } = await synced(
        "es-none",
        simpleSpec({ target: { creationPolicy: "None" } }),
      );
      await waitReady(client, ns, name, { status: "True" });
      assert.equal(await getSecret(client, ns, "target"), undefined);
    });

    it("deletionPolicy Delete removes the owned Secret with the ExternalSecret; Retain keeps it", async () => {
      const ns = (await namespaces.create("es-del")).name;
      await createFakeStore(client, ns, FIXTURE, STORE);
      await createEs(
        client,
        ns,
        "es-delete",
        simpleSpec({ target: { name: "t-delete", deletionPolicy: "Delete" } }),
      );
      await createEs(
        client,
        ns,
        "es-retain",
        simpleSpec({ target: { name: "t-retain", creationPolicy: "Orphan" } }),
      );
      await waitSecret(client, ns, "t-delete");
      await waitSecret(client, ns, "t-retain");
      // The cleanup finalizer only where deletion has work to do (one write saved per ES).
      await eventually(
        "finalizer on es-delete",
        async () =>
          (await getEs(client, ns, "es-delete"))?.metadata?.finalizers?.includes(
            "externalsecrets.external-secrets.io/externalsecret-cleanup",
          ) === true,
      );
      assert.deepEqual((await getEs(client, ns, "es-retain"))?.metadata?.finalizers ?? [], []);
      await client.delete(ESO.externalSecrets, "es-delete", { namespace: ns });
      await client.delete(ESO.externalSecrets, "es-retain", { namespace: ns });
      await waitSecretGone(client, ns, "t-delete");
      await eventually(
        "es-retain gone",
        async () => (await getEs(client, ns, "es-retain")) === undefined,
      );
      assert.ok(await getSecret(client, ns, "t-retain"));
    });

    it("Owner: renaming the target deletes the orphaned old Secret", async () => {
      const { ns, name } = await synced("es-rename");
      await waitSecret(client, ns, "target");
      await client.mergePatch(
        ESO.externalSecrets,
        name,
        { spec: { target: { name: "renamed" } } },
        { namespace: ns },
      );
      await waitSecret(client, ns, "renamed", (s) => sameData(s, { a: SECRET_A, b: SECRET_B }));
      await waitSecretGone(client, ns, "target");
    });

    it("immutable: the Secret is immutable; a data change is refused and the Secret kept", async () => {
      const { ns, name } = await synced(
        "es-immutable",
        simpleSpec({ refreshInterval: "2s", target: { immutable: true } }),
      );
      const s = await waitSecret(client, ns, "target", (x) =>
        sameData(x, { a: SECRET_A, b: SECRET_B }),
      );
      assert.equal(s.immutable, true);
      await setFakeStore(client, ns, STORE, {
        data: [FIXTURE[0]!, { key: "key-b", value: "changed-value" }],
      });
      const failed = await waitReady(client, ns, name, {
        status: "False",
        reason: "SecretSyncedError",
      });
      assert.match(readyOf(failed)?.message ?? "", /immutable/);
      assert.deepEqual(decode(await getSecret(client, ns, "target")), {
        a: SECRET_A,
        b: SECRET_B,
      });
    });
  });

  describe("bad input", () => {
    async function failsWith(ns: string, name: string, pattern: RegExp): Promise<Es> {
      let es: Es | undefined;
      await eventually(`${name}: Ready=False matching ${String(pattern)}`, async () => {
        es = await getEs(client, ns, name);
        const ready = readyOf(es);
        return ready?.status === "False" && pattern.test(ready.message ?? "");
      });
      await assertNoLeaks(ctl, ns, name);
      return es!;
    }

    it("a store that does not exist", async () => {
      const ns = (await namespaces.create("es-nostore")).name;
      await createEs(client, ns, "es", simpleSpec({ secretStoreRef: { name: "missing" } }));
      await failsWith(ns, "es", /SecretStore "[^"]*missing" does not exist/);
    });

    it("a ClusterSecretStore whose conditions do not allow the namespace", async () => {
      const ns = (await namespaces.create("es-denied")).name;
      const css = uniqueName("css");
      await client.create(ESO.clusterSecretStores, {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: css },
        spec: {
          provider: { fake: { data: FIXTURE } },
          conditions: [{ namespaces: ["some-other-namespace"] }],
        },
      } as KubeObject);
      try {
        await createEs(
          client,
          ns,
          "es",
          simpleSpec({ secretStoreRef: { name: css, kind: "ClusterSecretStore" } }),
        );
        await failsWith(
          ns,
          "es",
          new RegExp(`is not allowed from namespace "${ns}": denied by spec.condition`),
        );
        assert.equal(await getSecret(client, ns, "target"), undefined);
      } finally {
        await client.delete(ESO.clusterSecretStores, css);
      }
    });

    it("a store that is not Ready (flood gate)", async () => {
      const ns = (await namespaces.create("es-notready")).name;
      await client.create(
        ESO.secretStores,
        {
          apiVersion: "external-secrets.io/v1",
          kind: "SecretStore",
          metadata: { name: STORE, namespace: ns },
          spec: { provider: { fake: { data: FIXTURE, validationResult: 2 } } },
        } as KubeObject,
        { namespace: ns },
      );
      await waitStoreReady(client, ns, STORE, "False");
      await createEs(client, ns, "es", simpleSpec());
      await failsWith(ns, "es", /SecretStore "[^"]*fake" is not ready/);
    });

    it("a template error names the key, never a value", async () => {
      const { ns, name } = await synced(
        "es-tplerr",
        simpleSpec({
          target: { template: { data: { broken: "{{ .a | nosuchfunction }}", ok: "{{ .b }}" } } },
        }),
      );
      const es = await failsWith(ns, name, /broken/);
      assert.equal(readyOf(es)?.reason, "SecretSyncedError");
      assert.equal(await getSecret(client, ns, "target"), undefined);
    });

    it("duplicate secretKeys under Retain are refused with a message (ESO's webhook check)", async () => {
      const spec = simpleSpec({});
      const data = (spec["data"] as unknown[])[0];
      const { ns, name } = await synced("es-dupkey", { ...spec, data: [data, data] });
      const es = await failsWith(ns, name, /duplicate secretKey/);
      assert.equal(readyOf(es)?.reason, "SecretSyncedError");
      assert.equal(await getSecret(client, ns, "target"), undefined);
    });
  });
});
