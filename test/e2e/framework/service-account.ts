// Kubeconfigs that authenticate with a ServiceAccount token, as a Pod's
// client does, instead of the test environment's admin certificate: the
// controller e2e test of deploy/rbac/controller.yaml and the benchmark use
// them (a token is also what a real controller presents to the apiserver).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { kubectlOk, REPO_ROOT } from "../api/kubectl.ts";
import { testEnv } from "./env.ts";

export const CONTROLLER_RBAC = join(REPO_ROOT, "deploy", "rbac", "controller.yaml");
export const CONTROLLER_NAMESPACE = "ferry-system";
export const CONTROLLER_SERVICE_ACCOUNT = "ferry";

/** Applies deploy/rbac/controller.yaml (idempotent, server-side). */
export async function applyControllerRbac(): Promise<void> {
  await kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", CONTROLLER_RBAC]);
}

/**
 * Writes a kubeconfig at `path` holding a fresh token (TokenRequest, 2 h)
 * of ServiceAccount `namespace/name`, and returns `path`.
 */
export async function serviceAccountKubeconfig(
  namespace: string,
  name: string,
  path: string,
): Promise<string> {
  const env = testEnv();
  const token = (
    await kubectlOk(["create", "token", name, "-n", namespace, "--duration=2h"])
  ).trim();
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "testenv",
        cluster: { server: env.kubernetes.server, "certificate-authority": env.kubernetes.caFile },
      },
    ],
    users: [{ name: `${namespace}-${name}`, user: { token } }],
    contexts: [{ name: "sa", context: { cluster: "testenv", user: `${namespace}-${name}` } }],
    "current-context": "sa",
  };
  writeFileSync(path, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
  return path;
}

/** The controller's own identity: RBAC applied, a token kubeconfig in the test environment's state directory. */
export async function controllerKubeconfig(): Promise<string> {
  await applyControllerRbac();
  return serviceAccountKubeconfig(
    CONTROLLER_NAMESPACE,
    CONTROLLER_SERVICE_ACCOUNT,
    join(testEnv().stateDir, "ferry-controller.kubeconfig"),
  );
}
