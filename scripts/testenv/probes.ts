// Readiness probes: small HTTP(S) GETs with short timeouts.
import { request } from "node:https";
import { readFileSync } from "node:fs";

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

export async function httpGet(url: string, timeoutMs = 2000): Promise<HttpResult> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

export interface ClientTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** GET over HTTPS with a client certificate (fetch cannot present one). */
export async function httpsGet(url: string, tls: ClientTls, timeoutMs = 2000): Promise<HttpResult> {
  const ca = readFileSync(tls.caFile);
  const cert = readFileSync(tls.certFile);
  const key = readFileSync(tls.keyFile);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, cert, key, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on("error", reject);
    req.end();
  });
}
