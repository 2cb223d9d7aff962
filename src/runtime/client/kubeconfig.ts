// A small kubeconfig and in-cluster loader for the controller process.
// @kubernetes/client-node's KubeConfig drags in the whole generated API
// (~50 MiB of RSS, performance.md §2) although a controller only needs a
// server URL, TLS material and a token. This loader covers what controllers
// are run with: in-cluster ServiceAccount credentials, and kubeconfig files
// with certificates, tokens, token files or basic auth. Anything else (exec
// and auth-provider plugins, proxies, several merged files) returns
// undefined, and the caller falls back to client-node, which knows them all.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { OutgoingHttpHeaders } from "node:http";
import type https from "node:https";

/** What the transport needs from a kubeconfig; client-node's KubeConfig has the same two methods. */
export interface ClusterCredentials {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Resolved TLS material and how to authenticate; files are read at each credential refresh. */
interface Resolved {
  readonly server: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecure: boolean;
  readonly serverName?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly basic?: string;
}

class LightCredentials implements ClusterCredentials {
  readonly #r: Resolved;

  constructor(resolved: Resolved) {
    this.#r = resolved;
  }

  getCurrentCluster(): { server: string } {
    return { server: this.#r.server };
  }

  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const r = this.#r;
    if (r.ca !== undefined) opts.ca = r.ca;
    if (r.cert !== undefined) opts.cert = r.cert;
    if (r.key !== undefined) opts.key = r.key;
    if (r.insecure) opts.rejectUnauthorized = false;
    if (r.serverName !== undefined) opts.servername = r.serverName;
    const token = await this.#token();
    if (token !== "") opts.headers = { ...headerRecord(opts), authorization: `Bearer ${token}` };
    if (r.basic !== undefined) opts.auth = r.basic;
  }

  /** A token file is read again at every refresh: bound ServiceAccount tokens rotate. */
  async #token(): Promise<string> {
    const r = this.#r;
    if (r.tokenFile !== undefined) return (await readFile(r.tokenFile, "utf8")).trim();
    return r.token ?? "";
  }
}

function headerRecord(opts: https.RequestOptions): OutgoingHttpHeaders {
  const headers: unknown = opts.headers;
  return typeof headers === "object" && headers !== null && !Array.isArray(headers)
    ? (headers as OutgoingHttpHeaders)
    : {};
}

type Doc = Record<string, unknown>;

const asDoc = (v: unknown): Doc | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Doc) : undefined;
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The entry called `name` of a named list (`clusters`, `users`, `contexts`). */
function named(doc: Doc, list: string, field: string, name: string): Doc | undefined {
  const items = Array.isArray(doc[list]) ? (doc[list] as unknown[]) : [];
  const item = items.map(asDoc).find((i) => i?.["name"] === name);
  return asDoc(item?.[field]);
}

async function material(entry: Doc, field: string, baseDir: string): Promise<Buffer | undefined> {
  const data = asString(entry[`${field}-data`]);
  if (data !== undefined) return Buffer.from(data, "base64");
  const file = asString(entry[field]);
  if (file === undefined) return undefined;
  return readFile(isAbsolute(file) ? file : join(baseDir, file));
}

const UNSUPPORTED_USER_FIELDS = ["exec", "auth-provider", "as", "as-groups", "impersonate"];

/** Proxies, plugins and impersonation are client-node's job. */
function lightEnough(cluster: Doc, user: Doc): boolean {
  return (
    cluster["proxy-url"] === undefined &&
    !UNSUPPORTED_USER_FIELDS.some((f) => user[f] !== undefined)
  );
}

interface Selected {
  readonly cluster: Doc;
  readonly server: string;
  readonly user: Doc;
}

/** The current context's cluster and user; undefined when client-node must handle them. */
function selectCurrent(doc: Doc): Selected | undefined {
  const context = named(doc, "contexts", "context", asString(doc["current-context"]) ?? "") ?? {};
  const cluster = named(doc, "clusters", "cluster", asString(context["cluster"]) ?? "");
  const user = named(doc, "users", "user", asString(context["user"]) ?? "") ?? {};
  const server = asString(cluster?.["server"]);
  if (cluster === undefined || server === undefined || !lightEnough(cluster, user))
    return undefined;
  return { cluster, server, user };
}

/** How the user authenticates besides client certificates. */
function userAuth(user: Doc, baseDir: string): Partial<Resolved> {
  const tokenFile = asString(user["tokenFile"]);
  const username = asString(user["username"]);
  return {
    ...optional("token", asString(user["token"])),
    ...optional(
      "tokenFile",
      tokenFile === undefined || isAbsolute(tokenFile) ? tokenFile : join(baseDir, tokenFile),
    ),
    ...optional(
      "basic",
      username === undefined ? undefined : `${username}:${asString(user["password"]) ?? ""}`,
    ),
  };
}

async function fromKubeconfigFile(path: string): Promise<LightCredentials | undefined> {
  const text = await readFile(path, "utf8");
  // yaml is imported only here, not at start-up: in a cluster (ServiceAccount
  // credentials) the controller never needs it (start-up memory).
  const { parse } = await import("yaml");
  const doc = asDoc(parse(text));
  const selected = doc === undefined ? undefined : selectCurrent(doc);
  if (selected === undefined) return undefined;
  const { cluster, server, user } = selected;
  const baseDir = dirname(path);
  const [ca, cert, key] = await Promise.all([
    material(cluster, "certificate-authority", baseDir),
    material(user, "client-certificate", baseDir),
    material(user, "client-key", baseDir),
  ]);
  return new LightCredentials({
    server,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    ...optional("serverName", asString(cluster["tls-server-name"])),
    ...userAuth(user, baseDir),
  });
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

async function inCluster(): Promise<LightCredentials> {
  const host = process.env["KUBERNETES_SERVICE_HOST"] ?? "";
  const port = process.env["KUBERNETES_SERVICE_PORT"] ?? "443";
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new LightCredentials({
    server,
    ca: await readFile(join(IN_CLUSTER_DIR, "ca.crt")),
    insecure: false,
    tokenFile: join(IN_CLUSTER_DIR, "token"),
  });
}

/**
 * controller-runtime's order: `path`, else $KUBECONFIG, else in-cluster,
 * else ~/.kube/config. Undefined when the configuration needs client-node
 * (plugins, proxies, a $KUBECONFIG list of several files).
 */
export async function loadLightCredentials(
  path: string | undefined,
): Promise<ClusterCredentials | undefined> {
  if (path !== undefined && path !== "") return fromKubeconfigFile(path);
  const fromEnv = process.env["KUBECONFIG"] ?? "";
  if (fromEnv !== "") return fromEnv.includes(":") ? undefined : fromKubeconfigFile(fromEnv);
  if ((process.env["KUBERNETES_SERVICE_HOST"] ?? "") !== "") return inCluster();
  return fromKubeconfigFile(join(homedir(), ".kube", "config"));
}
