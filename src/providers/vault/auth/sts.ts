// The three AWS STS operations Vault's iam auth needs to obtain credentials
// (ESO's vault/iamauth): AssumeRoleWithWebIdentity (IRSA through a
// ServiceAccount token), AssumeRole (auth.iam.role, with externalID) and the
// SDK's default chain (EKS Pod Identity, the controller's environment). The
// endpoint can be overridden with AWS_STS_ENDPOINT, as in ESO.
//
// The same small port exists in the aws provider (src/providers/aws/sdk.ts);
// a provider may not import another provider's folder, so this one is the
// Vault provider's own until the STS helper moves to esutils.
import type * as StsSdk from "@aws-sdk/client-sts";
import { ProviderError } from "../../errors.ts";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface StsConfig {
  readonly region: string;
  /** AWS_STS_ENDPOINT, when set. */
  readonly endpoint?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface WebIdentityInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly webIdentityToken: string;
}

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string | undefined;
}

export interface StsPort {
  assumeRoleWithWebIdentity(input: WebIdentityInput): Promise<AwsCredentials>;
  /** AssumeRole signed with `credentials`. */
  assumeRole(credentials: AwsCredentials, input: AssumeRoleInput): Promise<AwsCredentials>;
  /** The SDK's default credential chain (environment, container/Pod Identity, IMDS). */
  defaultChain(): Promise<AwsCredentials>;
}

export type StsFactory = (config: StsConfig) => StsPort;

interface StsOutput {
  readonly Credentials?:
    | {
        readonly AccessKeyId?: string | undefined;
        readonly SecretAccessKey?: string | undefined;
        readonly SessionToken?: string | undefined;
      }
    | undefined;
}

function credentialsOf(out: StsOutput, what: string): AwsCredentials {
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
    throw new ProviderError("AuthFailed", `${what} returned no credentials`);
  }
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
  };
}

/** AWS error names and messages carry no secrets (ARNs, "AccessDenied: …"). */
function failure(what: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { name?: unknown; message?: unknown };
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : String(err);
  return new ProviderError("AuthFailed", `${what} failed: ${name}: ${message}`, { cause: err });
}

type StsModule = typeof StsSdk;

async function client(
  config: StsConfig,
  credentials?: AwsCredentials,
): Promise<{ sts: StsModule; client: InstanceType<StsModule["STSClient"]> }> {
  const sts = await import("@aws-sdk/client-sts");
  const endpoint = config.endpoint ?? "";
  const instance = new sts.STSClient({
    region: config.region,
    ...(endpoint === "" ? {} : { endpoint }),
    ...(credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken === undefined
              ? {}
              : { sessionToken: credentials.sessionToken }),
          },
        }),
  });
  return { sts, client: instance };
}

/** The STS port on the AWS SDK for JavaScript v3 (loaded on first use). */
export const sdkSts: StsFactory = (config) => {
  const options = config.signal === undefined ? {} : { abortSignal: config.signal };
  return {
    async assumeRoleWithWebIdentity(input) {
      const what = `AssumeRoleWithWebIdentity ${input.roleArn}`;
      const { sts, client: c } = await client(config);
      try {
        const out = await c.send(
          new sts.AssumeRoleWithWebIdentityCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            WebIdentityToken: input.webIdentityToken,
          }),
          options,
        );
        return credentialsOf(out, what);
      } catch (err) {
        throw failure(what, err);
      } finally {
        c.destroy();
      }
    },
    async assumeRole(credentials, input) {
      const what = `AssumeRole ${input.roleArn}`;
      const { sts, client: c } = await client(config, credentials);
      try {
        const out = await c.send(
          new sts.AssumeRoleCommand({
            RoleArn: input.roleArn,
            RoleSessionName: input.sessionName,
            ...(input.externalId === undefined ? {} : { ExternalId: input.externalId }),
          }),
          options,
        );
        return credentialsOf(out, what);
      } catch (err) {
        throw failure(what, err);
      } finally {
        c.destroy();
      }
    },
    async defaultChain() {
      const what = "the AWS SDK default credential chain";
      const { client: c } = await client(config);
      try {
        const identity = await c.config.credentials();
        return {
          accessKeyId: identity.accessKeyId,
          secretAccessKey: identity.secretAccessKey,
          sessionToken: identity.sessionToken,
        };
      } catch (err) {
        throw failure(what, err);
      } finally {
        c.destroy();
      }
    },
  };
};
