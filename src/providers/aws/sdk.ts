// Narrow ports over the AWS SDK: only the calls the provider makes, with
// only the fields it reads. Unit tests implement them in memory
// (fake-sdk.ts); production wraps the real SDK clients, loaded lazily so a
// Ferry that never sees an AWS store never pays for the SDK.
//
// Every port call goes through `instrument` (calls.ts), which counts calls,
// retries throttling and transient failures with backoff, retries an expired
// STS session once with a new one, and reports each attempt to the stats
// hook, so throttling shows up in metrics instead of failing a sync. The
// error classification below is shared by that loop and the services.
import type {
  BatchGetSecretValueCommandInput,
  CreateSecretCommandInput,
  DeleteSecretCommandInput,
  DescribeSecretCommandInput,
  GetSecretValueCommandInput,
  ListSecretsCommandInput,
  DeleteResourcePolicyCommandInput,
  GetResourcePolicyCommandInput,
  PutResourcePolicyCommandInput,
  PutSecretValueCommandInput,
  RemoveRegionsFromReplicationCommandInput,
  ReplicateSecretToRegionsCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
} from "@aws-sdk/client-secrets-manager";
import type {
  AddTagsToResourceCommandInput,
  DeleteParameterCommandInput,
  DescribeParametersCommandInput,
  GetParameterCommandInput,
  GetParametersByPathCommandInput,
  ListTagsForResourceCommandInput,
  PutParameterCommandInput,
  RemoveTagsFromResourceCommandInput,
} from "@aws-sdk/client-ssm";
import type {
  AssumeRoleCommandInput,
  AssumeRoleWithWebIdentityCommandInput,
} from "@aws-sdk/client-sts";

export type {
  BatchGetSecretValueCommandInput,
  CreateSecretCommandInput,
  DeleteSecretCommandInput,
  DescribeSecretCommandInput,
  GetSecretValueCommandInput,
  ListSecretsCommandInput,
  DeleteResourcePolicyCommandInput,
  GetResourcePolicyCommandInput,
  PutResourcePolicyCommandInput,
  PutSecretValueCommandInput,
  RemoveRegionsFromReplicationCommandInput,
  ReplicateSecretToRegionsCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
  AddTagsToResourceCommandInput,
  DeleteParameterCommandInput,
  DescribeParametersCommandInput,
  GetParameterCommandInput,
  GetParametersByPathCommandInput,
  ListTagsForResourceCommandInput,
  PutParameterCommandInput,
  RemoveTagsFromResourceCommandInput,
  AssumeRoleCommandInput,
  AssumeRoleWithWebIdentityCommandInput,
};

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  /** Absent for long-lived (static) keys. */
  readonly expiration?: Date | undefined;
}

/** Resolves the credentials a client signs with; undefined = the SDK default chain. */
export type CredentialSource = () => Promise<AwsCredentials>;

export interface Tag {
  readonly Key?: string | undefined;
  readonly Value?: string | undefined;
}

export interface SecretValue {
  readonly ARN?: string | undefined;
  readonly Name?: string | undefined;
  readonly VersionId?: string | undefined;
  readonly SecretString?: string | undefined;
  readonly SecretBinary?: Uint8Array | undefined;
}

export interface SecretDescription {
  readonly ARN?: string | undefined;
  readonly Name?: string | undefined;
  readonly KmsKeyId?: string | undefined;
  readonly Tags?: readonly Tag[] | undefined;
  readonly VersionIdsToStages?: Readonly<Record<string, readonly string[]>> | undefined;
  /** The regions the secret is replicated to (user-managed replicas). */
  readonly ReplicationStatus?: readonly { readonly Region?: string | undefined }[] | undefined;
}

export interface SecretsManagerPort {
  getSecretValue(input: GetSecretValueCommandInput, signal?: AbortSignal): Promise<SecretValue>;
  describeSecret(
    input: DescribeSecretCommandInput,
    signal?: AbortSignal,
  ): Promise<SecretDescription>;
  listSecrets(
    input: ListSecretsCommandInput,
    signal?: AbortSignal,
  ): Promise<{
    readonly SecretList?: readonly SecretDescription[] | undefined;
    readonly NextToken?: string | undefined;
  }>;
  batchGetSecretValue(
    input: BatchGetSecretValueCommandInput,
    signal?: AbortSignal,
  ): Promise<{
    readonly SecretValues?: readonly SecretValue[] | undefined;
    readonly Errors?:
      | readonly {
          readonly SecretId?: string | undefined;
          readonly ErrorCode?: string | undefined;
        }[]
      | undefined;
    readonly NextToken?: string | undefined;
  }>;
  createSecret(
    input: CreateSecretCommandInput,
    signal?: AbortSignal,
  ): Promise<{ readonly ARN?: string | undefined }>;
  putSecretValue(input: PutSecretValueCommandInput, signal?: AbortSignal): Promise<unknown>;
  tagResource(input: TagResourceCommandInput, signal?: AbortSignal): Promise<unknown>;
  untagResource(input: UntagResourceCommandInput, signal?: AbortSignal): Promise<unknown>;
  deleteSecret(input: DeleteSecretCommandInput, signal?: AbortSignal): Promise<unknown>;
  getResourcePolicy(
    input: GetResourcePolicyCommandInput,
    signal?: AbortSignal,
  ): Promise<{ readonly ResourcePolicy?: string | undefined }>;
  putResourcePolicy(input: PutResourcePolicyCommandInput, signal?: AbortSignal): Promise<unknown>;
  deleteResourcePolicy(
    input: DeleteResourcePolicyCommandInput,
    signal?: AbortSignal,
  ): Promise<unknown>;
  replicateSecretToRegions(
    input: ReplicateSecretToRegionsCommandInput,
    signal?: AbortSignal,
  ): Promise<unknown>;
  removeRegionsFromReplication(
    input: RemoveRegionsFromReplicationCommandInput,
    signal?: AbortSignal,
  ): Promise<unknown>;
  /** Resolves the client's credentials (Validate). */
  checkCredentials(): Promise<void>;
}

export interface Parameter {
  readonly Name?: string | undefined;
  readonly Value?: string | undefined;
  readonly Version?: number | undefined;
}

export interface ParameterStorePort {
  getParameter(
    input: GetParameterCommandInput,
    signal?: AbortSignal,
  ): Promise<{ readonly Parameter?: Parameter | undefined }>;
  getParametersByPath(
    input: GetParametersByPathCommandInput,
    signal?: AbortSignal,
  ): Promise<{
    readonly Parameters?: readonly Parameter[] | undefined;
    readonly NextToken?: string | undefined;
  }>;
  describeParameters(
    input: DescribeParametersCommandInput,
    signal?: AbortSignal,
  ): Promise<{
    readonly Parameters?: readonly { readonly Name?: string | undefined }[] | undefined;
    readonly NextToken?: string | undefined;
  }>;
  listTagsForResource(
    input: ListTagsForResourceCommandInput,
    signal?: AbortSignal,
  ): Promise<{ readonly TagList?: readonly Tag[] | undefined }>;
  putParameter(input: PutParameterCommandInput, signal?: AbortSignal): Promise<unknown>;
  addTagsToResource(input: AddTagsToResourceCommandInput, signal?: AbortSignal): Promise<unknown>;
  removeTagsFromResource(
    input: RemoveTagsFromResourceCommandInput,
    signal?: AbortSignal,
  ): Promise<unknown>;
  deleteParameter(input: DeleteParameterCommandInput, signal?: AbortSignal): Promise<unknown>;
  checkCredentials(): Promise<void>;
}

export interface StsCredentialsOutput {
  readonly Credentials?:
    | {
        readonly AccessKeyId?: string | undefined;
        readonly SecretAccessKey?: string | undefined;
        readonly SessionToken?: string | undefined;
        readonly Expiration?: Date | undefined;
      }
    | undefined;
}

export interface StsPort {
  assumeRole(input: AssumeRoleCommandInput, signal?: AbortSignal): Promise<StsCredentialsOutput>;
  assumeRoleWithWebIdentity(
    input: AssumeRoleWithWebIdentityCommandInput,
    signal?: AbortSignal,
  ): Promise<StsCredentialsOutput>;
}

export interface ClientConfig {
  readonly region: string;
  /** From AWS_SECRETSMANAGER_ENDPOINT / AWS_SSM_ENDPOINT / AWS_STS_ENDPOINT. */
  readonly endpoint?: string | undefined;
  readonly credentials?: CredentialSource | undefined;
}

/** Builds the ports; the real one loads the SDK on first use. */
export interface SdkFactory {
  secretsManager(config: ClientConfig): Promise<SecretsManagerPort & Disposable>;
  parameterStore(config: ClientConfig): Promise<ParameterStorePort & Disposable>;
  sts(config: ClientConfig): Promise<StsPort & Disposable>;
}

// ---------------------------------------------------------------------------
// Error classification, shared by the retry loop and the services.

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/** The AWS error code (`ResourceNotFoundException`…), or "" for non-AWS errors. */
export function errorCode(err: unknown): string {
  if (typeof err !== "object" || err === null) return "";
  const name = (err as SdkErrorShape).name;
  return typeof name === "string" ? name : "";
}

export function httpStatus(err: unknown): number {
  if (typeof err !== "object" || err === null) return 0;
  const status = (err as SdkErrorShape).$metadata?.httpStatusCode;
  return typeof status === "number" ? status : 0;
}

/** The AWS error message; AWS messages name resources, never secret values. */
export function errorMessage(err: unknown): string {
  if (typeof err !== "object" || err === null) return String(err);
  const message = (err as SdkErrorShape).message;
  return typeof message === "string" ? message : "";
}

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
]);

export function isThrottling(err: unknown): boolean {
  return THROTTLING_CODES.has(errorCode(err)) || httpStatus(err) === 429;
}

const TRANSIENT_CODES = new Set([
  "InternalServiceError",
  "InternalFailure",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
]);

/** Worth another try within the same call: 5xx, timeouts, dropped connections. */
export function isTransient(err: unknown): boolean {
  const status = httpStatus(err);
  if (status >= 500 && status <= 599) return true;
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  return TRANSIENT_CODES.has(errorCode(err)) || TRANSIENT_CODES.has(code);
}

const AUTH_CODES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidIdentityToken",
  "IDPRejectedClaim",
  "CredentialsProviderError",
  "SignatureDoesNotMatch",
]);

export function isAuthError(err: unknown): boolean {
  return AUTH_CODES.has(errorCode(err)) || httpStatus(err) === 403;
}

const EXPIRED_CODES = new Set(["ExpiredToken", "ExpiredTokenException"]);

/**
 * The temporary credentials a request was signed with have expired (or were
 * revoked early): fresh ones from STS may succeed where a plain retry cannot.
 */
export function isExpiredCredentials(err: unknown): boolean {
  return EXPIRED_CODES.has(errorCode(err));
}
