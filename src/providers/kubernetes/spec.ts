// The store's `provider.kubernetes` in one shape with ESO's defaults, ESO's
// static validation (providers/v1/kubernetes/validate.go ValidateStore) and
// its "referent" test (isReferentSpec).
import type {
  CAProvider,
  KubernetesProvider,
  SecretKeySelector,
  ServiceAccountSelector,
} from "../../api/index.ts";
import { ReferenceError, referenceNamespace } from "../../esutils/resolvers.ts";
import { isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { StoreValidationError } from "../errors.ts";

/** How the provider authenticates against the remote apiserver. */
export type AuthMethod =
  | { readonly kind: "token"; readonly bearerToken: SecretKeySelector }
  | { readonly kind: "serviceAccount"; readonly serviceAccount: ServiceAccountSelector }
  | {
      readonly kind: "cert";
      readonly clientCert: SecretKeySelector;
      readonly clientKey: SecretKeySelector;
    }
  | { readonly kind: "authRef"; readonly kubeconfig: SecretKeySelector }
  | { readonly kind: "anonymous" };

export interface KubernetesSpec {
  /** server.url as written (default `kubernetes.default`, the CRD default). */
  readonly url: string;
  readonly caBundle: string | undefined;
  readonly caProvider: CAProvider | undefined;
  readonly auth: AuthMethod;
  /** Where Secrets are read and written (default `default`). */
  readonly remoteNamespace: string;
}

export const DEFAULT_SERVER_URL = "kubernetes.default";
export const DEFAULT_REMOTE_NAMESPACE = "default";

function rawSpec(store: GenericStore): KubernetesProvider {
  const spec = store.spec.provider.kubernetes;
  if (spec === undefined) throw new StoreValidationError("missing store provider kubernetes");
  return spec;
}

/** The inline auth methods that are set, in ESO's order of precedence. */
function inlineMethods(spec: KubernetesProvider): AuthMethod[] {
  const auth = spec.auth;
  const methods: AuthMethod[] = [];
  if (auth?.token !== undefined) {
    methods.push({ kind: "token", bearerToken: auth.token.bearerToken ?? {} });
  }
  if (auth?.serviceAccount !== undefined) {
    methods.push({ kind: "serviceAccount", serviceAccount: auth.serviceAccount });
  }
  if (auth?.cert !== undefined) {
    methods.push({
      kind: "cert",
      clientCert: auth.cert.clientCert ?? {},
      clientKey: auth.cert.clientKey ?? {},
    });
  }
  return methods;
}

function authMethod(spec: KubernetesProvider): AuthMethod {
  if (spec.authRef !== undefined) return { kind: "authRef", kubeconfig: spec.authRef };
  // ESO's getAuth takes the first of token, serviceAccount, cert; the CRD's
  // CEL rule and validateStore make sure there is only one.
  return inlineMethods(spec)[0] ?? { kind: "anonymous" };
}

export function kubernetesSpec(store: GenericStore): KubernetesSpec {
  const spec = rawSpec(store);
  return {
    url: spec.server?.url ?? DEFAULT_SERVER_URL,
    caBundle: spec.server?.caBundle,
    caProvider: spec.server?.caProvider,
    auth: authMethod(spec),
    remoteNamespace: spec.remoteNamespace ?? DEFAULT_REMOTE_NAMESPACE,
  };
}

/**
 * ESO's isReferentSpec: a ClusterSecretStore whose credentials are read in
 * the namespace of each ExternalSecret. ESO looks at inline auth only; an
 * authRef without namespace is referent too here (ESO would fail to read it
 * while validating the store, since there is no namespace to read it in).
 */
export function isReferentSpec(store: GenericStore, spec: KubernetesSpec): boolean {
  if (!isClusterStore(store)) return false;
  const auth = spec.auth;
  switch (auth.kind) {
    case "token":
      return auth.bearerToken.namespace === undefined;
    case "serviceAccount":
      return auth.serviceAccount.namespace === undefined;
    case "cert":
      return auth.clientCert.namespace === undefined || auth.clientKey.namespace === undefined;
    case "authRef":
      return auth.kubeconfig.namespace === undefined;
    case "anonymous":
      return false;
  }
}

/** ESO's ValidateSecretSelector: a ClusterSecretStore must name the namespace. */
function checkStrictSelector(store: GenericStore, ref: SecretKeySelector, what: string): void {
  if (isClusterStore(store) && ref.namespace === undefined) {
    throw new StoreValidationError(`${what}: namespace is required with a ClusterSecretStore`);
  }
  checkStoreNamespace(store, ref, what);
}

/** A SecretStore may only refer to its own namespace. */
function checkStoreNamespace(
  store: GenericStore,
  ref: { readonly namespace?: string | undefined },
  what: string,
): void {
  if (isClusterStore(store) || ref.namespace === undefined) return;
  try {
    referenceNamespace(store, ref, "");
  } catch (err) {
    if (err instanceof ReferenceError) throw new StoreValidationError(`${what}: ${err.message}`);
    throw err;
  }
}

function checkNameAndKey(ref: SecretKeySelector, what: string): void {
  if ((ref.name ?? "") === "") throw new StoreValidationError(`${what}.name cannot be empty`);
  if ((ref.key ?? "") === "") throw new StoreValidationError(`${what}.key cannot be empty`);
}

function validateCaProvider(store: GenericStore, spec: KubernetesProvider): void {
  const ca = spec.server?.caProvider;
  if (ca === undefined) return;
  if (isClusterStore(store) && ca.namespace === undefined) {
    throw new StoreValidationError(
      "CAProvider.namespace must not be empty with ClusterSecretStore",
    );
  }
  if (!isClusterStore(store) && ca.namespace !== undefined) {
    throw new StoreValidationError("CAProvider.namespace must be empty with SecretStore");
  }
}

function validateMethod(store: GenericStore, method: AuthMethod | undefined): void {
  if (method?.kind === "cert") {
    checkNameAndKey(method.clientCert, "ClientCert");
    checkStrictSelector(store, method.clientCert, "auth.cert.clientCert");
    checkStoreNamespace(store, method.clientKey, "auth.cert.clientKey");
  } else if (method?.kind === "token") {
    checkNameAndKey(method.bearerToken, "BearerToken");
    checkStrictSelector(store, method.bearerToken, "auth.token.bearerToken");
  } else if (method?.kind === "serviceAccount") {
    // ESO's ValidateReferentServiceAccountSelector: a ClusterSecretStore may omit the namespace.
    checkStoreNamespace(store, method.serviceAccount, "auth.serviceAccount");
  }
}

function validateAuth(store: GenericStore, spec: KubernetesProvider): void {
  const methods = inlineMethods(spec);
  if (methods.length > 1) {
    throw new StoreValidationError("auth must set exactly one of cert, token or serviceAccount");
  }
  if (spec.authRef !== undefined && methods.length > 0) {
    throw new StoreValidationError(
      "auth and authRef exclude each other: use inline auth or a kubeconfig in authRef, not both",
    );
  }
  validateMethod(store, methods[0]);
  if (spec.authRef !== undefined) checkStoreNamespace(store, spec.authRef, "authRef");
}

/** Static checks, no network (the admission webhook and the store controller call it). */
export function validateKubernetesStore(store: GenericStore): { warnings: string[] } {
  const spec = rawSpec(store);
  validateCaProvider(store, spec);
  validateAuth(store, spec);
  if (spec.server?.url === "" && spec.authRef === undefined) {
    throw new StoreValidationError("no server URL provided (server.url)");
  }
  const warnings: string[] = [];
  const hasCa = (spec.server?.caBundle ?? "") !== "" || spec.server?.caProvider !== undefined;
  if (!hasCa && spec.authRef === undefined) {
    warnings.push(
      "no CA configured for the Kubernetes server (server.caBundle or server.caProvider): the system trust store is used",
    );
  }
  return { warnings };
}
