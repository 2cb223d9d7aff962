// The kubeconfig of `authRef` (a Secret key), reduced to what the provider
// may use: the current context's server, CA, token or client certificate.
//
// Unlike ESO (client-go's RESTConfigFromKubeConfig), Ferry refuses `exec`
// and `auth-provider` plugins and every field that names a file: a
// kubeconfig in a Secret must not make the controller run commands or read
// its own files (the ServiceAccount token of the controller, for one).
// Error messages name fields, never their values, and YAML errors are not
// passed on (they quote the document).
import type * as Yaml from "yaml";
import { lazyRequire } from "../../esutils/lazy.ts";
import { ProviderError } from "../errors.ts";

// yaml (CommonJS) is loaded by the first kubeconfig parsed, not at start-up:
// an idle controller does not need it (start-up memory).
const yaml = lazyRequire<typeof Yaml>("yaml");

export interface KubeconfigTarget {
  readonly server: string;
  /** PEM of certificate-authority-data. */
  readonly ca: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName: string | undefined;
  readonly token: string | undefined;
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
}

type Obj = Readonly<Record<string, unknown>>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields whose value is a path or a command: never honoured. */
const REFUSED_CLUSTER = ["certificate-authority", "proxy-url"] as const;
const REFUSED_USER = [
  "exec",
  "auth-provider",
  "tokenFile",
  "client-certificate",
  "client-key",
  "username",
  "password",
  "as",
  "as-groups",
  "as-uid",
  "as-user-extra",
] as const;

export class KubeconfigError extends ProviderError {
  constructor(where: string, message: string) {
    super("InvalidStore", `authRef: the kubeconfig in ${where} ${message}`);
    this.name = "KubeconfigError";
  }
}

function named(list: unknown, name: string, field: string, where: string): Obj {
  if (!Array.isArray(list)) throw new KubeconfigError(where, `has no ${field}s`);
  for (const entry of list as unknown[]) {
    if (isObj(entry) && entry["name"] === name && isObj(entry[field])) return entry[field];
  }
  throw new KubeconfigError(where, `has no ${field} named "${name}"`);
}

function currentContext(doc: Obj, where: string): Obj {
  const current = doc["current-context"];
  if (typeof current === "string" && current !== "") {
    return named(doc["contexts"], current, "context", where);
  }
  const contexts = doc["contexts"];
  // No current-context: a kubeconfig with a single context is unambiguous.
  if (Array.isArray(contexts) && contexts.length === 1) {
    const only: unknown = contexts[0];
    if (isObj(only) && isObj(only["context"])) return only["context"];
  }
  throw new KubeconfigError(where, "has no current-context");
}

function stringField(obj: Obj, field: string, where: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new KubeconfigError(where, `has a non-string "${field}"`);
  return value;
}

function pemField(obj: Obj, field: string, where: string): string | undefined {
  const value = stringField(obj, field, where);
  if (value === undefined) return undefined;
  const pem = Buffer.from(value, "base64").toString("utf8");
  if (!pem.includes("-----BEGIN")) {
    throw new KubeconfigError(where, `has "${field}" that is not base64-encoded PEM`);
  }
  return pem;
}

function refuse(obj: Obj, fields: readonly string[], section: string, where: string): void {
  for (const field of fields) {
    if (obj[field] !== undefined && obj[field] !== null && obj[field] !== "") {
      throw new KubeconfigError(
        where,
        `sets ${section}.${field}, which Ferry does not honour (no commands, files, basic auth or impersonation from a kubeconfig in a Secret): use a token or client-certificate-data/client-key-data`,
      );
    }
  }
}

function parseDocument(text: string, where: string): Obj {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch {
    throw new KubeconfigError(where, "is not valid YAML");
  }
  if (!isObj(doc)) throw new KubeconfigError(where, "is not a kubeconfig object");
  return doc;
}

/** `where` names the Secret key (for messages): `Secret "ns/name" key "config"`. */
export function parseKubeconfig(text: string, where: string): KubeconfigTarget {
  const doc = parseDocument(text, where);
  const context = currentContext(doc, where);
  const clusterName = stringField(context, "cluster", where) ?? "";
  const userName = stringField(context, "user", where);
  const cluster = named(doc["clusters"], clusterName, "cluster", where);
  const user = userName === undefined ? {} : named(doc["users"], userName, "user", where);
  refuse(cluster, REFUSED_CLUSTER, "cluster", where);
  refuse(user, REFUSED_USER, "user", where);
  const server = stringField(cluster, "server", where);
  if (server === undefined) throw new KubeconfigError(where, "has no cluster server");
  const clientCert = pemField(user, "client-certificate-data", where);
  const clientKey = pemField(user, "client-key-data", where);
  if ((clientCert === undefined) !== (clientKey === undefined)) {
    throw new KubeconfigError(where, "needs both client-certificate-data and client-key-data");
  }
  return {
    server,
    ca: pemField(cluster, "certificate-authority-data", where),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: stringField(cluster, "tls-server-name", where),
    token: stringField(user, "token", where),
    clientCert,
    clientKey,
  };
}
