// Picks the store's auth method (ESO's order when several are set) and
// prepares it. No auth at all means requests without a token, as in ESO.
import { NotSupportedError, ProviderError } from "../../errors.ts";
import type { VaultAuth } from "../../../api/index.ts";
import { authMethods, type AuthMethodName, type VaultSpec } from "../spec.ts";
import { prepareAppRole } from "./approle.ts";
import { prepareCert } from "./cert.ts";
import type { AuthInput, PreparedAuth } from "./common.ts";
import { prepareGcp } from "./gcp.ts";
import { prepareIam } from "./iam.ts";
import type { IamDeps } from "./iam-credentials.ts";
import { prepareJwt } from "./jwt.ts";
import { prepareKubernetes } from "./kubernetes.ts";
import { prepareToken } from "./token.ts";
import { preparePasswordAuth } from "./userpass.ts";

export interface PrepareOptions {
  readonly tlsFingerprint: string;
  readonly tokenFile?: string;
  /** Environment, STS and file access of iam auth. */
  readonly iam: IamDeps;
}

const OPENBAO_METHODS = new Set(["tokenSecretRef", "appRole", "userPass"]);

type Preparer = (
  input: AuthInput,
  auth: VaultAuth,
  options: PrepareOptions,
) => Promise<PreparedAuth>;

const need = <T>(value: T | undefined): T => {
  // authMethods() only names methods that are set
  if (value === undefined) throw new ProviderError("InvalidStore", "auth method vanished");
  return value;
};

const PREPARERS: Record<AuthMethodName, Preparer> = {
  tokenSecretRef: (input, auth) => prepareToken(input, need(auth.tokenSecretRef)),
  appRole: (input, auth) => prepareAppRole(input, need(auth.appRole)),
  kubernetes: (input, auth, o) => prepareKubernetes(input, need(auth.kubernetes), o.tokenFile),
  ldap: (input, auth) => preparePasswordAuth(input, "ldap", need(auth.ldap)),
  userPass: (input, auth) => preparePasswordAuth(input, "userpass", need(auth.userPass)),
  jwt: (input, auth) => prepareJwt(input, need(auth.jwt)),
  cert: (input, auth, o) => Promise.resolve(prepareCert(input, need(auth.cert), o.tlsFingerprint)),
  iam: (input, auth, o) => prepareIam(input, need(auth.iam), o.iam),
  gcp: (input, auth) => prepareGcp(input, need(auth.gcp)),
};

export async function prepareAuth(
  input: AuthInput,
  spec: VaultSpec,
  options: PrepareOptions,
): Promise<PreparedAuth> {
  const auth = spec.auth;
  if (auth === undefined) return { description: "no auth", fingerprint: "none", staticToken: "" };
  const method = authMethods(auth)[0];
  if (method === undefined) {
    throw new ProviderError(
      "InvalidStore",
      "cannot initialize Vault client: no valid auth method specified",
    );
  }
  if (spec.flavor === "openBao" && !OPENBAO_METHODS.has(method)) {
    throw new NotSupportedError(`the openBao provider does not support ${method} auth`);
  }
  return PREPARERS[method](input, auth, options);
}
