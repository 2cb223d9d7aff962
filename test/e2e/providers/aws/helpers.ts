// Shared pieces of the AWS provider e2e tests: a counting proxy in front of
// moto (counts requests by X-Amz-Target or the STS Action), SDK clients to
// seed moto, and store builders.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsProvider as AwsProviderSpec } from "../../../../src/api/index.ts";
import type { GenericStore, StoreKind } from "../../../../src/esutils/store.ts";
import type { Ctx } from "../../../../src/providers/provider.ts";
import { testEnv } from "../../framework/env.ts";

export interface CountingProxy {
  readonly endpoint: string;
  readonly counts: Map<string, number>;
  count(operation: string): number;
  close(): Promise<void>;
}

function operationOf(target: string | undefined, body: string): string {
  if (target !== undefined && target !== "") return target.split(".").at(-1) ?? target;
  return new URLSearchParams(body).get("Action") ?? "unknown";
}

/** A loopback HTTP proxy to moto that counts AWS operations. */
export async function countingProxy(): Promise<CountingProxy> {
  const upstream = new URL(testEnv().moto.endpoint);
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = operationOf(
        req.headers["x-amz-target"] as string | undefined,
        body.toString("utf8"),
      );
      counts.set(op, (counts.get(op) ?? 0) + 1);
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
    count: (op) => counts.get(op) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const credentials = () => ({
  accessKeyId: testEnv().moto.accessKeyId,
  secretAccessKey: testEnv().moto.secretAccessKey,
});

export const seedSm = (): SecretsManagerClient =>
  new SecretsManagerClient({
    region: testEnv().moto.region,
    endpoint: testEnv().moto.endpoint,
    credentials: credentials(),
  });

export const seedSsm = (): SSMClient =>
  new SSMClient({
    region: testEnv().moto.region,
    endpoint: testEnv().moto.endpoint,
    credentials: credentials(),
  });

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
