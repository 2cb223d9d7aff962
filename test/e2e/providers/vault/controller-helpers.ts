// Pieces shared by the Vault suites that run through the ExternalSecret
// controller: `ferry controller` in-process with a registry holding only the
// vault provider, store objects, remote KV writes and the comparison of
// target Secrets.
import { randomBytes } from "node:crypto";
import { CORE, type KubeClient, type KubeObject } from "../../../../src/runtime/index.ts";
import { ProviderRegistry } from "../../../../src/providers/registry.ts";
import {
  newVaultProvider,
  type VaultProviderOptions,
  type VaultSecretsProvider,
} from "../../../../src/providers/vault/index.ts";
import { ESO, startTestController, type TestController } from "../../controllers/framework.ts";
import { decode, readyOf, type Es, type Secret } from "../../controllers/es-helpers.ts";
import { eventually } from "../../framework/env.ts";
import type { Expected } from "./cases.ts";
import type { Bao } from "./helpers.ts";

export interface VaultController {
  readonly ctl: TestController;
  readonly provider: VaultSecretsProvider;
}

/**
 * The controller class of these suites' stores: other suites run their own
 * controllers against the same apiserver at the same time, and without a
 * class of its own a store (and its ExternalSecrets) would be reconciled by
 * them too, with registries that hold no vault provider.
 */
export const CONTROLLER_CLASS = `ferry-vault-e2e-${randomBytes(3).toString("hex")}`;

export async function startVaultController(
  options: { concurrent?: number; provider?: VaultProviderOptions } = {},
): Promise<VaultController> {
  const provider = newVaultProvider(options.provider);
  const registry = new ProviderRegistry([provider]);
  const ctl = await startTestController(
    { concurrent: options.concurrent ?? 4, controllerClass: CONTROLLER_CLASS },
    { registry },
  );
  return { ctl, provider };
}

export type StoreKind = "SecretStore" | "ClusterSecretStore";

/** A store: its kind, name and (SecretStore) namespace. */
export interface StoreId {
  readonly kind: StoreKind;
  readonly name: string;
  readonly namespace?: string | undefined;
}

export function vaultStoreObject(
  id: StoreId,
  vault: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: id.kind,
    metadata: { name: id.name, ...(id.kind === "SecretStore" ? { namespace: id.namespace } : {}) },
    spec: { controller: CONTROLLER_CLASS, provider: { vault }, ...extra },
  } as KubeObject;
}

const nsOption = (id: StoreId): { namespace?: string } =>
  id.kind === "SecretStore" && id.namespace !== undefined ? { namespace: id.namespace } : {};

const storeResource = (
  kind: StoreKind,
): typeof ESO.secretStores | typeof ESO.clusterSecretStores =>
  kind === "SecretStore" ? ESO.secretStores : ESO.clusterSecretStores;

export async function createStore(client: KubeClient, store: KubeObject): Promise<void> {
  const kind = store.kind as StoreKind;
  const namespace = store.metadata?.namespace;
  await client.create(storeResource(kind), store, namespace === undefined ? {} : { namespace });
}

/** The store's Ready condition once it has `status` ("True"/"False"). */
export async function waitStore(
  client: KubeClient,
  id: StoreId,
  status: "True" | "False",
): Promise<{ status: string; reason?: string; message?: string }> {
  let ready: { status: string; reason?: string; message?: string } | undefined;
  await eventually(`${id.kind} ${id.namespace ?? ""}/${id.name} Ready=${status}`, async () => {
    const store = await client.get<Es>(storeResource(id.kind), id.name, nsOption(id));
    ready = readyOf(store);
    return ready?.status === status;
  });
  return ready ?? { status };
}

export async function deleteStore(client: KubeClient, id: StoreId): Promise<void> {
  await client.delete(storeResource(id.kind), id.name, nsOption(id)).catch(() => undefined);
}

export async function createSecretObject(
  client: KubeClient,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await client.create(
    CORE.secrets,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace },
      stringData: data,
    } as KubeObject,
    { namespace },
  );
}

/** Writes a KV secret (v2: `<mount>/data/<key>`, v1: `<mount>/<key>`). */
export async function putKv(
  bao: Bao,
  where: { mount: string; version: "v1" | "v2" },
  key: string,
  data: Record<string, unknown>,
): Promise<void> {
  if (where.version === "v2") await bao.call("POST", `${where.mount}/data/${key}`, { data });
  else await bao.call("POST", `${where.mount}/${key}`, data);
}

const sortedEntries = (record: Readonly<Record<string, string>>): string =>
  JSON.stringify(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Type and data equal; labels, annotations and finalizers include the expected ones. */
export function matches(secret: Secret, want: Expected): boolean {
  const meta = secret.metadata ?? {};
  const includes = (
    have: Record<string, string> | undefined,
    w: Readonly<Record<string, string>> = {},
  ): boolean => Object.entries(w).every(([k, v]) => have?.[k] === v);
  return (
    (secret.type ?? "Opaque") === (want.type ?? "Opaque") &&
    sortedEntries(decode(secret)) === sortedEntries(want.data) &&
    includes(meta.labels, want.labels) &&
    includes(meta.annotations, want.annotations) &&
    (want.finalizers ?? []).every((f) => (meta.finalizers ?? []).includes(f))
  );
}
