// OpenBao administration for the Vault provider end-to-end tests. Every
// mount and auth method lives at a unique path per run (the server is shared
// with other developers' tests) and is removed by cleanup().
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { CoreV1Api, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { fetch, type Dispatcher } from "undici";
import type { GenericStore } from "../../../../src/esutils/store.ts";
import type { Ctx } from "../../../../src/providers/provider.ts";
import { kubeConfig, testEnv } from "../../framework/env.ts";

export const ctx: Ctx = {
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
};

export const suffix = (): string => randomBytes(4).toString("hex");

export class Bao {
  readonly address: string;
  readonly token: string;
  readonly #cleanups: (() => Promise<void>)[] = [];
  readonly #dispatcher: Dispatcher | undefined;

  constructor(
    address = testEnv().openbao.address,
    token = testEnv().openbao.token,
    dispatcher?: Dispatcher,
  ) {
    this.address = address;
    this.token = token;
    this.#dispatcher = dispatcher;
  }

  async call(method: string, path: string, body?: unknown, token = this.token): Promise<unknown> {
    const response = await fetch(`${this.address}/v1/${path}`, {
      method,
      headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(this.#dispatcher === undefined ? {} : { dispatcher: this.#dispatcher }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`bao ${method} ${path}: ${response.status} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }

  async mountKv(version: 1 | 2): Promise<string> {
    const path = `kv${version}-${suffix()}`;
    await this.call("POST", `sys/mounts/${path}`, {
      type: "kv",
      options: { version: String(version) },
    });
    this.#cleanups.push(() => this.call("DELETE", `sys/mounts/${path}`).then(() => undefined));
    return path;
  }

  async enableAuth(type: string): Promise<string> {
    const path = `${type}-${suffix()}`;
    await this.call("POST", `sys/auth/${path}`, { type });
    this.#cleanups.push(() => this.call("DELETE", `sys/auth/${path}`).then(() => undefined));
    return path;
  }

  async policy(name: string, hcl: string): Promise<void> {
    await this.call("PUT", `sys/policies/acl/${name}`, { policy: hcl });
    this.#cleanups.push(() =>
      this.call("DELETE", `sys/policies/acl/${name}`).then(() => undefined),
    );
  }

  /** A token with `policy`, for tokenSecretRef. */
  async token_(policy: string, ttl = "1h"): Promise<string> {
    const r = (await this.call("POST", "auth/token/create", { policies: [policy], ttl })) as {
      auth: { client_token: string };
    };
    return r.auth.client_token;
  }

  onCleanup(fn: () => Promise<void>): void {
    this.#cleanups.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort: the dev server is shared
      }
    }
    this.#cleanups.length = 0;
  }
}

export function core(): CoreV1Api {
  return kubeConfig().makeApiClient(CoreV1Api);
}

export async function createSecret(
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await core().createNamespacedSecret({
    namespace,
    body: { metadata: { name }, stringData: data },
  });
}

export async function createServiceAccount(namespace: string, name: string): Promise<void> {
  await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
}

/** Lets `namespace/name` call TokenReview (OpenBao's kubernetes auth uses the login JWT). */
export async function bindAuthDelegator(
  namespace: string,
  name: string,
): Promise<() => Promise<void>> {
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const binding = `ferry-vault-e2e-${suffix()}`;
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: binding },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "system:auth-delegator",
      },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  });
  return async () => {
    await rbac.deleteClusterRoleBinding({ name: binding });
  };
}

export function kubeCaPem(): string {
  return readFileSync(testEnv().kubernetes.caFile, "utf8");
}

export function saPublicKeyPem(): string {
  return readFileSync(testEnv().kubernetes.serviceAccountPublicKeyFile, "utf8");
}

let counter = 0;

export function secretStore(
  namespace: string,
  vault: Record<string, unknown>,
  provider: "vault" | "openBao" = "vault",
): GenericStore {
  counter++;
  return {
    kind: "SecretStore",
    metadata: {
      name: `vault-${counter}`,
      namespace,
      uid: `uid-${suffix()}`,
      resourceVersion: "1",
      generation: 1,
    },
    spec: { provider: { [provider]: vault } },
  };
}

export function clusterStore(vault: Record<string, unknown>): GenericStore {
  counter++;
  return {
    kind: "ClusterSecretStore",
    metadata: {
      name: `vault-css-${suffix()}`,
      uid: `uid-${suffix()}`,
      resourceVersion: "1",
      generation: 1,
    },
    spec: { provider: { vault } } as unknown as GenericStore["spec"],
  };
}

export const utf8 = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
