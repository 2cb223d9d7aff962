// Shared helpers of the ExternalSecret controller e2e suites: fake stores,
// ExternalSecrets, waiting for target Secrets and conditions.
import { CORE, type KubeClient, type KubeObject } from "../../../src/runtime/index.ts";
import { createNamespace, eventually, kube } from "../framework/env.ts";
import { ESO, getObject } from "./framework.ts";

export interface Secret extends KubeObject {
  data?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Es extends KubeObject {
  spec?: Record<string, unknown>;
  status?: {
    conditions?: Condition[];
    refreshTime?: string;
    syncedResourceVersion?: string;
    binding?: { name?: string };
  };
}

export interface FakeEntry {
  key: string;
  value: string;
  version?: string;
}

export interface TestNamespace {
  readonly name: string;
  remove(): Promise<void>;
}

/** Namespaces created by a suite, removed together in its `after`. */
export class Namespaces {
  readonly #created: TestNamespace[] = [];

  async create(prefix: string): Promise<TestNamespace> {
    const ns = await createNamespace(kube().core, prefix);
    this.#created.push(ns);
    return ns;
  }

  async removeAll(): Promise<void> {
    await Promise.allSettled(this.#created.map((ns) => ns.remove()));
  }
}

export const decode = (s: Secret | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );

export const encode = (data: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));

export function fakeStoreObject(
  name: string,
  namespace: string,
  data: FakeEntry[],
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "SecretStore",
    metadata: { name, namespace },
    spec: { provider: { fake: { data, ...extra } } },
  } as KubeObject;
}

/** A SecretStore with provider.fake.data, waited for until Ready. */
export async function createFakeStore(
  client: KubeClient,
  namespace: string,
  data: FakeEntry[],
  name = namespace,
): Promise<void> {
  await client.create(ESO.secretStores, fakeStoreObject(name, namespace, data), { namespace });
  await waitStoreReady(client, namespace, name);
}

export async function waitStoreReady(
  client: KubeClient,
  namespace: string,
  name: string,
  status = "True",
): Promise<void> {
  await eventually(`store ${namespace}/${name} Ready=${status}`, async () => {
    const store = await getObject<Es>(client, ESO.secretStores, name, namespace);
    return store?.status?.conditions?.find((c) => c.type === "Ready")?.status === status;
  });
}

/** Replaces the store's provider.fake (data and validationResult). */
export async function setFakeStore(
  client: KubeClient,
  namespace: string,
  name: string,
  fake: { data: FakeEntry[]; validationResult?: number },
): Promise<void> {
  await client.mergePatch(
    ESO.secretStores,
    name,
    { spec: { provider: { fake: { validationResult: null, ...fake } } } },
    { namespace },
  );
}

export function esObject(name: string, namespace: string, spec: Record<string, unknown>): Es {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace },
    spec,
  };
}

export async function createEs(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<Es> {
  return client.create(ESO.externalSecrets, esObject(name, namespace, spec), { namespace });
}

export const getEs = (
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Es | undefined> => getObject<Es>(client, ESO.externalSecrets, name, namespace);

export const getSecret = (
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Secret | undefined> => getObject<Secret>(client, CORE.secrets, name, namespace);

export function readyOf(es: Es | undefined): Condition | undefined {
  return es?.status?.conditions?.find((c) => c.type === "Ready");
}

/** Waits for the Ready condition to have `status` (and `reason`); returns the ExternalSecret. */
export async function waitReady(
  client: KubeClient,
  namespace: string,
  name: string,
  want: { status: string; reason?: string },
): Promise<Es> {
  let last: Es | undefined;
  await eventually(
    `ExternalSecret ${namespace}/${name} Ready=${want.status} ${want.reason ?? ""}`,
    async () => {
      last = await getEs(client, namespace, name);
      const ready = readyOf(last);
      return (
        ready?.status === want.status && (want.reason === undefined || ready.reason === want.reason)
      );
    },
  );
  return last!;
}

/** Waits until the Secret exists and `check` holds; returns it. */
export async function waitSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  check: (s: Secret) => boolean = () => true,
): Promise<Secret> {
  let last: Secret | undefined;
  await eventually(`Secret ${namespace}/${name}`, async () => {
    last = await getSecret(client, namespace, name);
    return last !== undefined && check(last);
  });
  return last!;
}

export async function waitSecretGone(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(
    `Secret ${namespace}/${name} to be deleted`,
    async () => (await getSecret(client, namespace, name)) === undefined,
    timeoutMs,
  );
}

export const sameData = (s: Secret, want: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(decode(s)).sort()) === JSON.stringify(Object.entries(want).sort());

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
