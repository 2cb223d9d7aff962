// Client behaviour that the real apiserver cannot be made to show on demand
// (throttling) or that fails before any request (usage errors).
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { FakeClock } from "../clock/index.ts";
import { KubeClient } from "./client.ts";
import { KubeUsageError, isTooManyRequests } from "./errors.ts";
import { CORE } from "./resource.ts";
import type { HttpRequest, HttpResponse, Transport } from "./transport.ts";

function scripted(
  answers: { status: number; headers?: Record<string, string>; body: string }[],
): Transport & {
  requests: HttpRequest[];
} {
  const requests: HttpRequest[] = [];
  return {
    requests,
    request: (req) => {
      requests.push(req);
      const a = answers.shift() ?? { status: 500, body: "{}" };
      const res: HttpResponse = {
        status: a.status,
        headers: a.headers ?? {},
        body: Readable.from([Buffer.from(a.body)]),
      };
      return Promise.resolve(res);
    },
    close: () => undefined,
  };
}

const throttled = {
  status: 429,
  headers: { "retry-after": "3" },
  body: '{"kind":"Status","code":429,"reason":"TooManyRequests"}',
};
const ok = { status: 200, body: '{"metadata":{"name":"x"}}' };

describe("KubeClient", () => {
  it("waits Retry-After on 429 and retries", async () => {
    const clock = new FakeClock();
    const transport = scripted([throttled, ok]);
    const client = new KubeClient(transport, { clock });
    const pending = client.get(CORE.configMaps, "x", { namespace: "n" });
    await clock.advance(2999);
    assert.equal(transport.requests.length, 1);
    await clock.advance(1);
    assert.equal((await pending).metadata?.name, "x");
    assert.equal(transport.requests.length, 2);
  });

  it("gives up after the configured number of 429 retries", async () => {
    const clock = new FakeClock();
    const client = new KubeClient(scripted([throttled, throttled]), {
      clock,
      maxThrottleRetries: 1,
    });
    const pending = client.get(CORE.configMaps, "x", { namespace: "n" });
    const check = assert.rejects(pending, (err: unknown) => isTooManyRequests(err));
    await clock.advance(10_000);
    await check;
  });

  it("sends server-side apply and merge-patch with their content types", async () => {
    const transport = scripted([ok, ok]);
    const client = new KubeClient(transport);
    await client.apply(
      CORE.configMaps,
      { metadata: { name: "x", namespace: "n" } },
      { fieldManager: "ferry" },
    );
    await client.patchStatus(CORE.configMaps, "x", { status: {} }, { namespace: "n" });
    const apply = transport.requests[0]!;
    const patch = transport.requests[1]!;
    assert.equal(apply.headers?.["content-type"], "application/apply-patch+yaml");
    const applyQuery = apply.query!;
    assert.equal(applyQuery.get("fieldManager"), "ferry");
    assert.equal(applyQuery.get("force"), "true");
    assert.equal(patch.headers?.["content-type"], "application/merge-patch+json");
    assert.equal(patch.path, "/api/v1/namespaces/n/configmaps/x/status");
  });

  it("asks for PartialObjectMetadataList when listing metadata only", async () => {
    const transport = scripted([{ status: 200, body: '{"metadata":{},"items":[]}' }]);
    await new KubeClient(transport).list(CORE.secrets, {
      namespace: "n",
      metadataOnly: true,
      labelSelector: "a=b",
    });
    assert.match(
      transport.requests[0]?.headers?.["accept"] ?? "",
      /as=PartialObjectMetadataList;g=meta.k8s.io;v=v1/,
    );
    assert.equal(transport.requests[0]?.query?.get("labelSelector"), "a=b");
  });

  it("requires a namespace for namespaced reads and writes", async () => {
    const transport = scripted([]);
    const client = new KubeClient(transport);
    await assert.rejects(client.get(CORE.secrets, "x"), KubeUsageError);
    await assert.rejects(client.list(CORE.secrets, { namespace: "" }), KubeUsageError);
    await assert.rejects(client.delete(CORE.secrets, "x"), KubeUsageError);
    assert.equal(transport.requests.length, 0, "nothing reached the apiserver");
  });
});
