// The CA that verifies the webhook server: `caBundle` (base64 PEM in the
// store) or `caProvider` (a Secret or ConfigMap key), as ESO's
// FetchCACertFromSource reads them. A ClusterSecretStore must name the
// namespace of its caProvider; a SecretStore reads its own namespace only
// (a foreign `namespace` is refused, the class of GHSA-wv26-88m5-6h59).
import { createHash, X509Certificate } from "node:crypto";
import type { CAProvider } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { referenceNamespace } from "../../esutils/resolvers.ts";
import { isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { ProviderError, StoreValidationError } from "../errors.ts";

export interface CaMaterial {
  readonly pem: string;
  /** sha256 of the PEM: one connection pool per distinct CA. */
  readonly digest: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** True when at least one certificate of the bundle parses (Go's AppendCertsFromPEM). */
function hasCertificate(pem: string): boolean {
  for (const block of pem.match(PEM_BLOCK) ?? []) {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      // try the next block, as Go does
    }
  }
  return false;
}

function missing(kind: string, where: string, exists: boolean, key: string): ProviderError {
  return new ProviderError(
    "InvalidStore",
    `caProvider: ${kind} "${where}" ${exists ? `has no key "${key}"` : "does not exist"}`,
  );
}

async function fromProvider(
  store: GenericStore,
  kube: KubeAccess,
  ca: CAProvider,
  namespace: string,
): Promise<string> {
  if (isClusterStore(store) && ca.namespace === undefined) {
    throw new StoreValidationError("missing namespace on caProvider secret");
  }
  const ns = referenceNamespace(store, { name: ca.name, namespace: ca.namespace }, namespace);
  const key = ca.key ?? "";
  const where = `${ns}/${ca.name}`;
  if (ca.type === "Secret") {
    const secret = await kube.getSecret(ns, ca.name);
    const value = secret?.data.get(key);
    if (value === undefined) throw missing("Secret", where, secret !== undefined, key);
    return Buffer.from(value).toString("utf8");
  }
  const cm = await kube.getConfigMap(ns, ca.name);
  const value = cm?.data.get(key);
  if (value === undefined) throw missing("ConfigMap", where, cm !== undefined, key);
  return value;
}

/** The store's CA, or undefined when the system roots apply. */
export async function resolveCa(
  spec: { readonly caBundle?: string | undefined; readonly caProvider?: CAProvider | undefined },
  refs: { readonly store: GenericStore; readonly kube: KubeAccess; readonly namespace: string },
): Promise<CaMaterial | undefined> {
  let pem: string;
  if ((spec.caBundle ?? "") !== "") {
    pem = Buffer.from(spec.caBundle ?? "", "base64").toString("utf8");
  } else if (spec.caProvider !== undefined) {
    pem = await fromProvider(refs.store, refs.kube, spec.caProvider, refs.namespace);
  } else {
    return undefined;
  }
  if (!hasCertificate(pem)) {
    throw new ProviderError(
      "InvalidStore",
      "failed to append cabundle: the CA (caBundle or caProvider) holds no PEM certificate",
    );
  }
  return { pem, digest: createHash("sha256").update(pem).digest("hex") };
}
