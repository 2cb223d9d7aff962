// Shared pieces of the provider.kubernetes end-to-end tests. The "remote
// cluster" is the test apiserver itself (testEnv().kubernetes.server), as in
// ESO's kubernetes e2e suite: remote Secrets live in a namespace, the store
// reaches them over HTTPS with its own credentials and RBAC.
import { RbacAuthorizationV1Api, type CoreV1Api } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import type { GenericStore, StoreKind } from "../../../../src/esutils/store.ts";
import type { Ctx } from "../../../../src/providers/provider.ts";
import { eventually, kube, kubeConfig, testEnv, uniqueName } from "../../framework/env.ts";

export const ctx = (): Ctx => ({
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
});

export const core = (): CoreV1Api => kube().core;
export const rbac = (): RbacAuthorizationV1Api =>
  kubeConfig().makeApiClient(RbacAuthorizationV1Api);

export const server = (): string => testEnv().kubernetes.server;
export const caPem = (): string => readFileSync(testEnv().kubernetes.caFile, "utf8");
export const caBundle = (): string => Buffer.from(caPem()).toString("base64");
export const utf8 = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
export const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

/** Read-write access to Secrets plus the SelfSubjectRulesReview ESO's docs ask for. */
export const SECRET_RULES = [
  {
    apiGroups: [""],
    resources: ["secrets"],
    verbs: ["get", "list", "watch", "create", "update", "delete", "patch"],
  },
  {
    apiGroups: ["authorization.k8s.io"],
    resources: ["selfsubjectrulesreviews"],
    verbs: ["create"],
  },
];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** A Role in `namespace` bound to ServiceAccount `saNamespace/sa`; returns the binding's name. */
export async function grant(
  namespace: string,
  saNamespace: string,
  sa: string,
  rules: PolicyRule[] = SECRET_RULES,
): Promise<string> {
  const name = uniqueName("eso-e2e");
  await rbac().createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac().createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: saNamespace }],
    },
  });
  return name;
}

export async function createServiceAccount(namespace: string, name: string): Promise<void> {
  await core().createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
}

/** Waits for the ServiceAccount controller's `default` ServiceAccount. */
export async function waitDefaultServiceAccount(namespace: string): Promise<void> {
  await eventually(`ServiceAccount ${namespace}/default`, async () => {
    const list = await core().listNamespacedServiceAccount({ namespace });
    return list.items.some((sa) => sa.metadata?.name === "default");
  });
}

/** A token of `namespace/name` from the TokenRequest API (as `kubectl create token`). */
export async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const response = await core().createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return response.status?.token ?? "";
}

/** The apiserver's CA as the `kube-root-ca.crt` ConfigMap a real cluster publishes. */
export async function publishRootCa(namespace: string): Promise<void> {
  await core().createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: "kube-root-ca.crt" }, data: { "ca.crt": caPem() } },
  });
}

export async function createSecret(
  namespace: string,
  name: string,
  data: Record<string, string>,
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): Promise<void> {
  await core().createNamespacedSecret({
    namespace,
    body: { metadata: { name, ...meta }, stringData: data },
  });
}

export async function readSecret(
  namespace: string,
  name: string,
): Promise<
  | {
      data: Record<string, string>;
      type: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }
  | undefined
> {
  try {
    const s = await core().readNamespacedSecret({ namespace, name });
    return {
      data: Object.fromEntries(
        Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
      ),
      type: s.type ?? "",
      labels: s.metadata?.labels ?? {},
      annotations: s.metadata?.annotations ?? {},
    };
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

let counter = 0;

/** A GenericStore for calling the provider directly. */
export function store(
  kubernetes: Record<string, unknown>,
  where: { kind?: StoreKind; namespace?: string } = {},
): GenericStore {
  counter++;
  const kind = where.kind ?? "SecretStore";
  return {
    kind,
    metadata: {
      name: `k8s-e2e-${String(counter)}`,
      ...(kind === "SecretStore" ? { namespace: where.namespace ?? "" } : {}),
      uid: uniqueName("uid"),
      resourceVersion: "1",
      generation: 1,
    },
    spec: { provider: { kubernetes } },
  };
}
