// A yardstick for the machine (`npm run bench -- --yardstick`): with no
// controller running, a plain client issues the writes Ferry needs per new
// ExternalSecret (create the ExternalSecret, create its Secret with Ferry's
// labels, annotation and owner, patch the status to Ready), N times, in
// S1's number of concurrent chains, with no watches. It is not a lower bound
// (the chains are sequential, a controller pipelines), but runs of S1 on
// different days or machines compare better next to it.
import { setTimeout as sleep } from "node:timers/promises";
import { ESO } from "../../src/controllers/common/resources.ts";
import type { KubeClient } from "../../src/runtime/index.ts";
import { CORE, Semaphore, type KubeObject } from "../../src/runtime/index.ts";
import type { BenchArgs } from "./measure.ts";
import { etcdRevision } from "./probes.ts";

export interface YardstickResult {
  readonly n: number;
  readonly seconds: number;
  readonly etcdWrites: number;
  readonly writesPerSecond: number;
}

function externalSecret(namespace: string, name: string): object {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "SecretStore", name: "bench-fake" },
      target: { name },
      data: [
        { secretKey: "a", remoteRef: { key: "key-0" } },
        { secretKey: "b", remoteRef: { key: "key-1" } },
      ],
    },
  };
}

function managedSecret(namespace: string, es: KubeObject): object {
  const name = es.metadata?.name ?? "";
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name,
      namespace,
      labels: {
        "reconcile.external-secrets.io/managed": "true",
        "reconcile.external-secrets.io/created-by":
          "0123456789abcdef0123456789abcdef0123456789abcdef01234567",
      },
      annotations: {
        "reconcile.external-secrets.io/data-hash": "0123456789abcdef0123456789abcdef",
      },
      ownerReferences: [
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          name,
          uid: es.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data: {
      a: Buffer.from("value-0").toString("base64"),
      b: Buffer.from("value-1").toString("base64"),
    },
  };
}

function readyStatus(secret: KubeObject, name: string): object {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    status: {
      refreshTime: now,
      syncedResourceVersion: `1-${secret.metadata?.resourceVersion ?? ""}`,
      binding: { name },
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "SecretSynced",
          message: "secret synced",
          lastTransitionTime: now,
        },
      ],
    },
  };
}

async function oneExternalSecret(client: KubeClient, namespace: string, i: number): Promise<void> {
  const name = `es-${String(i)}`;
  const es = await client.create(ESO.externalSecrets, externalSecret(namespace, name));
  const secret = await client.create(CORE.secrets, managedSecret(namespace, es));
  await client.patchStatus(ESO.externalSecrets, name, readyStatus(secret, name), { namespace });
}

export async function runYardstick(
  client: KubeClient,
  etcdUrl: string,
  args: BenchArgs,
): Promise<YardstickResult> {
  const namespace = `ferry-bench-yardstick-${Date.now().toString(36)}`;
  await client.create(CORE.namespaces, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace },
  });
  try {
    await sleep(1000);
    const gate = new Semaphore(args.createInFlight);
    const revision = await etcdRevision(etcdUrl);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: args.n }, (_, i) =>
        gate.run(() => oneExternalSecret(client, namespace, i)),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const etcdWrites = (await etcdRevision(etcdUrl)) - revision;
    const result = { n: args.n, seconds, etcdWrites, writesPerSecond: etcdWrites / seconds };
    console.log(
      `\nS0 yardstick: a plain client writes what the controller would (no controller, no watches)`,
    );
    console.log(
      `  ${"time for N × (create ES, create Secret, patch status)".padEnd(56)} ${seconds.toFixed(2)} s`,
    );
    console.log(
      `  ${"etcd writes / per second".padEnd(56)} ${String(etcdWrites)} / ${result.writesPerSecond.toFixed(0)}`,
    );
    return result;
  } finally {
    await client
      .delete(CORE.namespaces, namespace, { propagationPolicy: "Background" })
      .catch(() => undefined);
  }
}
