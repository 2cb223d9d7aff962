// The typed client against the real apiserver: server-side apply, status
// merge-patch, typed errors and the namespace requirement.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CORE,
  KubeUsageError,
  isConflict,
  isNotFound,
  namespaced,
  type KubeObject,
} from "../../../src/runtime/client/index.ts";
import { createNamespace, kube } from "../framework/env.ts";
import { realClient } from "./helpers.ts";

const k = kube();

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

describe("runtime client (e2e)", () => {
  let ns: { name: string; remove: () => Promise<void> };
  const client = realClient();

  before(async () => {
    ns = await createNamespace(k.core, "rt-client");
  });
  after(async () => {
    await ns.remove();
  });

  it("server-side applies a ConfigMap: create, update, field ownership", async () => {
    const desired = (value: string): ConfigMap => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "applied", namespace: ns.name, labels: { owner: "ferry" } },
      data: { key: value },
    });
    const created = await client.apply(CORE.configMaps, desired("one"), {
      fieldManager: "ferry-e2e",
    });
    assert.equal(created.data?.["key"], "one");
    const updated = await client.apply(CORE.configMaps, desired("two"), {
      fieldManager: "ferry-e2e",
    });
    assert.equal(updated.data?.["key"], "two");
    assert.ok(
      updated.metadata?.managedFields?.some(
        (f) => f.manager === "ferry-e2e" && f.operation === "Apply",
      ),
    );

    // Another manager's conflicting apply fails without force, wins with it.
    const rival = { ...desired("rival") };
    await assert.rejects(
      client.apply(CORE.configMaps, rival, { fieldManager: "rival", force: false }),
      (err: unknown) => isConflict(err),
    );
    const forced = await client.apply(CORE.configMaps, rival, {
      fieldManager: "rival",
      force: true,
    });
    assert.equal(forced.data?.["key"], "rival");
  });

  it("merge-patches /status and the main resource", async () => {
    // ConfigMaps have no status subresource; Namespaces do — patch a namespace's status conditions.
    const patched = await client.patchStatus<
      KubeObject & { status?: { conditions?: { type: string }[] } }
    >(CORE.namespaces, ns.name, {
      status: { conditions: [{ type: "FerryE2E", status: "True", reason: "Test", message: "ok" }] },
    });
    assert.ok(patched.status?.conditions?.some((c) => c.type === "FerryE2E"));
    await client.create(CORE.configMaps, { metadata: { name: "patched", namespace: ns.name } });
    const cm = await client.mergePatch<ConfigMap>(
      CORE.configMaps,
      "patched",
      { data: { a: "b" } },
      { namespace: ns.name },
    );
    assert.deepEqual(cm.data, { a: "b" });
  });

  it("reports typed errors and refuses namespaced reads without a namespace", async () => {
    await assert.rejects(
      client.get(CORE.configMaps, "missing", { namespace: ns.name }),
      (err: unknown) => isNotFound(err),
    );
    await assert.rejects(client.get(CORE.configMaps, "x"), KubeUsageError);
    await assert.rejects(client.list(CORE.secrets), KubeUsageError);
    const all = await client.list(CORE.configMaps, { allNamespaces: true, limit: 1 });
    assert.ok(all.items.length <= 1);
  });

  it("reads through a namespace-scoped reader only in its namespace", async () => {
    const reader = namespaced(client, ns.name);
    const list = await reader.list(CORE.configMaps);
    assert.ok(list.items.every((i) => i.metadata?.namespace === ns.name));
    const cm = await reader.get<ConfigMap>(CORE.configMaps, "patched");
    assert.equal(cm.metadata?.namespace, ns.name);
    assert.throws(() => namespaced(client, ""), KubeUsageError);
  });

  it("lists with pagination", async () => {
    for (let i = 0; i < 5; i++)
      await client.create(CORE.configMaps, { metadata: { name: `page-${i}`, namespace: ns.name } });
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.list(CORE.configMaps, {
        namespace: ns.name,
        limit: 2,
        continue: token,
      });
      names.push(...page.items.map((i) => i.metadata?.name ?? ""));
      token = page.metadata.continue;
    } while (token !== undefined && token !== "");
    for (let i = 0; i < 5; i++) assert.ok(names.includes(`page-${i}`));
  });
});
