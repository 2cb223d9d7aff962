// auth.appRole: role_id from the store or a Secret, secret_id from a Secret.
import type { VaultProvider } from "../../../api/index.ts";
import { StoreValidationError } from "../../errors.ts";
import { login, mount, secretKeyValue, type AuthInput, type PreparedAuth } from "./common.ts";

type AppRole = NonNullable<NonNullable<VaultProvider["auth"]>["appRole"]>;

export async function prepareAppRole(input: AuthInput, spec: AppRole): Promise<PreparedAuth> {
  let roleId: string;
  let roleFingerprint: string;
  if ((spec.roleId ?? "") !== "") {
    roleId = (spec.roleId ?? "").trim();
    roleFingerprint = `role:${roleId}`;
  } else if (spec.roleRef !== undefined) {
    const ref = await secretKeyValue(input, spec.roleRef);
    roleId = ref.value;
    roleFingerprint = ref.fingerprint;
  } else {
    throw new StoreValidationError(
      "invalid Auth.AppRole: neither `roleId` nor `roleRef` was supplied",
    );
  }
  const secret = await secretKeyValue(input, spec.secretRef);
  const path = `auth/${mount(spec.path, "approle")}/login`;
  return {
    description: `AppRole auth at ${path}`,
    fingerprint: `approle:${path}:${roleFingerprint}:${secret.fingerprint}`,
    login: () => login(input, path, { role_id: roleId, secret_id: secret.value }),
  };
}
