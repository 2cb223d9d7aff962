// A KubeAccess (what providers may read from Kubernetes) backed by the test
// apiserver through @kubernetes/client-node, for tests that call providers
// directly. The controllers have their own implementation on the runtime
// client.
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { KubeAccess, SecretObject } from "../../../src/esutils/kube-access.ts";

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: number }).code === 404;
}

async function orUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function kubeAccess(config: KubeConfig): KubeAccess {
  const core = config.makeApiClient(CoreV1Api);
  return {
    async getSecret(namespace, name): Promise<SecretObject | undefined> {
      const secret = await orUndefined(() => core.readNamespacedSecret({ namespace, name }));
      if (secret === undefined) return undefined;
      const data = new Map(
        Object.entries(secret.data ?? {}).map(([k, v]) => [
          k,
          new Uint8Array(Buffer.from(v, "base64")),
        ]),
      );
      return {
        namespace,
        name,
        data,
        labels: secret.metadata?.labels ?? {},
        annotations: secret.metadata?.annotations ?? {},
        resourceVersion: secret.metadata?.resourceVersion,
      };
    },
    async getConfigMap(namespace, name) {
      const cm = await orUndefined(() => core.readNamespacedConfigMap({ namespace, name }));
      if (cm === undefined) return undefined;
      return { namespace, name, data: new Map(Object.entries(cm.data ?? {})) };
    },
    async getServiceAccount(namespace, name) {
      const sa = await orUndefined(() => core.readNamespacedServiceAccount({ namespace, name }));
      if (sa === undefined) return undefined;
      return { namespace, name, annotations: sa.metadata?.annotations ?? {} };
    },
    async createServiceAccountToken(namespace, name, options) {
      const response = await core.createNamespacedServiceAccountToken({
        namespace,
        name,
        body: {
          spec: {
            audiences: [...(options.audiences ?? [])],
            ...(options.expirationSeconds === undefined
              ? {}
              : { expirationSeconds: options.expirationSeconds }),
          },
        },
      });
      const expiry = response.status?.expirationTimestamp;
      return {
        token: response.status?.token ?? "",
        expiresAt: expiry === undefined ? Date.now() + 3_600_000 : new Date(expiry).getTime(),
      };
    },
  };
}
