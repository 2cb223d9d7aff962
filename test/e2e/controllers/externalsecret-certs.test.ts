// sprig's certificate functions end to end: an ExternalSecret template
// builds a CA, a signed server certificate and a self-signed certificate
// from keys held by the (fake) provider, and the controller writes them into
// the target Secret; a bad IP in a template fails the sync with a message
// that names the problem, not the data.
import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CORE, type KubeObject } from "../../../src/runtime/index.ts";
import { createNamespace, eventually, kube, uniqueName } from "../framework/env.ts";
import {
  ESO,
  getObject,
  installCrds,
  startTestController,
  testClient,
  type TestController,
} from "./framework.ts";

interface Secret extends KubeObject {
  data?: Record<string, string>;
}
interface Es extends KubeObject {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const CA_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIO6fRVd8DhYTlnVBQNNYUiv2uyjNUe1/EsFInGLg5e5moAoGCCqGSM49
AwEHoUQDQgAE8XAI7Ka/S9IHv2uU3uUyhWq8Cy8ef+qHXb6gSDCi2vj5Ewjnq9Y1
IocA7QDMqUJ1hRTMjdGfvTjY0/zgtA3CEg==
-----END EC PRIVATE KEY-----
`;
const LEAF_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIFMy8gWwKtLV9wiZ3Kscm2ZytIPNuZhqpnNi0mMSy0N5
-----END PRIVATE KEY-----
`;

const client = testClient();
const decode = (s: Secret | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
  );

describe("ExternalSecret templates with sprig certificate functions (e2e)", () => {
  let ctl: TestController;
  let ns: { name: string; remove: () => Promise<void> };

  before(async () => {
    await installCrds();
    ctl = await startTestController({ storeRequeueIntervalMs: 2000 });
    ns = await createNamespace(kube().core, "es-certs");
    await client.create(
      ESO.secretStores,
      {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "fake", namespace: ns.name },
        spec: {
          provider: {
            fake: {
              data: [
                { key: "ca-key", value: CA_KEY },
                { key: "leaf-key", value: LEAF_KEY },
              ],
            },
          },
        },
      } as KubeObject,
      { namespace: ns.name },
    );
  });
  after(async () => {
    await ns.remove();
    await ctl.stop();
  });

  const externalSecret = (name: string, target: string, data: Record<string, string>): KubeObject =>
    ({
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name, namespace: ns.name },
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { name: "fake", kind: "SecretStore" },
        target: { name: target, template: { engineVersion: "v2", data } },
        data: [
          { secretKey: "cakey", remoteRef: { key: "ca-key" } },
          { secretKey: "leafkey", remoteRef: { key: "leaf-key" } },
        ],
      },
    }) as KubeObject;

  it("writes a CA, a certificate it signed and a self-signed certificate", async () => {
    await client.create(
      ESO.externalSecrets,
      externalSecret(uniqueName("es"), "tls", {
        "ca.crt": '{{ (genCAWithKey "Ferry E2E CA" 30 .cakey).Cert }}',
        "tls.crt":
          '{{ $ca := genCAWithKey "Ferry E2E CA" 30 .cakey }}{{ (genSignedCertWithKey "svc.example" (list "10.0.0.7") (list "svc.example" "svc.ns.svc") 10 $ca .leafkey).Cert }}',
        "tls.key":
          '{{ $ca := genCAWithKey "Ferry E2E CA" 30 .cakey }}{{ (genSignedCertWithKey "svc.example" nil nil 10 $ca .leafkey).Key }}',
        "self.crt": '{{ (genSelfSignedCert "self" nil (list "self.example") 1).Cert }}',
      }),
      { namespace: ns.name },
    );
    await eventually(
      "the tls Secret",
      async () => (await getObject<Secret>(client, CORE.secrets, "tls", ns.name)) !== undefined,
      30_000,
    );
    const data = decode(await getObject<Secret>(client, CORE.secrets, "tls", ns.name));
    const ca = new X509Certificate(data["ca.crt"]!);
    const leaf = new X509Certificate(data["tls.crt"]!);
    const self = new X509Certificate(data["self.crt"]!);
    assert.equal(ca.subject, "CN=Ferry E2E CA");
    assert.ok(ca.ca);
    assert.ok(ca.publicKey.equals(createPublicKey(CA_KEY)));
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    assert.equal(leaf.subjectAltName, "DNS:svc.example, DNS:svc.ns.svc, IP Address:10.0.0.7");
    assert.ok(leaf.checkPrivateKey(createPrivateKey(data["tls.key"]!)));
    assert.equal(data["tls.key"], LEAF_KEY);
    assert.ok(self.verify(self.publicKey) && !self.ca);
    assert.equal(self.subjectAltName, "DNS:self.example");
  });

  it("a bad IP fails the sync with a message and writes no Secret", async () => {
    const name = uniqueName("es");
    await client.create(
      ESO.externalSecrets,
      externalSecret(name, "bad", {
        "tls.crt": '{{ (genSelfSignedCertWithKey "x" (list .leafkey) nil 1 .cakey).Cert }}',
      }),
      { namespace: ns.name },
    );
    let message = "";
    await eventually("Ready=False with the template error", async () => {
      const es = await getObject<Es>(client, ESO.externalSecrets, name, ns.name);
      const ready = es?.status?.conditions?.find((c) => c.type === "Ready");
      message = ready?.message ?? "";
      return ready?.status === "False" && message.includes("unable to execute template");
    });
    assert.match(
      message,
      /tls\.crt.*error calling genSelfSignedCertWithKey: error parsing ip: item 0 is not an IP address/,
    );
    assert.ok(!message.includes("PRIVATE KEY"), message);
    assert.equal(await getObject<Secret>(client, CORE.secrets, "bad", ns.name), undefined);
  });
});
