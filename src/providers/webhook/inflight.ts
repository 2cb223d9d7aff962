// Identical concurrent reads become one HTTP request: while a request is in
// flight, the same request (method, URL, headers, body, CA) joins it. Only
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

export class InFlight<T> {
  readonly #pending = new Map<string, Promise<T>>();

  /** Runs `start` unless the same key is in flight; `shared` tells which. */
  run(key: string, start: () => Promise<T>): { promise: Promise<T>; shared: boolean } {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return { promise: pending, shared: true };
    const promise = start();
    this.#pending.set(key, promise);
    const forget = (): void => {
      if (this.#pending.get(key) === promise) this.#pending.delete(key);
    };
    promise.then(forget, forget);
    return { promise, shared: false };
  }

  get size(): number {
    return this.#pending.size;
  }
}
