// deploy/rbac/controller.yaml is enough: a controller that authenticates
// with a token of the ferry-system/ferry ServiceAccount (no admin
// certificate) syncs Secrets, writes Events and status, removes finalizers,
// fans a ClusterExternalSecret out (namespace finalizers), writes a ConfigMap
// generic target, requests ServiceAccount tokens for a kubernetes store, and
// holds its leader-election Lease; nothing in its log is a 403.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadKubeConfig } from "../../../src/cli/controller/index.ts";
import { CORE, type KubeObject } from "../../../src/runtime/index.ts";
import { eventually, uniqueName } from "../framework/env.ts";
import { CONTROLLER_NAMESPACE, controllerKubeconfig } from "../framework/service-account.ts";
import {
  createEs,
  decode,
  getSecret,
  Namespaces,
  waitReady,
  waitSecret,
  waitStoreReady,
} from "./es-helpers.ts";
import {
  ESO,
  eventsFor,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";
import {
  createSecret,
  grant,
  publishRootCa,
  server,
  waitDefaultServiceAccount,
} from "../providers/kubernetes/helpers.ts";

const client = testClient();
// Its own class: controllers of other suites leave these stores alone.
const CLASS = uniqueName("rbac");
const LEASE = uniqueName("ferry-rbac-lease");

function fakeStore(name: string, namespace: string): KubeObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "SecretStore",
    metadata: { name, namespace },
    spec: {
      controller: CLASS,
      provider: { fake: { data: [{ key: "db", value: '{"user":"app","password":"s3cr3t"}' }] } },
    },
  } as KubeObject;
}

const esSpec = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  refreshInterval: "1h",
  secretStoreRef: { kind: "SecretStore", name: "fake" },
  target: { name: "db" },
  dataFrom: [{ extract: { key: "db" } }],
  ...extra,
});

describe("the controller with deploy/rbac/controller.yaml only (e2e)", () => {
  const namespaces = new Namespaces();
  const clusterObjects: { res: typeof ESO.clusterExternalSecrets; name: string }[] = [];
  let ctl: TestController;

  before(async () => {
    await installCrds();
    const kubeconfig = await controllerKubeconfig();
    ctl = await startTestController(
      {
        controllerClass: CLASS,
        enableLeaderElection: true,
        leaderElectionId: LEASE,
        leaderElectionNamespace: CONTROLLER_NAMESPACE,
        unsafeAllowGenericTargets: true,
      },
      { kubeConfig: await loadKubeConfig(kubeconfig) },
    );
  });
  after(async () => {
    await Promise.allSettled(clusterObjects.map((o) => client.delete(o.res, o.name)));
    await namespaces.removeAll();
    await ctl.stop();
  });

  it("holds its Lease in ferry-system", async () => {
    await eventually("the Lease", async () => {
      const lease = await getObject<KubeObject & { spec?: { holderIdentity?: string } }>(
        client,
        { group: "coordination.k8s.io", version: "v1", resource: "leases", namespaced: true },
        LEASE,
        CONTROLLER_NAMESPACE,
      );
      return (lease?.spec?.holderIdentity ?? "") !== "";
    });
  });

  it("syncs a Secret, sets status, writes an Event and honours deletionPolicy Delete", async () => {
    const ns = (await namespaces.create("rbac")).name;
    await client.create(ESO.secretStores, fakeStore("fake", ns), { namespace: ns });
    await waitStoreReady(client, ns, "fake");
    await createEs(client, ns, "app", esSpec({ target: { name: "db", deletionPolicy: "Delete" } }));
    const secret = await waitSecret(client, ns, "db");
    assert.deepEqual(decode(secret), { user: "app", password: "s3cr3t" });
    await waitReady(client, ns, "app", { status: "True", reason: "SecretSynced" });
    await eventually("a Normal event about the ExternalSecret", async () => {
      const events = await eventsFor(client, ns, "ExternalSecret", "app");
      return events.some((e) => e.type === "Normal");
    });
    // deletionPolicy Delete puts a finalizer on the ExternalSecret; removing
    // it needs update on externalsecrets.
    await client.delete(ESO.externalSecrets, "app", { namespace: ns });
    await eventually("the ExternalSecret to be gone", async () => {
      return (await getObject(client, ESO.externalSecrets, "app", ns)) === undefined;
    });
    assert.equal(await getSecret(client, ns, "db"), undefined, "the Secret was deleted with it");
  });

  it("writes a ConfigMap generic target", async () => {
    const ns = (await namespaces.create("rbac-cm")).name;
    await client.create(ESO.secretStores, fakeStore("fake", ns), { namespace: ns });
    await waitStoreReady(client, ns, "fake");
    await createEs(
      client,
      ns,
      "cm",
      esSpec({ target: { name: "settings", manifest: { apiVersion: "v1", kind: "ConfigMap" } } }),
    );
    await waitReady(client, ns, "cm", { status: "True" });
    const cm = await getObject<KubeObject & { data?: Record<string, string> }>(
      client,
      CORE.configMaps,
      "settings",
      ns,
    );
    assert.equal(cm?.data?.["user"], "app");
  });

  it("fans a ClusterExternalSecret out into a selected namespace", async () => {
    const label = uniqueName("rbac-team");
    const ns = (await namespaces.create("rbac-ces")).name;
    await client.mergePatch(CORE.namespaces, ns, { metadata: { labels: { team: label } } });
    await client.create(ESO.secretStores, fakeStore("fake", ns), { namespace: ns });
    await waitStoreReady(client, ns, "fake");
    const name = uniqueName("ces");
    await client.create(ESO.clusterExternalSecrets, {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterExternalSecret",
      metadata: { name },
      spec: {
        refreshTime: "1h",
        namespaceSelectors: [{ matchLabels: { team: label } }],
        externalSecretName: "fanned",
        externalSecretSpec: esSpec(),
      },
    } as KubeObject);
    clusterObjects.push({ res: ESO.clusterExternalSecrets, name });
    await waitReady(client, ns, "fanned", { status: "True" });
    const namespace = await client.get(CORE.namespaces, ns);
    assert.ok(
      (namespace.metadata?.finalizers ?? []).some((f) => f.includes(name)),
      "the namespace carries the ClusterExternalSecret's finalizer",
    );
  });

  it("requests a ServiceAccount token for a kubernetes store", async () => {
    const ns = (await namespaces.create("rbac-k8s")).name;
    await waitDefaultServiceAccount(ns);
    await grant(ns, ns, "default");
    await publishRootCa(ns);
    await createSecret(ns, "remote", { token: "from-the-cluster" });
    await client.create(
      ESO.secretStores,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "k8s", namespace: ns },
        spec: {
          controller: CLASS,
          provider: {
            kubernetes: {
              server: {
                url: server(),
                caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" },
              },
              auth: { serviceAccount: { name: "default" } },
              remoteNamespace: ns,
            },
          },
        },
      } as KubeObject,
      { namespace: ns },
    );
    await waitStoreReady(client, ns, "k8s");
    await createEs(client, ns, "remote", {
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: "k8s" },
      target: { name: "copied" },
      data: [{ secretKey: "token", remoteRef: { key: "remote", property: "token" } }],
    });
    const copied = await waitSecret(client, ns, "copied");
    assert.deepEqual(decode(copied), { token: "from-the-cluster" });
  });

  it("was never refused by the apiserver", () => {
    const refused = ctl.logs.filter((line) => /\b403\b|forbidden/i.test(line));
    assert.deepEqual(refused, []);
  });
});
