// Pieces shared by the AWS suites that run through the ExternalSecret
// controller: the controller with a registry holding one AWS provider whose
// endpoints point at the counting proxy (the variables ESO reads), AWS store
// objects, credential Secrets, and the
// comparison of target Secrets.
import { CORE, type KubeClient, type KubeObject } from "../../../../src/runtime/index.ts";
import {
  AwsSecretsProvider,
  type AwsProviderOptions,
} from "../../../../src/providers/aws/index.ts";
import { ProviderRegistry } from "../../../../src/providers/registry.ts";
import { testEnv, uniqueName } from "../../framework/env.ts";
import { ESO, startTestController, type TestController } from "../../controllers/framework.ts";
import { decode, type Secret } from "../../controllers/es-helpers.ts";
import { endpointEnv } from "./helpers.ts";

export interface AwsController {
  readonly ctl: TestController;
  readonly provider: AwsSecretsProvider;
  /**
   * The controller class of this suite: its stores carry it in
   * spec.controller, so other controllers running against the shared test
   * apiserver at the same time leave them (and their ExternalSecrets) alone.
   */
  readonly controllerClass: string;
}

/** `ferry controller` in-process with only the AWS provider, talking to `endpoint`. */
export async function startAwsController(
  endpoint: string,
  options: { concurrent?: number; provider?: AwsProviderOptions } = {},
): Promise<AwsController> {
  const provider = new AwsSecretsProvider({ env: endpointEnv(endpoint), ...options.provider });
  const registry = new ProviderRegistry([provider]);
  const controllerClass = uniqueName("aws-e2e");
  const ctl = await startTestController(
    { concurrent: options.concurrent ?? 4, controllerClass },
    { registry },
  );
  return { ctl, provider, controllerClass };
}

/** The value of one sample in Prometheus text (0 when absent). */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

export type AwsStoreSpec = Record<string, unknown>;

export interface StoreId {
  readonly kind: "SecretStore" | "ClusterSecretStore";
  readonly name: string;
  /** SecretStore only. */
  readonly namespace?: string | undefined;
  /** spec.controller: the suite's controller class. */
  readonly controller: string;
}

/** A store of `provider.aws` (region defaults to moto's); `extra` adds spec fields (retrySettings…). */
export function awsStoreObject(
  id: StoreId,
  aws: AwsStoreSpec,
  extra: Record<string, unknown> = {},
): KubeObject {
  const { kind, name, namespace, controller } = id;
  return {
    apiVersion: "external-secrets.io/v1",
    kind,
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { controller, provider: { aws: { region: testEnv().moto.region, ...aws } }, ...extra },
  } as KubeObject;
}

export async function createStore(client: KubeClient, store: KubeObject): Promise<void> {
  const namespace = store.metadata?.namespace;
  await client.create(
    namespace === undefined ? ESO.clusterSecretStores : ESO.secretStores,
    store,
    namespace === undefined ? {} : { namespace },
  );
}

/** ESO's e2e credentials Secret: keys kid, sak, st (moto accepts any values). */
export async function createCredentialsSecret(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<void> {
  const moto = testEnv().moto;
  await client.create(
    CORE.secrets,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace },
      stringData: { kid: moto.accessKeyId, sak: moto.secretAccessKey, st: "e2e-session-token" },
    } as KubeObject,
    { namespace },
  );
}

/** auth.secretRef of ESO's e2e stores, with the session token. */
export const staticSecretRef = (name: string, namespace?: string): AwsStoreSpec => {
  const ns = namespace === undefined ? {} : { namespace };
  return {
    secretRef: {
      accessKeyIDSecretRef: { name, key: "kid", ...ns },
      secretAccessKeySecretRef: { name, key: "sak", ...ns },
      sessionTokenSecretRef: { name, key: "st", ...ns },
    },
  };
};

export async function createServiceAccount(
  client: KubeClient,
  namespace: string,
  name: string,
  annotations: Record<string, string>,
): Promise<void> {
  await client.create(
    CORE.serviceAccounts,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace, annotations } },
    { namespace },
  );
}

export interface Expected {
  readonly type?: string;
  readonly data: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly finalizers?: string[];
}

const sortedEntries = (record: Record<string, string>): string =>
  JSON.stringify(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Type and data equal; labels, annotations and finalizers include the expected ones. */
export function matches(secret: Secret, want: Expected): boolean {
  const meta = secret.metadata ?? {};
  const includes = (have: Record<string, string> | undefined, w: Record<string, string> = {}) =>
    Object.entries(w).every(([k, v]) => have?.[k] === v);
  return (
    (secret.type ?? "Opaque") === (want.type ?? "Opaque") &&
    sortedEntries(decode(secret)) === sortedEntries(want.data) &&
    includes(meta.labels, want.labels) &&
    includes(meta.annotations, want.annotations) &&
    (want.finalizers ?? []).every((f) => (meta.finalizers ?? []).includes(f))
  );
}
