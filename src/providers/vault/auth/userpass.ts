// auth.userPass and auth.ldap: the same login, POST auth/<mount>/login/<user>
// with the password (Vault's userpass and ldap methods share the shape).
import type { SecretKeySelector } from "../../../api/index.ts";
import { StoreValidationError } from "../../errors.ts";
import { login, mount, secretKeyValue, type AuthInput, type PreparedAuth } from "./common.ts";

export interface PasswordAuthSpec {
  readonly path?: string | undefined;
  readonly username: string;
  readonly secretRef?: SecretKeySelector | undefined;
}

export async function preparePasswordAuth(
  input: AuthInput,
  kind: "userpass" | "ldap",
  spec: PasswordAuthSpec,
): Promise<PreparedAuth> {
  if (spec.secretRef === undefined) {
    throw new StoreValidationError(`${kind} auth needs secretRef (the password)`);
  }
  const password = await secretKeyValue(input, spec.secretRef);
  const path = `auth/${mount(spec.path, kind)}/login/${encodeURIComponent(spec.username)}`;
  return {
    description: `${kind} auth at ${path}`,
    fingerprint: `${kind}:${path}:${password.fingerprint}`,
    login: () => login(input, path, { password: password.value }),
  };
}
