// KubeAccess (what providers may read from Kubernetes) on the runtime
// client. Every read is a direct GET: source Secrets are never cached
// (architecture.md §5.7, eso-reference.md §11.7), and a missing object is
// `undefined`, not an error. Namespaces come from the resolvers in esutils,
// which enforce the SecretStore/ClusterSecretStore reference rules.
import type {
  ConfigMapObject,
  KubeAccess,
  SecretObject,
  ServiceAccountObject,
  ServiceAccountToken,
  TokenRequestOptions,
} from "../../esutils/kube-access.ts";
import { CORE, isNotFound, type KubeClient, type KubeObject } from "../../runtime/index.ts";

interface SecretLike extends KubeObject {
  data?: Record<string, string>;
}

interface ConfigMapLike extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

interface TokenRequest extends KubeObject {
  spec?: { audiences?: string[]; expirationSeconds?: number };
  status?: { token?: string; expirationTimestamp?: string };
}

async function orUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function decodeData(data: Record<string, string> | undefined): Map<string, Uint8Array> {
  return new Map(
    Object.entries(data ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, "base64"))]),
  );
}

/** The `serviceaccounts/<name>/token` subresource, which is created (POST) like a collection. */
function tokenResource(name: string): {
  group: string;
  version: string;
  resource: string;
  namespaced: true;
} {
  return {
    group: "",
    version: "v1",
    resource: `serviceaccounts/${encodeURIComponent(name)}/token`,
    namespaced: true,
  };
}

export interface ClientKubeAccessOptions {
  /** Aborts reads in flight (e.g. the reconcile's signal). */
  readonly signal?: AbortSignal;
  /** For a token without an expiry in its status. Default Date.now. */
  readonly now?: () => number;
}

/** KubeAccess on the runtime client. */
export function clientKubeAccess(
  client: KubeClient,
  options: ClientKubeAccessOptions = {},
): KubeAccess {
  const opts = (namespace: string): { namespace: string; signal?: AbortSignal } =>
    options.signal === undefined ? { namespace } : { namespace, signal: options.signal };
  const now = options.now ?? Date.now;
  return {
    async getSecret(namespace, name): Promise<SecretObject | undefined> {
      const secret = await orUndefined(() =>
        client.get<SecretLike>(CORE.secrets, name, opts(namespace)),
      );
      if (secret === undefined) return undefined;
      return {
        namespace,
        name,
        data: decodeData(secret.data),
        labels: secret.metadata?.labels ?? {},
        annotations: secret.metadata?.annotations ?? {},
        resourceVersion: secret.metadata?.resourceVersion,
      };
    },

    async getConfigMap(namespace, name): Promise<ConfigMapObject | undefined> {
      const cm = await orUndefined(() =>
        client.get<ConfigMapLike>(CORE.configMaps, name, opts(namespace)),
      );
      if (cm === undefined) return undefined;
      return { namespace, name, data: new Map(Object.entries(cm.data ?? {})) };
    },

    async getServiceAccount(namespace, name): Promise<ServiceAccountObject | undefined> {
      const sa = await orUndefined(() =>
        client.get<KubeObject>(CORE.serviceAccounts, name, opts(namespace)),
      );
      if (sa === undefined) return undefined;
      return { namespace, name, annotations: sa.metadata?.annotations ?? {} };
    },

    async createServiceAccountToken(
      namespace: string,
      name: string,
      request: TokenRequestOptions,
    ): Promise<ServiceAccountToken> {
      const spec: { audiences: string[]; expirationSeconds?: number } = {
        audiences: [...(request.audiences ?? [])],
      };
      if (request.expirationSeconds !== undefined)
        spec.expirationSeconds = request.expirationSeconds;
      const body: TokenRequest = {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec,
      };
      const created = await client.create<TokenRequest>(tokenResource(name), body, opts(namespace));
      const expiry = created.status?.expirationTimestamp;
      return {
        token: created.status?.token ?? "",
        expiresAt:
          expiry === undefined
            ? now() + (request.expirationSeconds ?? 3600) * 1000
            : new Date(expiry).getTime(),
      };
    },
  };
}
