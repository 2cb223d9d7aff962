// The Kubernetes control plane: embedded etcd, kube-apiserver and
// kube-controller-manager (garbage collector, namespace and ServiceAccount
// controllers), three processes of the k8sbin binary.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubernetesEnv } from "./env-file.ts";
import { generateCerts, writeKubeconfig, type ControlPlaneCerts } from "./certs.ts";
import { freePort, startProcess, waitReady, type Started } from "./processes.ts";
import { httpGet, httpsGet } from "./probes.ts";

interface Step {
  readonly k8sbin: string;
  readonly runDir: string;
  readonly certs: ControlPlaneCerts;
}

async function startEtcd(k8sbin: string, runDir: string, started: Started[]): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const proc = startProcess({
    name: "etcd",
    command: k8sbin,
    args: [
      "etcd",
      `--data-dir=${join(runDir, "etcd")}`,
      `--client-url=${url}`,
      `--peer-url=http://127.0.0.1:${peerPort}`,
    ],
    logFile: join(runDir, "logs", "etcd.log"),
  });
  started.push(proc);
  await waitReady(
    proc,
    async () => (await httpGet(`${url}/health`)).body.includes('"health":"true"'),
    { timeoutMs: 30_000, what: "healthy (GET /health)" },
  );
  return url;
}

function apiserverArgs(port: number, etcdUrl: string, certs: ControlPlaneCerts): string[] {
  const issuer = `https://127.0.0.1:${port}`;
  return [
    "apiserver",
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--tls-cert-file=${certs.apiserverCert}`,
    `--tls-private-key-file=${certs.apiserverKey}`,
    `--client-ca-file=${certs.caCert}`,
    "--authorization-mode=Node,RBAC",
    `--service-account-issuer=${issuer}`,
    `--service-account-key-file=${certs.serviceAccountPub}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    // No kubelet runs, so Pods never start; the ServiceAccount admission
    // plugin would only add token volumes nobody mounts.
    "--disable-admission-plugins=ServiceAccount",
    // FERRY_TESTENV_PROFILING=1 serves /debug/pprof (for `go tool pprof`
    // while a benchmark runs); off otherwise.
    `--profiling=${process.env["FERRY_TESTENV_PROFILING"] === "1" ? "true" : "false"}`,
    "--v=1",
  ];
}

async function startApiserver(
  { k8sbin, runDir, etcdUrl, certs }: Step & { etcdUrl: string },
  started: Started[],
): Promise<string> {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const proc = startProcess({
    name: "kube-apiserver",
    command: k8sbin,
    args: apiserverArgs(port, etcdUrl, certs),
    logFile: join(runDir, "logs", "kube-apiserver.log"),
  });
  started.push(proc);
  const tls = { caFile: certs.caCert, certFile: certs.adminCert, keyFile: certs.adminKey };
  await waitReady(
    proc,
    async () => {
      const res = await httpsGet(`${server}/readyz`, tls);
      return res.status === 200 && res.body.trim() === "ok";
    },
    { timeoutMs: 120_000, what: "ready (GET /readyz as admin)" },
  );
  return server;
}

async function startControllerManager(
  { k8sbin, runDir, server, kubeconfig, certs }: Step & { server: string; kubeconfig: string },
  started: Started[],
): Promise<void> {
  const proc = startProcess({
    name: "kube-controller-manager",
    command: k8sbin,
    args: [
      "controller-manager",
      `--kubeconfig=${kubeconfig}`,
      "--controllers=garbage-collector-controller,namespace-controller,serviceaccount-controller",
      "--leader-elect=false",
      "--secure-port=0",
      "--v=1",
    ],
    logFile: join(runDir, "logs", "kube-controller-manager.log"),
  });
  started.push(proc);
  // The ServiceAccount controller creating `default` in namespace `default`
  // proves the controller manager is connected and its controllers run.
  const tls = { caFile: certs.caCert, certFile: certs.adminCert, keyFile: certs.adminKey };
  await waitReady(
    proc,
    async () =>
      (await httpsGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, tls))
        .status === 200,
    { timeoutMs: 90_000, what: "running (ServiceAccount default/default created)" },
  );
}

/**
 * Starts etcd, the apiserver and the controller manager. Every process is
 * pushed onto `started` as soon as it runs, so the caller can stop them all
 * when a later step fails.
 */
export async function startControlPlane(
  bins: { k8sbin: string; kubectl: string },
  runDir: string,
  started: Started[],
): Promise<KubernetesEnv> {
  const { k8sbin, kubectl } = bins;
  const pkiDir = join(runDir, "pki");
  mkdirSync(pkiDir, { recursive: true });
  const certs = generateCerts(pkiDir);
  const etcd = await startEtcd(k8sbin, runDir, started);
  const server = await startApiserver({ k8sbin, runDir, etcdUrl: etcd, certs }, started);
  const kubeconfig = join(runDir, "admin.kubeconfig");
  writeKubeconfig(kubeconfig, server, certs);
  await startControllerManager({ k8sbin, runDir, server, kubeconfig, certs }, started);
  return {
    server,
    kubeconfig,
    kubectl,
    caFile: certs.caCert,
    adminCertFile: certs.adminCert,
    adminKeyFile: certs.adminKey,
    serviceAccountIssuer: server,
    serviceAccountPublicKeyFile: certs.serviceAccountPub,
    etcdUrl: etcd,
  };
}
