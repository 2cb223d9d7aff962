// Where the AWS credentials of Vault's iam login come from, in ESO's order
// (providers/v1/vault/auth_iam.go, iamauth/):
//   1. auth.iam.jwt.serviceAccountRef: the ServiceAccount's
//      eks.amazonaws.com/role-arn annotation, a TokenRequest for the audience
//      of eks.amazonaws.com/audience (default sts.amazonaws.com) plus the
//      reference's audiences, then STS AssumeRoleWithWebIdentity (IRSA);
//   2. auth.iam.secretRef: static keys from Secrets;
//   3. neither: the controller's own identity, IRSA when
//      AWS_WEB_IDENTITY_TOKEN_FILE is set (the ServiceAccount named in that
//      token, as 1.), EKS Pod Identity when AWS_CONTAINER_CREDENTIALS_FULL_URI
//      is set (the SDK's default chain), otherwise an error.
// Then, when auth.iam.role is set, STS AssumeRole with those credentials
// (and auth.iam.externalID).
//
// Credentials are fetched only when Vault is really logged in to (the login
// is then reused for its lease), never on every reconcile as in ESO.
import type { VaultProvider } from "../../../api/index.ts";
import { ProviderError, StoreValidationError } from "../../errors.ts";
import { secretKeyValue, serviceAccountNamespace, type AuthInput } from "./common.ts";
import type { AwsCredentials, StsFactory, StsPort } from "./sts.ts";

export type IamAuth = NonNullable<NonNullable<VaultProvider["auth"]>["iam"]>;

export const ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn";
export const AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience";
export const DEFAULT_AUDIENCE = "sts.amazonaws.com";
/** ESO's session name for the web-identity role (iamauth.DefaultJWTProvider). */
export const WEB_IDENTITY_SESSION = "external-secrets-provider-vault";
/** Lifetime asked for the ServiceAccount token handed to STS. */
const TOKEN_SECONDS = 600;

/** Environment variables, injected (process.env in production). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface IamDeps {
  readonly env: Env;
  readonly sts: StsFactory;
  readonly readFile: (path: string) => Promise<string>;
  /** For AssumeRole session names. */
  readonly now: () => number;
}

export interface CredentialSource {
  /** Identity of what the credentials depend on (never the keys themselves). */
  readonly fingerprint: string;
  /** "IRSA via ServiceAccount ns/name (role arn)", for messages. */
  readonly description: string;
  get(): Promise<AwsCredentials>;
}

function stsFor(deps: IamDeps, region: string, signal: AbortSignal): StsPort {
  const endpoint = deps.env["AWS_STS_ENDPOINT"];
  return deps.sts({ region, endpoint, signal });
}

async function staticSource(
  input: AuthInput,
  refs: NonNullable<IamAuth["secretRef"]>,
): Promise<CredentialSource> {
  const id = await secretKeyValue(input, refs.accessKeyIDSecretRef);
  const secret = await secretKeyValue(input, refs.secretAccessKeySecretRef);
  const session =
    refs.sessionTokenSecretRef === undefined
      ? undefined
      : await secretKeyValue(input, refs.sessionTokenSecretRef);
  const credentials: AwsCredentials = {
    accessKeyId: id.value.trim(),
    secretAccessKey: secret.value.trim(),
    sessionToken: session?.value.trim(),
  };
  return {
    fingerprint: `static:${id.fingerprint}:${secret.fingerprint}:${session?.fingerprint ?? ""}`,
    description: "static keys from auth.iam.secretRef",
    get: () => Promise.resolve(credentials),
  };
}

interface ServiceAccountTarget {
  readonly namespace: string;
  readonly name: string;
  readonly extraAudiences: readonly string[];
}

async function serviceAccountSource(
  input: AuthInput,
  target: ServiceAccountTarget,
  where: { deps: IamDeps; region: string },
): Promise<CredentialSource> {
  const { namespace, name } = target;
  const sa = await input.kube.getServiceAccount(namespace, name);
  if (sa === undefined) {
    throw new ProviderError(
      "AuthFailed",
      `ServiceAccount "${namespace}/${name}" used for vault iam auth does not exist`,
    );
  }
  const roleArn = sa.annotations[ROLE_ARN_ANNOTATION] ?? "";
  if (roleArn === "") {
    throw new ProviderError(
      "AuthFailed",
      `an IAM role must be associated with service account ${name} (namespace: ${namespace}): set the annotation ${ROLE_ARN_ANNOTATION}`,
    );
  }
  const audience = sa.annotations[AUDIENCE_ANNOTATION] ?? "";
  const audiences = [audience === "" ? DEFAULT_AUDIENCE : audience, ...target.extraAudiences];
  return {
    fingerprint: `irsa:${namespace}/${name}:${roleArn}:${audiences.join(",")}`,
    description: `IRSA via ServiceAccount ${namespace}/${name} (${roleArn})`,
    get: async () => {
      const token = await input.kube.createServiceAccountToken(namespace, name, {
        audiences,
        expirationSeconds: TOKEN_SECONDS,
      });
      return stsFor(where.deps, where.region, input.signal).assumeRoleWithWebIdentity({
        roleArn,
        sessionName: WEB_IDENTITY_SESSION,
        webIdentityToken: token.token,
      });
    },
  };
}

/** The ServiceAccount a projected token was issued for (its claims, not verified: STS verifies). */
export function serviceAccountOfToken(jwt: string): { namespace: string; name: string } {
  const payload = jwt.trim().split(".")[1] ?? "";
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    claims = undefined;
  }
  const k8s = (claims as { "kubernetes.io"?: unknown } | undefined)?.["kubernetes.io"] as
    { namespace?: unknown; serviceaccount?: { name?: unknown } } | undefined;
  const namespace = k8s?.namespace;
  const name = k8s?.serviceaccount?.name;
  if (typeof namespace !== "string" || typeof name !== "string") {
    throw new ProviderError(
      "AuthFailed",
      "the web identity token (AWS_WEB_IDENTITY_TOKEN_FILE) names no Kubernetes ServiceAccount",
    );
  }
  return { namespace, name };
}

async function controllerSource(
  input: AuthInput,
  where: { deps: IamDeps; region: string },
): Promise<CredentialSource> {
  const env = where.deps.env;
  const tokenFile = env["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? "";
  if (tokenFile !== "") {
    let jwt: string;
    try {
      jwt = await where.deps.readFile(tokenFile);
    } catch (err) {
      throw new ProviderError(
        "AuthFailed",
        `could not read the web identity token from the file ${tokenFile}: ${(err as Error).message}`,
      );
    }
    const sa = serviceAccountOfToken(jwt);
    return serviceAccountSource(input, { ...sa, extraAudiences: [] }, where);
  }
  if ((env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] ?? "") !== "") {
    return {
      fingerprint: "pod-identity",
      description: "EKS Pod Identity (the AWS SDK default chain)",
      get: () => stsFor(where.deps, where.region, input.signal).defaultChain(),
    };
  }
  throw new ProviderError(
    "AuthFailed",
    "no AWS authentication method found for vault iam auth: set auth.iam.jwt or auth.iam.secretRef, or run the controller with IRSA or Pod Identity",
  );
}

function withAssumedRole(
  base: CredentialSource,
  spec: IamAuth,
  where: { deps: IamDeps; region: string; signal: AbortSignal },
): CredentialSource {
  const roleArn = (spec.role ?? "").trim();
  if (roleArn === "") return base;
  const externalId = (spec.externalID ?? "") === "" ? undefined : spec.externalID;
  return {
    fingerprint: `${base.fingerprint}|assume:${roleArn}:${externalId ?? ""}`,
    description: `${base.description}, then AssumeRole ${roleArn}`,
    get: async () => {
      const credentials = await base.get();
      return stsFor(where.deps, where.region, where.signal).assumeRole(credentials, {
        roleArn,
        externalId,
        // the AWS SDK for Go's default, which ESO's AssumeRoleProvider uses
        sessionName: `aws-go-sdk-${String(where.deps.now() * 1_000_000)}`,
      });
    },
  };
}

/** The credentials of an iam login, as ESO chooses them. */
export async function iamCredentials(
  input: AuthInput,
  spec: IamAuth,
  where: { deps: IamDeps; region: string },
): Promise<CredentialSource> {
  const saRef = spec.jwt?.serviceAccountRef;
  if (spec.jwt !== undefined && saRef === undefined) {
    throw new StoreValidationError("auth.iam.jwt needs serviceAccountRef");
  }
  let base: CredentialSource;
  if (saRef !== undefined) {
    const namespace = serviceAccountNamespace(input, saRef);
    const target = { namespace, name: saRef.name, extraAudiences: saRef.audiences ?? [] };
    base = await serviceAccountSource(input, target, where);
  } else if (spec.secretRef !== undefined) {
    base = await staticSource(input, spec.secretRef);
  } else {
    base = await controllerSource(input, where);
  }
  return withAssumedRole(base, spec, { ...where, signal: input.signal });
}
