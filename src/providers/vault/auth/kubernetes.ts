// auth.kubernetes: a ServiceAccount token (TokenRequest through
// serviceAccountRef, a token in a Secret, or the pod's mounted token) sent
// to Vault's kubernetes method, which checks it with a TokenReview. The
// TokenRequest (a write to the apiserver) happens only when we really log
// in, not on every reconcile as in ESO.
import { readFile } from "node:fs/promises";
import type { VaultProvider } from "../../../api/index.ts";
import { ProviderError } from "../../errors.ts";
import {
  login,
  mount,
  secretKeyValue,
  serviceAccountNamespace,
  type AuthInput,
  type PreparedAuth,
} from "./common.ts";

type KubernetesAuth = NonNullable<NonNullable<VaultProvider["auth"]>["kubernetes"]>;

export const MOUNTED_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

async function mountedToken(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (err) {
    throw new ProviderError(
      "AuthFailed",
      `cannot read Kubernetes service account token from file system: ${(err as Error).message}`,
    );
  }
}

export async function prepareKubernetes(
  input: AuthInput,
  spec: KubernetesAuth,
  tokenFile = MOUNTED_TOKEN,
): Promise<PreparedAuth> {
  const path = `auth/${mount(spec.mountPath, "kubernetes")}/login`;
  const description = `kubernetes auth at ${path} (role ${spec.role})`;
  const sa = spec.serviceAccountRef;
  if (sa !== undefined) {
    const namespace = serviceAccountNamespace(input, sa);
    return {
      description,
      fingerprint: `kubernetes:${path}:${spec.role}:sa:${namespace}/${sa.name}`,
      login: async () => {
        const token = await input.kube.createServiceAccountToken(namespace, sa.name, {
          audiences: sa.audiences,
          expirationSeconds: 600,
        });
        return login(input, path, { role: spec.role, jwt: token.token });
      },
    };
  }
  if (spec.secretRef !== undefined) {
    const jwt = await secretKeyValue(input, spec.secretRef, "token");
    return {
      description,
      fingerprint: `kubernetes:${path}:${spec.role}:${jwt.fingerprint}`,
      login: () => login(input, path, { role: spec.role, jwt: jwt.value.trim() }),
    };
  }
  return {
    description,
    fingerprint: `kubernetes:${path}:${spec.role}:file:${tokenFile}`,
    login: async () => login(input, path, { role: spec.role, jwt: await mountedToken(tokenFile) }),
  };
}
