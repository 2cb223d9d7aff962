// auth.cert: TLS certificate auth. The client certificate is presented by
// the store's transport (see index.ts: it replaces clientTLS, as ESO's
// GetClientCertificate hook does), so the login itself only names the role.
import type { VaultProvider } from "../../../api/index.ts";
import { login, mount, type AuthInput, type PreparedAuth } from "./common.ts";

type CertAuth = NonNullable<NonNullable<VaultProvider["auth"]>["cert"]>;

export function prepareCert(
  input: AuthInput,
  spec: CertAuth,
  certFingerprint: string,
): PreparedAuth {
  const path = `auth/${mount(spec.path, "cert")}/login`;
  const role = spec.vaultRole ?? "";
  return {
    description: `cert auth at ${path}`,
    fingerprint: `cert:${path}:${role}:${certFingerprint}`,
    login: () => login(input, path, role === "" ? {} : { name: role }),
  };
}
