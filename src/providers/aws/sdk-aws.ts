// The real SDK behind the ports of sdk.ts. Each client module is imported on
// first use only. The SDK's own retries are off (maxAttempts 1): calls.ts
// retries, so every attempt and every throttle is counted in one place.
// The SDK's own credential memo is off too (the provider is marked
// `memoized`): auth.ts's CredentialCache is the only memo, so dropping an
// expired session there takes effect on the very next request.
import type {
  AwsCredentials,
  ClientConfig,
  ParameterStorePort,
  SdkFactory,
  SecretsManagerPort,
  StsPort,
} from "./sdk.ts";

interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** A credential provider the SDK calls on every request instead of memoising it. */
type IdentitySource = (() => Promise<Identity>) & { memoized?: boolean };

interface BaseOptions {
  region: string;
  maxAttempts: number;
  endpoint?: string;
  credentials?: IdentitySource;
}

function identity(c: AwsCredentials): Identity {
  const out: Identity = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
  if (c.sessionToken !== undefined && c.sessionToken !== "") out.sessionToken = c.sessionToken;
  if (c.expiration !== undefined) out.expiration = c.expiration;
  return out;
}

function baseOptions(config: ClientConfig): BaseOptions {
  const options: BaseOptions = { region: config.region, maxAttempts: 1 };
  if (config.endpoint !== undefined && config.endpoint !== "") options.endpoint = config.endpoint;
  const source = config.credentials;
  if (source !== undefined) {
    const credentials: IdentitySource = async () => identity(await source());
    // The SDK skips its own memo for a provider flagged as memoised
    // (@aws-sdk/core normalizeCredentialProvider).
    credentials.memoized = true;
    options.credentials = credentials;
  }
  return options;
}

const sendOptions = (signal: AbortSignal | undefined): { abortSignal?: AbortSignal } =>
  signal === undefined ? {} : { abortSignal: signal };

async function secretsManager(config: ClientConfig): Promise<SecretsManagerPort & Disposable> {
  const sm = await import("@aws-sdk/client-secrets-manager");
  const client = new sm.SecretsManagerClient(baseOptions(config));
  return {
    getSecretValue: (input, signal) =>
      client.send(new sm.GetSecretValueCommand(input), sendOptions(signal)),
    describeSecret: (input, signal) =>
      client.send(new sm.DescribeSecretCommand(input), sendOptions(signal)),
    listSecrets: (input, signal) =>
      client.send(new sm.ListSecretsCommand(input), sendOptions(signal)),
    batchGetSecretValue: (input, signal) =>
      client.send(new sm.BatchGetSecretValueCommand(input), sendOptions(signal)),
    createSecret: (input, signal) =>
      client.send(new sm.CreateSecretCommand(input), sendOptions(signal)),
    putSecretValue: (input, signal) =>
      client.send(new sm.PutSecretValueCommand(input), sendOptions(signal)),
    tagResource: (input, signal) =>
      client.send(new sm.TagResourceCommand(input), sendOptions(signal)),
    untagResource: (input, signal) =>
      client.send(new sm.UntagResourceCommand(input), sendOptions(signal)),
    deleteSecret: (input, signal) =>
      client.send(new sm.DeleteSecretCommand(input), sendOptions(signal)),
    getResourcePolicy: (input, signal) =>
      client.send(new sm.GetResourcePolicyCommand(input), sendOptions(signal)),
    putResourcePolicy: (input, signal) =>
      client.send(new sm.PutResourcePolicyCommand(input), sendOptions(signal)),
    deleteResourcePolicy: (input, signal) =>
      client.send(new sm.DeleteResourcePolicyCommand(input), sendOptions(signal)),
    replicateSecretToRegions: (input, signal) =>
      client.send(new sm.ReplicateSecretToRegionsCommand(input), sendOptions(signal)),
    removeRegionsFromReplication: (input, signal) =>
      client.send(new sm.RemoveRegionsFromReplicationCommand(input), sendOptions(signal)),
    checkCredentials: async () => {
      await client.config.credentials();
    },
    [Symbol.dispose]: () => {
      client.destroy();
    },
  };
}

async function parameterStore(config: ClientConfig): Promise<ParameterStorePort & Disposable> {
  const ssm = await import("@aws-sdk/client-ssm");
  const client = new ssm.SSMClient(baseOptions(config));
  return {
    getParameter: (input, signal) =>
      client.send(new ssm.GetParameterCommand(input), sendOptions(signal)),
    getParametersByPath: (input, signal) =>
      client.send(new ssm.GetParametersByPathCommand(input), sendOptions(signal)),
    describeParameters: (input, signal) =>
      client.send(new ssm.DescribeParametersCommand(input), sendOptions(signal)),
    listTagsForResource: (input, signal) =>
      client.send(new ssm.ListTagsForResourceCommand(input), sendOptions(signal)),
    putParameter: (input, signal) =>
      client.send(new ssm.PutParameterCommand(input), sendOptions(signal)),
    addTagsToResource: (input, signal) =>
      client.send(new ssm.AddTagsToResourceCommand(input), sendOptions(signal)),
    removeTagsFromResource: (input, signal) =>
      client.send(new ssm.RemoveTagsFromResourceCommand(input), sendOptions(signal)),
    deleteParameter: (input, signal) =>
      client.send(new ssm.DeleteParameterCommand(input), sendOptions(signal)),
    checkCredentials: async () => {
      await client.config.credentials();
    },
    [Symbol.dispose]: () => {
      client.destroy();
    },
  };
}

async function sts(config: ClientConfig): Promise<StsPort & Disposable> {
  const mod = await import("@aws-sdk/client-sts");
  const client = new mod.STSClient(baseOptions(config));
  return {
    assumeRole: (input, signal) =>
      client.send(new mod.AssumeRoleCommand(input), sendOptions(signal)),
    assumeRoleWithWebIdentity: (input, signal) =>
      client.send(new mod.AssumeRoleWithWebIdentityCommand(input), sendOptions(signal)),
    [Symbol.dispose]: () => {
      client.destroy();
    },
  };
}

/** The production SdkFactory. */
export function awsSdk(): SdkFactory {
  return { secretsManager, parameterStore, sts };
}
