// The store's Vault or OpenBao spec in one shape, ESO's static validation
// (providers/v1/vault/validate.go) and its "referent" test (isReferentSpec).
import type { VaultAuth, VaultProvider } from "../../api/index.ts";
import { isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { StoreValidationError } from "../errors.ts";
import type { Flavor } from "./kv.ts";

export interface VaultSpec {
  readonly flavor: Flavor;
  readonly server: string;
  readonly mount: string | undefined;
  readonly version: "v1" | "v2";
  readonly namespace: string | undefined;
  readonly auth: VaultAuth | undefined;
  readonly caBundle: string | undefined;
  readonly caProvider: VaultProvider["caProvider"];
  readonly tls: VaultProvider["tls"];
  readonly readYourWrites: boolean;
  readonly forwardInconsistent: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly checkAndSet: boolean;
}

function openBaoSpec(store: GenericStore): VaultSpec {
  {
    const flavor = "openBao";
    const bao = store.spec.provider.openBao;
    if (bao === undefined) throw new StoreValidationError("missing store provider openBao");
    return {
      flavor,
      server: bao.server,
      mount: bao.path,
      version: bao.version ?? "v2",
      namespace: bao.namespace,
      auth: bao.auth,
      caBundle: bao.caBundle,
      caProvider: bao.caProvider,
      tls: undefined,
      readYourWrites: false,
      forwardInconsistent: false,
      headers: {},
      checkAndSet: false,
    };
  }
}

export function vaultSpec(store: GenericStore, flavor: Flavor): VaultSpec {
  if (flavor === "openBao") return openBaoSpec(store);
  const v = store.spec.provider.vault;
  if (v === undefined) throw new StoreValidationError("missing store provider vault");
  return {
    flavor,
    server: v.server,
    mount: v.path,
    version: v.version ?? "v2",
    namespace: v.namespace,
    auth: v.auth,
    caBundle: v.caBundle,
    caProvider: v.caProvider,
    tls: v.tls,
    readYourWrites: v.readYourWrites ?? false,
    forwardInconsistent: v.forwardInconsistent ?? false,
    headers: v.headers ?? {},
    checkAndSet: v.checkAndSet?.required ?? false,
  };
}

/** ESO's order of precedence when several methods are set. */
export const AUTH_ORDER = [
  "tokenSecretRef",
  "appRole",
  "kubernetes",
  "ldap",
  "userPass",
  "jwt",
  "cert",
  "iam",
  "gcp",
] as const;
export type AuthMethodName = (typeof AUTH_ORDER)[number];

export function authMethods(auth: VaultAuth | undefined): AuthMethodName[] {
  if (auth === undefined) return [];
  return AUTH_ORDER.filter((m) => auth[m] !== undefined);
}

const noNs = (ref: { readonly namespace?: string | undefined } | undefined): boolean =>
  ref !== undefined && ref.namespace === undefined;

/** ESO's isReferentSpec: some credential reference has no namespace. */
export function isReferentSpec(spec: VaultSpec): boolean {
  const a = spec.auth;
  if (a === undefined) return false;
  return [...loginRefs(a), ...iamRefs(a)].some(noNs);
}

type NsRef = { readonly namespace?: string | undefined } | undefined;

function loginRefs(a: VaultAuth): NsRef[] {
  const k8s = a.kubernetes;
  const jwt = a.jwt;
  return [
    a.tokenSecretRef,
    a.appRole?.secretRef,
    k8s?.secretRef,
    k8s?.serviceAccountRef,
    a.ldap?.secretRef,
    a.userPass?.secretRef,
    jwt?.secretRef,
    jwt?.kubernetesServiceAccountToken?.serviceAccountRef,
    a.cert?.secretRef,
  ];
}

function iamRefs(a: VaultAuth): NsRef[] {
  const iam = a.iam;
  if (iam === undefined) return [];
  const s = iam.secretRef;
  return [
    iam.jwt?.serviceAccountRef,
    s?.accessKeyIDSecretRef,
    s?.secretAccessKeySecretRef,
    s?.sessionTokenSecretRef,
  ];
}

/** ESO's ValidateReferentSecretSelector: a SecretStore may not look elsewhere. */
function checkRef(
  store: GenericStore,
  ref: { readonly namespace?: string | undefined } | undefined,
  label: string,
): void {
  if (ref === undefined || isClusterStore(store)) return;
  if (ref.namespace !== undefined && ref.namespace !== store.metadata.namespace) {
    throw new StoreValidationError(
      `invalid ${label}: namespace should either be empty or match the namespace of the SecretStore for a namespaced SecretStore`,
    );
  }
}

function checkAppRole(store: GenericStore, auth: VaultAuth): void {
  const appRole = auth.appRole;
  if (appRole === undefined) return;
  checkRef(store, appRole.secretRef, "Auth.AppRole.SecretRef");
  if ((appRole.roleId ?? "") !== "") return;
  if (appRole.roleRef === undefined) {
    throw new StoreValidationError(
      "invalid Auth.AppRole: neither `roleId` nor `roleRef` was supplied",
    );
  }
  checkRef(store, appRole.roleRef, "Auth.AppRole.RoleRef");
}

function checkJwt(store: GenericStore, auth: VaultAuth): void {
  const jwt = auth.jwt;
  if (jwt === undefined) return;
  if (jwt.secretRef !== undefined) checkRef(store, jwt.secretRef, "Auth.Jwt.SecretRef");
  else if (jwt.kubernetesServiceAccountToken !== undefined) {
    checkRef(
      store,
      jwt.kubernetesServiceAccountToken.serviceAccountRef,
      "Auth.Jwt.KubernetesServiceAccountToken.ServiceAccountRef",
    );
  } else {
    throw new StoreValidationError(
      "neither `secretRef` nor `kubernetesServiceAccountToken` was supplied as token source for jwt authentication",
    );
  }
}

function checkSimpleRefs(store: GenericStore, auth: VaultAuth): void {
  const k8s = auth.kubernetes;
  const refs: [NsRef, string][] = [
    [auth.cert?.clientCert, "Auth.Cert.ClientCert"],
    [auth.cert?.secretRef, "Auth.Cert.SecretRef"],
    [k8s?.serviceAccountRef, "Auth.Kubernetes.ServiceAccountRef"],
    [k8s?.secretRef, "Auth.Kubernetes.SecretRef"],
    [auth.ldap?.secretRef, "Auth.Ldap.SecretRef"],
    [auth.userPass?.secretRef, "Auth.UserPass.SecretRef"],
    [auth.tokenSecretRef, "Auth.TokenSecretRef"],
  ];
  const iam = iamRefs(auth);
  const iamLabels = [
    "JWT.ServiceAccountRef",
    "SecretRef.AccessKeyID",
    "SecretRef.SecretAccessKey",
    "SecretRef.SessionToken",
  ];
  iam.forEach((ref, i) => refs.push([ref, `Auth.Iam.${iamLabels[i] ?? ""}`]));
  for (const [ref, label] of refs) checkRef(store, ref, label);
}

function checkTls(store: GenericStore, spec: VaultSpec): void {
  const cert = spec.tls?.certSecretRef;
  const key = spec.tls?.keySecretRef;
  if ((cert === undefined) !== (key === undefined)) {
    throw new StoreValidationError(
      "when provided, both ClientTLS.ClientCert and ClientTLS.SecretRef should be provided",
    );
  }
  checkRef(store, cert, "ClientTLS.ClientCert");
  checkRef(store, key, "ClientTLS.SecretRef");
  const ca = spec.caProvider;
  if (ca === undefined) return;
  if (isClusterStore(store) && ca.namespace === undefined) {
    throw new StoreValidationError("missing namespace on caProvider secret");
  }
  checkRef(store, ca, "CAProvider");
}

/** Static checks, as ESO's ValidateStore, plus a warning for extra auth methods. */
export function validateVaultStore(store: GenericStore, flavor: Flavor): { warnings: string[] } {
  const spec = vaultSpec(store, flavor);
  const warnings: string[] = [];
  if (spec.server === "") throw new StoreValidationError("server must be set");
  const auth = spec.auth;
  if (auth !== undefined) {
    checkAppRole(store, auth);
    checkJwt(store, auth);
    checkSimpleRefs(store, auth);
    const methods = authMethods(auth);
    if (methods.length > 1) {
      warnings.push(
        `several auth methods are set (${methods.join(", ")}); only ${methods[0] ?? ""} is used, as in ESO`,
      );
    }
  }
  checkTls(store, spec);
  if (spec.checkAndSet && spec.version === "v1") {
    throw new StoreValidationError("checkAndSet is not supported with Vault KV version v1");
  }
  return { warnings };
}
