// What every auth method shares: reading referenced Secrets (with the
// namespace rules of esutils/resolvers), the login request, renew and revoke.
import type { SecretKeySelector } from "../../../api/index.ts";
import type { KubeAccess } from "../../../esutils/kube-access.ts";
import { referenceNamespace, resolveSecret } from "../../../esutils/resolvers.ts";
import type { GenericStore } from "../../../esutils/store.ts";
import { ProviderError } from "../../errors.ts";
import { parseBody, vaultErrors, type VaultHttp } from "../client.ts";
import type { LoginResult } from "../token-cache.ts";

/** Where store references resolve: the store and the source namespace. */
export interface RefContext {
  readonly store: GenericStore;
  readonly kube: KubeAccess;
  /** Namespace of the ExternalSecret/PushSecret (referent auth). */
  readonly namespace: string;
}

export interface AuthInput extends RefContext {
  readonly http: VaultHttp;
  /** X-Vault-Namespace for the login (auth.namespace, else the store's). */
  readonly authNamespace: string | undefined;
  readonly signal: AbortSignal;
}

/** An auth method ready to log in; reading its inputs cost no Vault request. */
export interface PreparedAuth {
  /** "kubernetes auth at auth/kubernetes", for messages. */
  readonly description: string;
  /** Identity of the credentials (Secret resourceVersions, ServiceAccount…). */
  readonly fingerprint: string;
  /** A static token (tokenSecretRef): never revoked, no login. */
  readonly staticToken?: string;
  readonly login?: () => Promise<LoginResult>;
}

export interface SecretValue {
  readonly value: string;
  readonly fingerprint: string;
}

/** The value of a referenced Secret key, and the Secret's identity. */
export async function secretKeyValue(
  input: RefContext,
  ref: SecretKeySelector,
  defaultKey?: string,
): Promise<SecretValue> {
  const secret = await resolveSecret(input.kube, input.store, ref, input.namespace);
  const key = ref.key ?? defaultKey ?? "";
  const bytes = secret.data.get(key);
  if (bytes === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `Secret "${secret.namespace}/${secret.name}" has no key "${key}"`,
    );
  }
  return {
    value: Buffer.from(bytes).toString("utf8"),
    fingerprint: `${secret.namespace}/${secret.name}@${secret.resourceVersion ?? "?"}`,
  };
}

/** The namespace a ServiceAccount reference resolves in (referent rules). */
export function serviceAccountNamespace(
  input: RefContext,
  ref: { readonly name: string; readonly namespace?: string | undefined },
): string {
  return referenceNamespace(input.store, ref, input.namespace);
}

function loginResult(body: Record<string, unknown>, what: string): LoginResult {
  const auth = body["auth"] as Record<string, unknown> | null | undefined;
  const token = auth?.["client_token"];
  if (typeof token !== "string" || token === "") {
    throw new ProviderError("AuthFailed", `${what} returned no client token`);
  }
  const lease = auth?.["lease_duration"];
  return {
    token,
    leaseSeconds: typeof lease === "number" ? lease : 0,
    renewable: auth?.["renewable"] === true,
  };
}

/** POST auth/<mount>/login[/<user>]: the token and its lease. */
export async function login(
  input: AuthInput,
  path: string,
  body: Readonly<Record<string, unknown>>,
): Promise<LoginResult> {
  const what = `login at ${path}`;
  const response = await input.http.send({
    method: "POST",
    path,
    body,
    namespace: input.authNamespace,
    signal: input.signal,
  });
  if (response.status >= 500 || response.status === 429) throw input.http.failure(response, what);
  if (response.status !== 200) {
    const detail = vaultErrors(response.text);
    throw new ProviderError(
      "AuthFailed",
      `${what} failed (${response.status})${detail === "" ? "" : `: ${detail}`}`,
    );
  }
  return loginResult(parseBody(response, what), what);
}

/** auth/token/renew-self. */
export async function renewSelf(
  http: VaultHttp,
  token: string,
  namespace: string | undefined,
): Promise<LoginResult> {
  const what = "token renewal (auth/token/renew-self)";
  const response = await http.send({
    method: "POST",
    path: "auth/token/renew-self",
    token,
    body: {},
    namespace,
  });
  if (response.status !== 200) throw http.failure(response, what);
  return loginResult(parseBody(response, what), what);
}

/** auth/token/revoke-self. */
export async function revokeSelf(
  http: VaultHttp,
  token: string,
  namespace: string | undefined,
): Promise<void> {
  const response = await http.send({
    method: "POST",
    path: "auth/token/revoke-self",
    token,
    body: {},
    namespace,
  });
  if (response.status !== 204 && response.status !== 200) {
    throw http.failure(response, "token revocation (auth/token/revoke-self)");
  }
}

/** A mount path as Vault wants it in URLs (no slashes around). */
export function mount(path: string | undefined, fallback: string): string {
  const trimmed = (path ?? "").replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? fallback : trimmed;
}
