// Test helpers (not built into dist): an HTTP or HTTPS server on 127.0.0.1
// that plays a webhook API, recording every request, and a throw-away CA
// with a server certificate for 127.0.0.1 / localhost made with node:crypto
// keys and node-forge certificates.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import forge from "node-forge";

export interface SeenRequest {
  readonly method: string;
  /** Path and query as received (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface TestPki {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

function newKeys(): {
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  pem: string;
} {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(
      publicKey.export({ type: "spki", format: "pem" }).toString(),
    ),
    privateKey: forge.pki.privateKeyFromPem(pem),
    pem,
  };
}

function certificate(
  subject: string,
  keys: { publicKey: forge.pki.PublicKey },
  issuer: { name: string; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${randomBytes(8).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  cert.setSubject([{ name: "commonName", value: subject }]);
  cert.setIssuer([{ name: "commonName", value: issuer.name }]);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, valid for a day. */
export function makeTestPki(caName = "ferry-webhook-test-ca"): TestPki {
  const ca = newKeys();
  const caCert = certificate(caName, ca, { name: caName, key: ca.privateKey }, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const server = newKeys();
  const serverCert = certificate("127.0.0.1", server, { name: caName, key: ca.privateKey }, [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 2, value: "localhost" },
      ],
    },
  ]);
  return {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(serverCert),
    keyPem: server.pem,
  };
}

/** A webhook API double: set `handler`, read `requests`, stop with close(). */
export class TestWebhookServer {
  readonly requests: SeenRequest[] = [];
  handler: Handler = (_req, res) => {
    res.writeHead(404).end();
  };
  #server: ReturnType<typeof createHttp> | undefined;
  #origin = "";

  /** scheme://127.0.0.1:port */
  get origin(): string {
    return this.#origin;
  }

  get port(): number {
    return Number(new URL(this.#origin).port);
  }

  async start(tls?: { certPem: string; keyPem: string }): Promise<this> {
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void this.#handle(req, res);
    };
    const server =
      tls === undefined
        ? createHttp(listener)
        : createHttps({ cert: tls.certPem, key: tls.keyPem }, listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    this.#server = server;
    this.#origin = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
    return this;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    this.requests.push(seen);
    try {
      await this.handler(seen, res);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

/** Writes a JSON response. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
