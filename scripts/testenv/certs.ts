// Certificates and keys of the test control plane, made with the openssl CLI
// into the run directory: a CA, the apiserver's serving certificate, an admin
// client certificate (group system:masters), the ServiceAccount signing key
// pair, and an admin kubeconfig.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export interface ControlPlaneCerts {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiserverCert: string;
  readonly apiserverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function newKey(path: string): void {
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path]);
}

interface LeafSpec {
  readonly name: string;
  readonly subject: string;
  readonly extensions: string;
}

function signLeaf(dir: string, ca: { cert: string; key: string }, spec: LeafSpec): void {
  const key = join(dir, `${spec.name}.key`);
  const csr = join(dir, `${spec.name}.csr`);
  const ext = join(dir, `${spec.name}.ext`);
  newKey(key);
  openssl(["req", "-new", "-key", key, "-subj", spec.subject, "-out", csr]);
  writeFileSync(ext, spec.extensions);
  openssl([
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-days",
    "3650",
    "-extfile",
    ext,
    "-out",
    join(dir, `${spec.name}.crt`),
  ]);
}

export function generateCerts(dir: string): ControlPlaneCerts {
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  newKey(ca.key);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    ca.key,
    "-subj",
    "/CN=ferry-test-ca",
    "-days",
    "3650",
    "-out",
    ca.cert,
  ]);
  signLeaf(dir, ca, {
    name: "apiserver",
    subject: "/CN=kube-apiserver",
    extensions: [
      "basicConstraints=CA:FALSE",
      "keyUsage=digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1",
      "",
    ].join("\n"),
  });
  signLeaf(dir, ca, {
    name: "admin",
    subject: "/O=system:masters/CN=admin",
    extensions:
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  });
  // ServiceAccount tokens are signed with RSA: it is what every consumer of
  // Kubernetes tokens (OpenBao's kubernetes and JWT auth, AWS STS) accepts.
  const saKey = join(dir, "sa.key");
  const saPub = join(dir, "sa.pub");
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", saKey]);
  openssl(["pkey", "-in", saKey, "-pubout", "-out", saPub]);
  return {
    caCert: ca.cert,
    caKey: ca.key,
    apiserverCert: join(dir, "apiserver.crt"),
    apiserverKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: saKey,
    serviceAccountPub: saPub,
  };
}

export function writeKubeconfig(path: string, server: string, certs: ControlPlaneCerts): void {
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "ferry-test", cluster: { server, "certificate-authority": certs.caCert } }],
    users: [
      {
        name: "admin",
        user: { "client-certificate": certs.adminCert, "client-key": certs.adminKey },
      },
    ],
    contexts: [{ name: "ferry-test", context: { cluster: "ferry-test", user: "admin" } }],
    "current-context": "ferry-test",
  };
  writeFileSync(path, stringify(kubeconfig));
}
