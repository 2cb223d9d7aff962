// The key under which identical concurrent reads become one HTTP request
// (esutils' SingleFlight): while a request is in flight, the same request
// (method, URL, headers, body, CA) joins it. Only
// in-flight requests are shared; a finished one is forgotten at once (ESO's
// webhook provider caches nothing, and an endpoint may answer differently
// on the next call). The key is a digest, so credentials rendered into the
// request are not kept as map keys.
import { createHash } from "node:crypto";
import type { WebhookRequest } from "./http.ts";

export function requestDigest(req: WebhookRequest, transport: string): string {
  const h = createHash("sha256");
  const part = (s: string | Uint8Array): void => {
    h.update(String(typeof s === "string" ? Buffer.byteLength(s) : s.byteLength));
    h.update(":");
    h.update(s);
  };
  part(transport);
  part(req.method);
  part(req.url.href);
  for (const [name, value] of req.headers) {
    part(name.toLowerCase());
    part(value);
  }
  part(req.body);
  return h.digest("hex");
}
