// auth.gcp: Vault's gcp auth method, iam type. The login sends a JWT
// {sub: <service account email>, aud: "vault/<role>", exp} signed for the
// service account. With a service-account key (secretRef) we sign it
// locally (RS256, kid = private_key_id); with only an access token (GKE
// workload identity, ADC) it is signed by the IAM credentials API
// (projects/-/serviceAccounts/<email>:signJwt), whose request is built by
// signJwtRequest. Obtaining that access token (workloadIdentity,
// serviceAccountRef, ADC) is deliberately not implemented: it needs Google's
// STS token exchange and the metadata server, for which no emulator exists
// here, and OpenBao ships no gcp auth method to log in to, so it could not
// be tested end to end; those stores get a NotSupported condition.
import { createSign } from "node:crypto";
import type { VaultProvider } from "../../../api/index.ts";
import { NotSupportedError, ProviderError } from "../../errors.ts";
import { login, mount, secretKeyValue, type AuthInput, type PreparedAuth } from "./common.ts";

type GcpAuth = NonNullable<NonNullable<VaultProvider["auth"]>["gcp"]>;

/** Lifetime of the login JWT (Vault's default max_jwt_exp is 15 min). */
const JWT_SECONDS = 15 * 60 - 60;

export interface JwtClaims {
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
}

export function loginClaims(email: string, role: string, nowMs: number): JwtClaims {
  return { sub: email, aud: `vault/${role}`, exp: Math.floor(nowMs / 1000) + JWT_SECONDS };
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString("base64url");

/** A JWT signed with a service-account key (RS256). */
export function signLocally(
  claims: JwtClaims,
  key: { readonly privateKey: string; readonly keyId: string },
): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: key.keyId }));
  const payload = b64url(JSON.stringify(claims));
  const signer = createSign("RSA-SHA256");
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${b64url(signer.sign(key.privateKey))}`;
}

/** The IAM credentials signJwt request for `email` (the shape Vault documents). */
export function signJwtRequest(
  email: string,
  claims: JwtClaims,
  accessToken: string,
): { url: string; init: { method: "POST"; headers: Record<string, string>; body: string } } {
  return {
    url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${encodeURIComponent(email)}:signJwt`,
    init: {
      method: "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ payload: JSON.stringify(claims) }),
    },
  };
}

/** Calls signJwt and returns the signed JWT. */
export async function signWithIam(
  email: string,
  claims: JwtClaims,
  accessToken: string,
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  const req = signJwtRequest(email, claims, accessToken);
  const response = await fetchFn(req.url, req.init);
  if (!response.ok) {
    throw new ProviderError(
      "AuthFailed",
      `IAM credentials signJwt for ${email} failed (${response.status})`,
    );
  }
  const body = (await response.json()) as { signedJwt?: unknown };
  if (typeof body.signedJwt !== "string")
    throw new ProviderError("AuthFailed", "signJwt returned no signedJwt");
  return body.signedJwt;
}

interface ServiceAccountKey {
  readonly client_email?: unknown;
  readonly private_key?: unknown;
  readonly private_key_id?: unknown;
}

export async function prepareGcp(
  input: AuthInput,
  spec: GcpAuth,
  now: () => number = Date.now,
): Promise<PreparedAuth> {
  const ref = spec.secretRef?.secretAccessKeySecretRef;
  if (ref === undefined) {
    throw new NotSupportedError(
      "vault gcp auth supports a service-account key (auth.gcp.secretRef) only in this version of Ferry; workloadIdentity, serviceAccountRef and the controller's default credentials are not supported: set auth.gcp.secretRef",
    );
  }
  const secret = await secretKeyValue(input, ref);
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(secret.value) as ServiceAccountKey;
  } catch {
    throw new ProviderError(
      "InvalidStore",
      "auth.gcp.secretRef does not hold a service-account key (JSON)",
    );
  }
  const { client_email: email, private_key: privateKey, private_key_id: keyId } = key;
  if (typeof email !== "string" || typeof privateKey !== "string" || typeof keyId !== "string") {
    throw new ProviderError(
      "InvalidStore",
      "auth.gcp.secretRef: the service-account key lacks client_email, private_key or private_key_id",
    );
  }
  const path = `auth/${mount(spec.path, "gcp")}/login`;
  return {
    description: `gcp auth at ${path} (role ${spec.role})`,
    fingerprint: `gcp:${path}:${spec.role}:${secret.fingerprint}`,
    login: () => {
      const jwt = signLocally(loginClaims(email, spec.role, now()), { privateKey, keyId });
      return login(input, path, { role: spec.role, jwt });
    },
  };
}
