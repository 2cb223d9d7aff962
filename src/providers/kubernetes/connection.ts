// Where the remote apiserver is and how to talk to it, resolved from the
// store for one ExternalSecret/PushSecret namespace (ESO's getAuth in
// providers/v1/kubernetes/auth.go and esutils.FetchCACertFromSource):
// server URL, CA (caBundle, or caProvider with ESO's namespace rules),
// credentials (bearer token Secret, client certificate Secrets, a
// ServiceAccount for the TokenRequest API, or a kubeconfig in a Secret).
//
// Every reference is read through the esutils resolvers, so a SecretStore
// never reaches outside its namespace and a ClusterSecretStore's referent
// references resolve in the ExternalSecret's namespace.
import { createHash } from "node:crypto";
import type { CAProvider, SecretKeySelector } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { referenceNamespace, resolveSecret } from "../../esutils/resolvers.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { ProviderError } from "../errors.ts";
import { parseKubeconfig } from "./kubeconfig.ts";
import type { AuthMethod, KubernetesSpec } from "./spec.ts";

export interface RefContext {
  readonly store: GenericStore;
  readonly kube: KubeAccess;
  /** Namespace of the ExternalSecret/PushSecret ("" while validating a ClusterSecretStore). */
  readonly namespace: string;
}

export interface TlsMaterial {
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly servername: string | undefined;
  /** sha256 of everything above: one connection pool per distinct TLS setup. */
  readonly digest: string;
}

/** How requests are authorised (client certificates live in TlsMaterial). */
export type Credentials =
  | { readonly kind: "none" }
  | { readonly kind: "bearer"; readonly token: string }
  | {
      readonly kind: "serviceAccount";
      readonly namespace: string;
      readonly name: string;
      readonly audiences: readonly string[];
    };

export interface Connection {
  /** Base URL of the apiserver, without a trailing slash. */
  readonly server: string;
  readonly tls: TlsMaterial;
  readonly credentials: Credentials;
  /** For messages: which credentials these are (never their value). */
  readonly description: string;
  /** Digest of server, TLS and credentials: reads are shared only within one identity. */
  readonly identity: string;
}

export function digestOf(parts: readonly (string | undefined)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(`${p ?? "\u0000undefined"}\u0000`);
  return h.digest("hex").slice(0, 32);
}

/** client-go's default: a host without scheme is https. */
export function normalizeServer(url: string): string {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url) ? url : `https://${url}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    throw new ProviderError("InvalidStore", `server.url "${url}" is not a valid URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new ProviderError("InvalidStore", `server.url "${url}" must be an http(s) URL`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

const utf8 = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

async function secretKeyText(
  refs: RefContext,
  ref: SecretKeySelector,
  what: string,
): Promise<{ text: string; where: string }> {
  const secret = await resolveSecret(refs.kube, refs.store, ref, refs.namespace);
  const key = ref.key ?? "";
  const value = secret.data.get(key);
  const where = `Secret "${secret.namespace}/${secret.name}" key "${key}"`;
  if (value === undefined) {
    throw new ProviderError("InvalidStore", `${what}: ${where} does not exist`);
  }
  return { text: utf8(value), where };
}

function checkPem(pem: string, what: string): string {
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new ProviderError("InvalidStore", `${what}: failed to parse the CA certificate (PEM)`);
  }
  return pem;
}

async function caFromProvider(refs: RefContext, ca: CAProvider): Promise<string> {
  const namespace = referenceNamespace(
    refs.store,
    { name: ca.name, namespace: ca.namespace },
    refs.namespace,
  );
  const key = ca.key ?? "";
  if (ca.type === "Secret") {
    const { text } = await secretKeyText(refs, { name: ca.name, namespace, key }, "caProvider");
    return checkPem(text, `caProvider Secret "${namespace}/${ca.name}"`);
  }
  const cm = await refs.kube.getConfigMap(namespace, ca.name);
  const value = cm?.data.get(key);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `caProvider: ConfigMap "${namespace}/${ca.name}" has no key "${key}"`,
    );
  }
  return checkPem(value, `caProvider ConfigMap "${namespace}/${ca.name}"`);
}

async function storeCa(refs: RefContext, spec: KubernetesSpec): Promise<string | undefined> {
  if ((spec.caBundle ?? "") !== "") {
    return checkPem(Buffer.from(spec.caBundle ?? "", "base64").toString("utf8"), "caBundle");
  }
  if (spec.caProvider !== undefined) return caFromProvider(refs, spec.caProvider);
  return undefined;
}

interface Parts {
  readonly server: string;
  readonly ca: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly insecureSkipTlsVerify?: boolean;
  readonly servername?: string | undefined;
  readonly credentials: Credentials;
  readonly description: string;
}

function tlsOf(parts: Parts): TlsMaterial {
  const insecure = parts.insecureSkipTlsVerify ?? false;
  return {
    ca: parts.ca,
    cert: parts.cert,
    key: parts.key,
    insecureSkipTlsVerify: insecure,
    servername: parts.servername,
    digest: digestOf([parts.ca, parts.cert, parts.key, String(insecure), parts.servername]),
  };
}

function connectionOf(parts: Parts): Connection {
  const tls = tlsOf(parts);
  const c = parts.credentials;
  const credentialId =
    c.kind === "bearer"
      ? digestOf(["bearer", c.token])
      : c.kind === "serviceAccount"
        ? `sa:${c.namespace}/${c.name}:${c.audiences.join(",")}`
        : "none";
  return {
    server: parts.server,
    tls,
    credentials: c,
    description: parts.description,
    identity: digestOf([parts.server, tls.digest, credentialId]),
  };
}

async function fromKubeconfig(refs: RefContext, ref: SecretKeySelector): Promise<Connection> {
  const { text, where } = await secretKeyText(refs, ref, "authRef");
  const target = parseKubeconfig(text, where);
  const token = target.token?.trim();
  return connectionOf({
    server: normalizeServer(target.server),
    ca: target.ca,
    cert: target.clientCert,
    key: target.clientKey,
    insecureSkipTlsVerify: target.insecureSkipTlsVerify,
    servername: target.tlsServerName,
    credentials: token === undefined || token === "" ? { kind: "none" } : { kind: "bearer", token },
    description: `the kubeconfig in ${where}`,
  });
}

async function inline(
  refs: RefContext,
  auth: Exclude<AuthMethod, { kind: "authRef" }>,
  base: { server: string; ca: string | undefined },
): Promise<Connection> {
  switch (auth.kind) {
    case "token": {
      const { text, where } = await secretKeyText(refs, auth.bearerToken, "auth.token.bearerToken");
      const token = text.trim();
      if (token === "") {
        throw new ProviderError("InvalidStore", `auth.token.bearerToken: ${where} is empty`);
      }
      const credentials = { kind: "bearer", token } as const;
      return connectionOf({ ...base, credentials, description: `the bearer token in ${where}` });
    }
    case "serviceAccount": {
      const sa = auth.serviceAccount;
      const namespace = referenceNamespace(refs.store, sa, refs.namespace);
      const audiences = [...(sa.audiences ?? [])];
      return connectionOf({
        ...base,
        credentials: { kind: "serviceAccount", namespace, name: sa.name, audiences },
        description: `ServiceAccount "${namespace}/${sa.name}"`,
      });
    }
    case "cert": {
      const cert = await secretKeyText(refs, auth.clientCert, "auth.cert.clientCert");
      const key = await secretKeyText(refs, auth.clientKey, "auth.cert.clientKey");
      return connectionOf({
        ...base,
        cert: cert.text,
        key: key.text,
        credentials: { kind: "none" },
        description: `the client certificate in ${cert.where}`,
      });
    }
    case "anonymous":
      return connectionOf({
        ...base,
        credentials: { kind: "none" },
        description: "no credentials (anonymous)",
      });
  }
}

/** Resolves the store's server, TLS and credentials for `refs.namespace`. */
export async function resolveConnection(
  refs: RefContext,
  spec: KubernetesSpec,
): Promise<Connection> {
  const auth = spec.auth;
  // As ESO: a kubeconfig in authRef brings its own server and CA.
  if (auth.kind === "authRef") return fromKubeconfig(refs, auth.kubeconfig);
  if (spec.url === "") throw new ProviderError("InvalidStore", "no server URL provided");
  const base = { server: normalizeServer(spec.url), ca: await storeCa(refs, spec) };
  return inline(refs, auth, base);
}
