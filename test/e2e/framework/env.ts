// Access to the running test environment from end-to-end tests.
import {
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Namespace,
} from "@kubernetes/client-node";
import { randomBytes } from "node:crypto";
import { readTestEnv, type TestEnv } from "../../../scripts/testenv/env-file.ts";

export function testEnv(): TestEnv {
  const env = readTestEnv();
  if (env === undefined) {
    throw new Error("no test environment: run `npm run testenv -- up` (or npm run test:e2e)");
  }
  return env;
}

export function kubeConfig(env: TestEnv = testEnv()): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubernetes.kubeconfig);
  return kc;
}

export interface Kube {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly authn: AuthenticationV1Api;
}

export function kube(env: TestEnv = testEnv()): Kube {
  const config = kubeConfig(env);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    authn: config.makeApiClient(AuthenticationV1Api),
  };
}

/** A short random suffix, so parallel or repeated runs never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** Creates a fresh namespace; the returned function deletes it. */
export async function createNamespace(
  core: CoreV1Api,
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const body: V1Namespace = { metadata: { name: uniqueName(prefix) } };
  const created = await core.createNamespace({ body });
  const name = created.metadata?.name ?? "";
  return {
    name,
    remove: async () => {
      await core.deleteNamespace({ name });
    },
  };
}

/** Polls until `check` returns true, or fails after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  // A bound for a loaded 2-core CI machine, not a performance expectation.
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${detail}`);
}
