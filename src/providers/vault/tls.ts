// TLS material of a store: the CA (caBundle or caProvider) and a client
// certificate (clientTLS `tls`, or the cert auth method's, which wins as in
// ESO where cert auth installs its certificate on the shared transport).
import { createHash } from "node:crypto";
import type { SecretKeySelector, VaultProvider } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { referenceNamespace } from "../../esutils/resolvers.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { ProviderError, StoreValidationError } from "../errors.ts";
import { secretKeyValue, type RefContext } from "./auth/common.ts";

export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Secret identities, for the token-cache key (never the PEM itself). */
  readonly fingerprint: string;
  /** sha256 of the PEMs, to share one Agent between identical configurations. */
  readonly digest: string;
}

type CAProvider = NonNullable<VaultProvider["caProvider"]>;

async function caFromSecret(
  kube: KubeAccess,
  ns: string,
  name: string,
  key: string,
): Promise<{ pem: string; fingerprint: string }> {
  const secret = await kube.getSecret(ns, name);
  const value = secret?.data.get(key);
  if (secret === undefined || value === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `caProvider: Secret "${ns}/${name}" has no key "${key}"`,
    );
  }
  return {
    pem: Buffer.from(value).toString("utf8"),
    fingerprint: `ca:${ns}/${name}@${secret.resourceVersion ?? "?"}`,
  };
}

async function caFromProvider(
  store: GenericStore,
  kube: KubeAccess,
  ca: CAProvider,
  namespace: string,
): Promise<{ pem: string; fingerprint: string }> {
  if (store.kind === "ClusterSecretStore" && ca.namespace === undefined) {
    throw new StoreValidationError("missing namespace on caProvider secret");
  }
  const ns = referenceNamespace(store, { name: ca.name, namespace: ca.namespace }, namespace);
  const key = ca.key ?? "";
  if (ca.type === "Secret") return caFromSecret(kube, ns, ca.name, key);
  const cm = await kube.getConfigMap(ns, ca.name);
  const value = cm?.data.get(key);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `caProvider: ConfigMap "${ns}/${ca.name}" has no key "${key}"`,
    );
  }
  return { pem: value, fingerprint: `ca:cm:${ns}/${ca.name}:${digestOf([value])}` };
}

function digestOf(parts: readonly (string | undefined)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p ?? ""}\0`);
  return h.digest("hex").slice(0, 32);
}

export interface TlsSpec {
  readonly caBundle?: string | undefined;
  readonly caProvider?: CAProvider | undefined;
  readonly tls?:
    | {
        readonly certSecretRef?: SecretKeySelector | undefined;
        readonly keySecretRef?: SecretKeySelector | undefined;
      }
    | undefined;
  readonly certAuth?:
    | {
        readonly clientCert?: SecretKeySelector | undefined;
        readonly secretRef?: SecretKeySelector | undefined;
      }
    | undefined;
}

async function clientPair(
  input: RefContext,
  spec: TlsSpec,
): Promise<{ cert: string; key: string; fingerprint: string } | undefined> {
  const certAuth = spec.certAuth;
  if (certAuth !== undefined) {
    if (certAuth.clientCert === undefined || certAuth.secretRef === undefined) {
      throw new StoreValidationError("cert auth needs clientCert and secretRef (the private key)");
    }
    const cert = await secretKeyValue(input, certAuth.clientCert);
    const key = await secretKeyValue(input, certAuth.secretRef);
    return {
      cert: cert.value,
      key: key.value,
      fingerprint: `${cert.fingerprint},${key.fingerprint}`,
    };
  }
  const certRef = spec.tls?.certSecretRef;
  const keyRef = spec.tls?.keySecretRef;
  if (certRef === undefined || keyRef === undefined) return undefined;
  const cert = await secretKeyValue(input, certRef, "tls.crt");
  const key = await secretKeyValue(input, keyRef, "tls.key");
  return {
    cert: cert.value,
    key: key.value,
    fingerprint: `${cert.fingerprint},${key.fingerprint}`,
  };
}

/** Resolves the store's TLS material; undefined when the defaults apply. */
async function resolveCa(
  input: RefContext,
  spec: TlsSpec,
): Promise<{ pem: string; fingerprint: string } | undefined> {
  let ca: { pem: string; fingerprint: string } | undefined;
  if ((spec.caBundle ?? "") !== "") {
    const pem = Buffer.from(spec.caBundle ?? "", "base64").toString("utf8");
    ca = { pem, fingerprint: `cabundle:${digestOf([pem])}` };
  } else if (spec.caProvider !== undefined) {
    ca = await caFromProvider(input.store, input.kube, spec.caProvider, input.namespace);
  }
  if (ca !== undefined && !ca.pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ProviderError(
      "InvalidStore",
      "cannot set Vault CA certificate: failed to parse certificates",
    );
  }
  return ca;
}

export async function resolveTls(
  input: RefContext,
  spec: TlsSpec,
): Promise<TlsMaterial | undefined> {
  const ca = await resolveCa(input, spec);
  const pair = await clientPair(input, spec);
  if (ca === undefined && pair === undefined) return undefined;
  const caPart =
    ca === undefined ? { fingerprint: "" } : { ca: ca.pem, fingerprint: ca.fingerprint };
  const pairPart =
    pair === undefined
      ? { fingerprint: "" }
      : { cert: pair.cert, key: pair.key, fingerprint: pair.fingerprint };
  return {
    ...caPart,
    ...pairPart,
    fingerprint: `${caPart.fingerprint}|${pairPart.fingerprint}`,
    digest: digestOf([caPart.ca, pairPart.cert, pairPart.key]),
  };
}
