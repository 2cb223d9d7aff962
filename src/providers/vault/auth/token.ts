// auth.tokenSecretRef: a static token from a Secret. It is the user's token:
// never renewed by us, never revoked.
import type { SecretKeySelector } from "../../../api/index.ts";
import { secretKeyValue, type AuthInput, type PreparedAuth } from "./common.ts";

export async function prepareToken(
  input: AuthInput,
  ref: SecretKeySelector,
): Promise<PreparedAuth> {
  const secret = await secretKeyValue(input, ref);
  return {
    description: "token from tokenSecretRef",
    fingerprint: `token:${secret.fingerprint}`,
    // a trailing newline (echo > file; kubectl create secret --from-file)
    // would make an invalid header
    staticToken: secret.value.trim(),
  };
}
