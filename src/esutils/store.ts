// A SecretStore or ClusterSecretStore, as providers and controllers see it.
import type { SecretStoreSpec } from "../api/index.ts";

export type StoreKind = "SecretStore" | "ClusterSecretStore";

export interface GenericStore {
  readonly kind: StoreKind;
  readonly metadata: {
    readonly name: string;
    /** Empty for a ClusterSecretStore. */
    readonly namespace?: string | undefined;
    readonly uid?: string | undefined;
    readonly resourceVersion?: string | undefined;
    readonly generation?: number | undefined;
  };
  readonly spec: SecretStoreSpec;
}

export function isClusterStore(store: GenericStore): boolean {
  return store.kind === "ClusterSecretStore";
}

/** "SecretStore/ns/name" or "ClusterSecretStore/name": unique per store. */
export function storeKey(store: GenericStore): string {
  return isClusterStore(store)
    ? `${store.kind}/${store.metadata.name}`
    : `${store.kind}/${store.metadata.namespace ?? ""}/${store.metadata.name}`;
}

/** Where the store's own references are resolved (see resolvers.ts). */
export function storeDisplayName(store: GenericStore): string {
  return isClusterStore(store)
    ? `ClusterSecretStore "${store.metadata.name}"`
    : `SecretStore "${store.metadata.namespace ?? ""}/${store.metadata.name}"`;
}
