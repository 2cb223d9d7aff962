// The file that a running test environment is described by. `testenv up`
// writes it; tests read it (directly or through test/e2e/framework).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface KubernetesEnv {
  /** https://127.0.0.1:PORT of the kube-apiserver. */
  readonly server: string;
  /** Admin kubeconfig (system:masters, client certificate). */
  readonly kubeconfig: string;
  /** The upstream kubectl of the same version (a wrapper around k8sbin). */
  readonly kubectl: string;
  readonly caFile: string;
  readonly adminCertFile: string;
  readonly adminKeyFile: string;
  /** Issuer of ServiceAccount tokens (also their default audience). */
  readonly serviceAccountIssuer: string;
  /** Public key that verifies ServiceAccount tokens (PEM). */
  readonly serviceAccountPublicKeyFile: string;
  /** Client URL of etcd, e.g. to read the revision in benchmarks. */
  readonly etcdUrl: string;
}

export interface OpenBaoEnv {
  readonly address: string;
  readonly token: string;
}

export interface MotoEnv {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface TestEnv {
  readonly version: 1;
  readonly stateDir: string;
  readonly startedAt: string;
  readonly kubernetes: KubernetesEnv;
  readonly openbao: OpenBaoEnv;
  readonly moto: MotoEnv;
  /** Process ids by component name, for `testenv down`. */
  readonly pids: Readonly<Record<string, number>>;
}

export const repoRoot = resolve(import.meta.dirname, "..", "..");

/** Directory holding env.json, env.sh, logs and per-run data. */
export function stateDir(): string {
  return resolve(process.env["FERRY_TESTENV_DIR"] ?? join(repoRoot, ".testenv"));
}

export function envFilePath(dir: string = stateDir()): string {
  return join(dir, "env.json");
}

/** Reads the environment file, or returns undefined when none was written. */
export function readTestEnv(dir: string = stateDir()): TestEnv | undefined {
  const file = envFilePath(dir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as TestEnv;
}

/** Shell exports for use by hand: `source .testenv/env.sh`. */
export function envShell(env: TestEnv): string {
  const vars: Record<string, string> = {
    KUBECONFIG: env.kubernetes.kubeconfig,
    PATH: `${dirname(env.kubernetes.kubectl)}:${process.env["PATH"] ?? ""}`,
    BAO_ADDR: env.openbao.address,
    VAULT_ADDR: env.openbao.address,
    BAO_TOKEN: env.openbao.token,
    VAULT_TOKEN: env.openbao.token,
    AWS_ENDPOINT_URL: env.moto.endpoint,
    AWS_SECRETSMANAGER_ENDPOINT: env.moto.endpoint,
    AWS_SSM_ENDPOINT: env.moto.endpoint,
    AWS_STS_ENDPOINT: env.moto.endpoint,
    AWS_REGION: env.moto.region,
    AWS_ACCESS_KEY_ID: env.moto.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.moto.secretAccessKey,
  };
  return Object.entries(vars)
    .map(([k, v]) => `export ${k}=${JSON.stringify(v)}`)
    .join("\n")
    .concat("\n");
}
