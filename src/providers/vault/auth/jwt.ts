// auth.jwt: a JWT from a Secret, or a ServiceAccount token requested for
// the audiences Vault's role expects (default ["vault"], 600 s), sent to
// Vault's jwt/oidc method.
import type { VaultProvider } from "../../../api/index.ts";
import { StoreValidationError } from "../../errors.ts";
import {
  login,
  mount,
  secretKeyValue,
  serviceAccountNamespace,
  type AuthInput,
  type PreparedAuth,
} from "./common.ts";

type JwtAuth = NonNullable<NonNullable<VaultProvider["auth"]>["jwt"]>;

export async function prepareJwt(input: AuthInput, spec: JwtAuth): Promise<PreparedAuth> {
  const path = `auth/${mount(spec.path, "jwt")}/login`;
  const role = (spec.role ?? "").trim();
  const description = `JWT auth at ${path}${role === "" ? "" : ` (role ${role})`}`;
  if (spec.secretRef !== undefined) {
    const jwt = await secretKeyValue(input, spec.secretRef);
    return {
      description,
      fingerprint: `jwt:${path}:${role}:${jwt.fingerprint}`,
      login: () => login(input, path, { role, jwt: jwt.value.trim() }),
    };
  }
  const k8s = spec.kubernetesServiceAccountToken;
  if (k8s === undefined) {
    throw new StoreValidationError(
      "neither `secretRef` nor `kubernetesServiceAccountToken` was supplied as token source for jwt authentication",
    );
  }
  const sa = k8s.serviceAccountRef;
  const namespace = serviceAccountNamespace(input, sa);
  const audiences = [...(sa.audiences ?? []), ...(k8s.audiences ?? ["vault"])];
  const expirationSeconds = k8s.expirationSeconds ?? 600;
  return {
    description,
    fingerprint: `jwt:${path}:${role}:sa:${namespace}/${sa.name}:${audiences.join(",")}`,
    login: async () => {
      const token = await input.kube.createServiceAccountToken(namespace, sa.name, {
        audiences,
        expirationSeconds,
      });
      return login(input, path, { role, jwt: token.token });
    },
  };
}
