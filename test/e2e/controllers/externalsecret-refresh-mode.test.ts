// --refresh-time-mode against the real apiserver: Ferry's default writes no
// status for a refresh that changed nothing; "always" moves refreshTime at
// every refresh as ESO does.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { uniqueName } from "../framework/env.ts";
import { installCrds, startTestController, testClient, type TestController } from "./framework.ts";
import { createEs, createFakeStore, getEs, Namespaces, sleep, waitReady } from "./es-helpers.ts";

const client = testClient();

describe("ExternalSecret --refresh-time-mode (e2e)", () => {
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
  });
  after(async () => {
    await namespaces.removeAll();
  });

  async function refreshTwice(ctlMode: "on-change" | "always") {
    const ns = (await namespaces.create(`es-rtm-${ctlMode}`)).name;
    let ctl: TestController | undefined;
    try {
      ctl = await startTestController({ namespace: ns, refreshTimeMode: ctlMode });
      await createFakeStore(client, ns, [{ key: "k", value: "v" }], "fake");
      const name = uniqueName("es");
      await createEs(client, ns, name, {
        refreshInterval: "1s",
        secretStoreRef: { name: "fake", kind: "SecretStore" },
        target: { name: "target" },
        data: [{ secretKey: "k", remoteRef: { key: "k" } }],
      });
      const first = await waitReady(client, ns, name, { status: "True", reason: "SecretSynced" });
      // refreshTime has one-second resolution: wait for several refreshes.
      await sleep(3_500);
      const later = await getEs(client, ns, name);
      return { first, later };
    } finally {
      await ctl?.stop();
    }
  }

  it("on-change (default): refreshes that change nothing write nothing", async () => {
    const { first, later } = await refreshTwice("on-change");
    assert.equal(later?.status?.refreshTime, first.status?.refreshTime);
    assert.equal(later?.metadata?.resourceVersion, first.metadata?.resourceVersion);
  });

  it("always: refreshTime moves at every refresh, as ESO", async () => {
    const { first, later } = await refreshTwice("always");
    assert.notEqual(later?.status?.refreshTime, first.status?.refreshTime);
    assert.ok(
      Date.parse(later?.status?.refreshTime ?? "") > Date.parse(first.status?.refreshTime ?? ""),
    );
  });
});
