// Shared pieces of the AWS provider e2e tests: a counting proxy in front of
// moto (records every request: operation from X-Amz-Target or the STS
// Action, resource, signing key; can answer with injected AWS errors), SDK
// clients to seed moto, and store builders.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsProvider as AwsProviderSpec } from "../../../../src/api/index.ts";
import type { GenericStore, StoreKind } from "../../../../src/esutils/store.ts";
import type { Ctx } from "../../../../src/providers/provider.ts";
import { testEnv } from "../../framework/env.ts";

/** One request that reached the proxy. */
export interface ProxiedRequest {
  /** The AWS operation: X-Amz-Target's last part, or the query protocol's Action. */
  readonly operation: string;
  /** SecretId (Secrets Manager) or Name (SSM) of a JSON request, if any. */
  readonly resource: string | undefined;
  /** BatchGetSecretValue: the SecretIdList. */
  readonly secretIds: readonly string[];
  /** The access key id the request was signed with (from the SigV4 Authorization header). */
  readonly accessKeyId: string;
  /** Form parameters of a query-protocol (STS) request. */
  readonly params: URLSearchParams;
  /** Arrival time, ms since epoch. */
  readonly at: number;
}

/** An AWS error the proxy answers with instead of forwarding (JSON protocols only). */
export interface InjectedError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface CountingProxy {
  readonly endpoint: string;
  readonly counts: Map<string, number>;
  readonly requests: ProxiedRequest[];
  count(operation: string, resource?: string): number;
  /** Answers requests for which `rule` returns an error itself (undefined: forward to moto). */
  inject(rule: ((req: ProxiedRequest) => InjectedError | undefined) | undefined): void;
  close(): Promise<void>;
}

function operationOf(target: string | undefined, body: string): string {
  if (target !== undefined && target !== "") return target.split(".").at(-1) ?? target;
  return new URLSearchParams(body).get("Action") ?? "unknown";
}

interface JsonRequest {
  readonly SecretId?: unknown;
  readonly Name?: unknown;
  readonly SecretIdList?: unknown;
}

function jsonBody(target: string, body: string): JsonRequest {
  if (target === "") return {};
  try {
    return JSON.parse(body) as JsonRequest;
  } catch {
    return {};
  }
}

function describeRequest(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): ProxiedRequest {
  const target = (headers["x-amz-target"] as string | undefined) ?? "";
  const auth = (headers["authorization"] as string | undefined) ?? "";
  const json = jsonBody(target, body);
  const id = json.SecretId ?? json.Name;
  return {
    operation: operationOf(target, body),
    resource: typeof id === "string" ? id : undefined,
    secretIds: Array.isArray(json.SecretIdList) ? (json.SecretIdList as string[]) : [],
    accessKeyId: /Credential=([^/]+)\//.exec(auth)?.[1] ?? "",
    params: target === "" ? new URLSearchParams(body) : new URLSearchParams(),
    at: Date.now(),
  };
}

/**
 * A loopback HTTP proxy to moto that records every AWS request (operation,
 * resource, signing key) and can answer some with an injected AWS error,
 * for what moto cannot do itself (expired sessions, throttling).
 */
export async function countingProxy(): Promise<CountingProxy> {
  const upstream = new URL(testEnv().moto.endpoint);
  const counts = new Map<string, number>();
  const requests: ProxiedRequest[] = [];
  let rule: ((req: ProxiedRequest) => InjectedError | undefined) | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const seen = describeRequest(req.headers, body.toString("utf8"));
      requests.push(seen);
      counts.set(seen.operation, (counts.get(seen.operation) ?? 0) + 1);
      const injected = rule?.(seen);
      if (injected !== undefined) {
        res.writeHead(injected.status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-errortype": injected.type,
        });
        res.end(JSON.stringify({ __type: injected.type, message: injected.message }));
        return;
      }
      const forward = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    counts,
    requests,
    count: (op, resource) =>
      resource === undefined
        ? (counts.get(op) ?? 0)
        : requests.filter((r) => r.operation === op && r.resource === resource).length,
    inject: (next) => {
      rule = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The env the provider reads its endpoint overrides from (ESO's variable names). */
export const endpointEnv = (endpoint: string): Record<string, string> => ({
  AWS_SECRETSMANAGER_ENDPOINT: endpoint,
  AWS_SSM_ENDPOINT: endpoint,
  AWS_STS_ENDPOINT: endpoint,
});

const credentials = () => ({
  accessKeyId: testEnv().moto.accessKeyId,
  secretAccessKey: testEnv().moto.secretAccessKey,
});

/** A Secrets Manager client straight to moto (not through a proxy), to seed and inspect. */
export const seedSm = (region = testEnv().moto.region): SecretsManagerClient =>
  new SecretsManagerClient({
    region,
    endpoint: testEnv().moto.endpoint,
    credentials: credentials(),
  });

export const seedSsm = (region = testEnv().moto.region): SSMClient =>
  new SSMClient({ region, endpoint: testEnv().moto.endpoint, credentials: credentials() });

export const ctx = (): Ctx => ({
  signal: AbortSignal.timeout(30_000),
  log: { debug: () => undefined, info: () => undefined },
});

export function store(
  spec: Partial<AwsProviderSpec>,
  options: { kind?: StoreKind; namespace?: string; name?: string } = {},
): GenericStore {
  const kind = options.kind ?? "SecretStore";
  return {
    kind,
    metadata: {
      name: options.name ?? "aws",
      ...(kind === "SecretStore" ? { namespace: options.namespace ?? "default" } : {}),
      generation: 1,
    },
    spec: {
      provider: { aws: { service: "SecretsManager", region: testEnv().moto.region, ...spec } },
    },
  };
}

export const staticAuth = (namespace?: string): NonNullable<AwsProviderSpec["auth"]> => {
  const ns = namespace === undefined ? {} : { namespace };
  return {
    secretRef: {
      accessKeyIDSecretRef: { name: "aws-creds", key: "access-key", ...ns },
      secretAccessKeySecretRef: { name: "aws-creds", key: "secret-key", ...ns },
    },
  };
};

export const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
