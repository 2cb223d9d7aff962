// The one place where a store's references to Secrets, ServiceAccounts,
// ConfigMaps and CA bundles are turned into a namespace. ESO's rules
// (runtime/esutils/resolvers and utils.go):
// - SecretStore: references resolve in the store's namespace; a `namespace`
//   field must be empty or equal to it (anything else is refused: the class
//   of advisories where a namespaced reference escaped its namespace).
// - ClusterSecretStore: `namespace` is used when set; when it is omitted the
//   namespace of the ExternalSecret/PushSecret is used ("referent" auth).
import type { KubeAccess, SecretObject } from "./kube-access.ts";
import { isClusterStore, storeDisplayName, type GenericStore } from "./store.ts";

export class ReferenceError extends Error {
  readonly code: "ReferenceNotAllowed" | "ReferenceNotFound" | "ReferenceInvalid";

  constructor(code: ReferenceError["code"], message: string) {
    super(message);
    this.name = "ReferenceError";
    this.code = code;
  }
}

export interface NamespacedRef {
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

/**
 * The namespace a store reference resolves in. `sourceNamespace` is the
 * namespace of the ExternalSecret or PushSecret ("" while validating a
 * ClusterSecretStore, when referent references cannot resolve yet).
 */
export function referenceNamespace(
  store: GenericStore,
  ref: NamespacedRef,
  sourceNamespace: string,
): string {
  if (!isClusterStore(store)) {
    const own = store.metadata.namespace ?? "";
    if (ref.namespace !== undefined && ref.namespace !== own) {
      throw new ReferenceError(
        "ReferenceNotAllowed",
        `${storeDisplayName(store)} refers to namespace "${ref.namespace}": namespace should either be empty or match the namespace of the SecretStore for a namespaced SecretStore`,
      );
    }
    return own;
  }
  const namespace = ref.namespace ?? sourceNamespace;
  if (namespace === "") {
    throw new ReferenceError(
      "ReferenceInvalid",
      `${storeDisplayName(store)}: a reference without namespace needs the namespace of an ExternalSecret (referent authentication)`,
    );
  }
  return namespace;
}

/** True when a ClusterSecretStore reference can only resolve per ExternalSecret. */
export function isReferent(store: GenericStore, ref: NamespacedRef): boolean {
  return isClusterStore(store) && ref.namespace === undefined;
}

export interface SecretKeyRef extends NamespacedRef {
  readonly key?: string | undefined;
}

/** Reads the Secret a store reference names, with the namespace rules above. */
export async function resolveSecret(
  kube: KubeAccess,
  store: GenericStore,
  ref: NamespacedRef,
  sourceNamespace: string,
): Promise<SecretObject> {
  const namespace = referenceNamespace(store, ref, sourceNamespace);
  const name = ref.name ?? "";
  if (name === "")
    throw new ReferenceError(
      "ReferenceInvalid",
      `${storeDisplayName(store)}: a secret reference has no name`,
    );
  const secret = await kube.getSecret(namespace, name);
  if (secret === undefined) {
    throw new ReferenceError(
      "ReferenceNotFound",
      `Secret "${namespace}/${name}" referenced by ${storeDisplayName(store)} does not exist`,
    );
  }
  return secret;
}

/** The value of one key of a referenced Secret (e.g. an access key or token). */
export async function resolveSecretKey(
  kube: KubeAccess,
  store: GenericStore,
  ref: SecretKeyRef,
  sourceNamespace: string,
): Promise<Uint8Array> {
  const secret = await resolveSecret(kube, store, ref, sourceNamespace);
  const key = ref.key ?? "";
  const value = secret.data.get(key);
  if (value === undefined) {
    throw new ReferenceError(
      "ReferenceNotFound",
      `Secret "${secret.namespace}/${secret.name}" referenced by ${storeDisplayName(store)} has no key "${key}"`,
    );
  }
  return value;
}
