// Builders shared by the unit tests of the AWS provider: stores, an
// in-memory KubeAccess, a Ctx, and a provider wired to FakeAws.
import type { AwsProvider as AwsProviderSpec } from "../../api/index.ts";
import type {
  ConfigMapObject,
  KubeAccess,
  SecretObject,
  ServiceAccountObject,
  TokenRequestOptions,
} from "../../esutils/kube-access.ts";
import type { GenericStore, StoreKind } from "../../esutils/store.ts";
import type { Ctx } from "../provider.ts";
import type { ClientConfig } from "./sdk.ts";
import { FakeAws } from "./fake-sdk.ts";
import { AwsSecretsProvider, type AwsProviderOptions } from "./index.ts";

export const ctx = (): Ctx => ({
  signal: new AbortController().signal,
  log: { debug: () => undefined, info: () => undefined },
});

export function awsStore(
  spec: Partial<AwsProviderSpec>,
  options: { kind?: StoreKind; namespace?: string; name?: string; generation?: number } = {},
): GenericStore {
  const kind = options.kind ?? "SecretStore";
  return {
    kind,
    metadata: {
      name: options.name ?? "aws-store",
      ...(kind === "SecretStore" ? { namespace: options.namespace ?? "apps" } : {}),
      generation: options.generation ?? 1,
    },
    spec: {
      provider: { aws: { service: "SecretsManager", region: "eu-west-1", ...spec } },
    },
  };
}

export const staticAuth = (namespace?: string): NonNullable<AwsProviderSpec["auth"]> => ({
  secretRef: {
    accessKeyIDSecretRef: {
      name: "aws-creds",
      key: "ak",
      ...(namespace === undefined ? {} : { namespace }),
    },
    secretAccessKeySecretRef: {
      name: "aws-creds",
      key: "sk",
      ...(namespace === undefined ? {} : { namespace }),
    },
  },
});

export class FakeKube implements KubeAccess {
  readonly secrets = new Map<string, SecretObject>();
  readonly configMaps = new Map<string, ConfigMapObject>();
  readonly serviceAccounts = new Map<string, ServiceAccountObject>();
  readonly tokenRequests: { namespace: string; name: string; options: TokenRequestOptions }[] = [];

  addSecret(namespace: string, name: string, data: Record<string, string>): void {
    this.secrets.set(`${namespace}/${name}`, {
      namespace,
      name,
      data: new Map(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))])),
      labels: {},
      annotations: {},
    });
  }

  addConfigMap(namespace: string, name: string, data: Record<string, string>): void {
    this.configMaps.set(`${namespace}/${name}`, {
      namespace,
      name,
      data: new Map(Object.entries(data)),
    });
  }

  addServiceAccount(namespace: string, name: string, annotations: Record<string, string>): void {
    this.serviceAccounts.set(`${namespace}/${name}`, { namespace, name, annotations });
  }

  getSecret(namespace: string, name: string): Promise<SecretObject | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }

  getConfigMap(namespace: string, name: string): Promise<ConfigMapObject | undefined> {
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }

  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountObject | undefined> {
    return Promise.resolve(this.serviceAccounts.get(`${namespace}/${name}`));
  }

  createServiceAccountToken(
    namespace: string,
    name: string,
    options: TokenRequestOptions,
  ): Promise<{ token: string; expiresAt: number }> {
    this.tokenRequests.push({ namespace, name, options });
    return Promise.resolve({ token: `jwt-${namespace}-${name}`, expiresAt: Date.now() + 600_000 });
  }
}

export interface Harness {
  readonly aws: FakeAws;
  readonly kube: FakeKube;
  readonly provider: AwsSecretsProvider;
  readonly clock: { now: number };
  /** Every ClientConfig the provider asked the SDK factory for. */
  readonly configs: readonly ClientConfig[];
}

/** A provider on FakeAws with static credentials in apps/aws-creds and a manual clock. */
export function harness(options: AwsProviderOptions = {}): Harness {
  const aws = new FakeAws();
  const clock = { now: 1_700_000_000_000 };
  aws.now = () => clock.now;
  const kube = new FakeKube();
  kube.addSecret("apps", "aws-creds", { ak: "AKIDTEST", sk: "very-secret-key" });
  const sdk = aws.factory();
  const provider = new AwsSecretsProvider({
    sdk,
    now: () => clock.now,
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    ...options,
  });
  return { aws, kube, provider, clock, configs: sdk.configs };
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");
