// kubectl against the test environment, and the CRD installation every API
// test starts with. CRDs are cluster-wide and shared: applied idempotently
// with server-side apply, never deleted.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { testEnv } from "../framework/env.ts";

export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");
export const CRD_BUNDLE = join(REPO_ROOT, "deploy", "crds", "bundle.yaml");

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs kubectl with the environment's kubeconfig; never throws on a non-zero exit. */
export function kubectl(args: readonly string[], stdin?: string): Promise<KubectlResult> {
  const env = testEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(
      env.kubernetes.kubectl,
      ["--kubeconfig", env.kubernetes.kubeconfig, ...args],
      {
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(stdin ?? "");
  });
}

/** Like kubectl, but fails with kubectl's output on a non-zero exit. */
export async function kubectlOk(args: readonly string[], stdin?: string): Promise<string> {
  const result = await kubectl(args, stdin);
  if (result.code !== 0) {
    throw new Error(
      `kubectl ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

/** Installs (or updates) Ferry's CRDs and waits until every one is Established. */
export async function installCrds(): Promise<void> {
  await kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", CRD_BUNDLE]);
  await kubectlOk([
    "wait",
    "--for=condition=Established",
    "crd",
    "-l",
    "external-secrets.io/component=controller",
    "--timeout=60s",
  ]);
}
