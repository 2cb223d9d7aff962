// retrySettings as ESO's Vault client applies them: the policy of a store,
// the waits, and which failures are retried, against a local HTTP server.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import { VaultHttp } from "./client.ts";
import {
  backoffMs,
  retryableStatus,
  retryableTransportError,
  retryPolicy,
  sleep,
  VAULT_DEFAULT_RETRY,
} from "./retry.ts";

let server: Server;
let address = "";
/** Statuses the server answers with, in order; 200 when exhausted. */
let script: number[] = [];
let requests = 0;

before(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    const status = script.shift() ?? 200;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(status === 200 ? { data: { ok: true } } : { errors: ["nope"] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

after(() => {
  server.close();
});

beforeEach(() => {
  script = [];
  requests = 0;
});

function http(maxRetries: number, waits: number[], where = address): VaultHttp {
  return new VaultHttp({
    address: where,
    retry: { maxRetries, minWaitMs: 100, maxWaitMs: 100 },
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
}

describe("retryPolicy (ESO's prepareConfig)", () => {
  it("no retrySettings: Vault's client defaults, 2 retries of 1-1.5 s", () => {
    assert.deepEqual(retryPolicy(undefined), VAULT_DEFAULT_RETRY);
    assert.deepEqual(VAULT_DEFAULT_RETRY, { maxRetries: 2, minWaitMs: 1000, maxWaitMs: 1500 });
  });

  it("retrySettings without maxRetries: no retries", () => {
    assert.equal(retryPolicy({}).maxRetries, 0);
    assert.equal(retryPolicy({ retryInterval: "3s" }).maxRetries, 0);
  });

  it("maxRetries and retryInterval: the interval is both bounds", () => {
    assert.deepEqual(retryPolicy({ maxRetries: 4, retryInterval: "1m30s" }), {
      maxRetries: 4,
      minWaitMs: 90_000,
      maxWaitMs: 90_000,
    });
  });

  it("a retryInterval that is not a Go duration is InvalidStore", () => {
    assert.throws(
      () => retryPolicy({ maxRetries: 1, retryInterval: "ten seconds" }),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === "InvalidStore" &&
        e.message.startsWith("retrySettings.retryInterval:"),
    );
  });

  it("the wait grows linearly with the retry number, jitter within [min, max]", () => {
    const fixed = { maxRetries: 3, minWaitMs: 500, maxWaitMs: 500 };
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffMs(fixed, n, Math.random)),
      [500, 1000, 1500],
    );
    assert.equal(
      backoffMs(VAULT_DEFAULT_RETRY, 1, () => 0),
      1000,
    );
    assert.equal(
      backoffMs(VAULT_DEFAULT_RETRY, 2, () => 1),
      3000,
    );
  });

  it("retries 429 and 5xx but 501; never other statuses", () => {
    assert.deepEqual(
      [200, 400, 403, 404, 412, 429, 500, 501, 502, 503, 504].filter(retryableStatus),
      [429, 500, 502, 503, 504],
    );
  });

  it("a certificate error is not retried; a refused connection is", () => {
    const tls = new ProviderError("Unavailable", "x", {
      cause: new TypeError("fetch failed", {
        cause: Object.assign(new Error("self-signed"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
      }),
    });
    const refused = new ProviderError("Unavailable", "x", {
      cause: new TypeError("fetch failed", {
        cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
      }),
    });
    assert.equal(retryableTransportError(tls), false);
    assert.equal(retryableTransportError(refused), true);
  });

  it("sleep stops when the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error("shutdown"));
    await assert.rejects(waiting, /shutdown/);
  });
});

describe("VaultHttp.send with a retry policy", () => {
  it("a sealed (503) server answering on the third attempt: 3 requests, waits 100 and 200 ms", async () => {
    script = [503, 503];
    const waits: number[] = [];
    const r = await http(2, waits).send({ method: "GET", path: "secret/data/x" });
    assert.equal(r.status, 200);
    assert.equal(requests, 3);
    assert.deepEqual(waits, [100, 200]);
  });

  it("retries exhausted: the last failing response is returned to be mapped", async () => {
    script = [503, 429, 502, 500];
    const waits: number[] = [];
    const h = http(2, waits);
    const r = await h.send({ method: "GET", path: "secret/data/x" });
    assert.equal(r.status, 502);
    assert.equal(requests, 3);
    assert.equal(h.failure(r, "read").code, "Unavailable");
  });

  it("maxRetries 0: one attempt", async () => {
    script = [503];
    const waits: number[] = [];
    const r = await http(0, waits).send({ method: "GET", path: "secret/data/x" });
    assert.equal(r.status, 503);
    assert.equal(requests, 1);
    assert.deepEqual(waits, []);
  });

  it("404, 403 and 501 are answers, not retried", async () => {
    for (const status of [404, 403, 501]) {
      script = [status];
      requests = 0;
      const r = await http(3, []).send({ method: "GET", path: "secret/data/x" });
      assert.equal(r.status, status);
      assert.equal(requests, 1);
    }
  });

  it("an unreachable server is retried, then Unavailable naming the address", async () => {
    const waits: number[] = [];
    await assert.rejects(
      http(2, waits, "http://127.0.0.1:9").send({ method: "GET", path: "secret/data/x" }),
      (e: unknown) =>
        e instanceof ProviderError &&
        e.code === "Unavailable" &&
        e.message.includes("http://127.0.0.1:9 is unreachable"),
    );
    assert.deepEqual(waits, [100, 200]);
  });
});
