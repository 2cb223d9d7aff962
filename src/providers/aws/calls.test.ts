import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProviderError } from "../errors.ts";
import { awsError } from "./fake-sdk.ts";
import { awsStore, ctx, harness, staticAuth, text } from "./testing.ts";

const store = awsStore({ auth: staticAuth() });

describe("aws coalescing", () => {
  it("500 concurrent reads of one key from many clients make one GetSecretValue", async () => {
    const h = harness();
    h.aws.latencyMs = 10;
    h.aws.putSecret("db", { SecretString: '{"username":"u","password":"p"}' });
    const values = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
        return text(
          await c.getSecret(ctx(), { key: "db", property: i % 2 === 0 ? "username" : "password" }),
        );
      }),
    );
    assert.equal(values.filter((v) => v === "u").length, 250);
    assert.equal(h.aws.count("GetSecretValue"), 1);
    assert.equal(h.provider.stats.count("SecretsManager", "GetSecretValue"), 1);
    assert.equal(h.provider.stats.coalesced, 499);
  });

  const windows: { name: string; windowMs: number; advanceMs: number; calls: number }[] = [
    { name: "reused within the window", windowMs: 2_000, advanceMs: 1_000, calls: 1 },
    { name: "fetched again after the window", windowMs: 2_000, advanceMs: 2_001, calls: 2 },
    { name: "window 0 disables reuse", windowMs: 0, advanceMs: 0, calls: 2 },
  ];
  for (const w of windows) {
    it(w.name, async () => {
      const h = harness({ coalesceWindowMs: w.windowMs });
      h.aws.putSecret("db", { SecretString: "v" });
      const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
      await c.getSecret(ctx(), { key: "db" });
      h.clock.now += w.advanceMs;
      await c.getSecret(ctx(), { key: "db" });
      assert.equal(h.aws.count("GetSecretValue"), w.calls);
    });
  }

  it("never shares between different credentials or versions", async () => {
    const h = harness();
    h.kube.addSecret("team-b", "aws-creds", { ak: "AKIDB", sk: "sk-b" });
    h.aws.putSecret("db", { SecretString: "v" });
    const css = awsStore({ auth: staticAuth() }, { kind: "ClusterSecretStore" });
    await (await h.provider.newClient(ctx(), css, h.kube, "apps")).getSecret(ctx(), { key: "db" });
    const b = await h.provider.newClient(ctx(), css, h.kube, "team-b");
    await b.getSecret(ctx(), { key: "db" });
    await b.getSecret(ctx(), { key: "db", version: "AWSPREVIOUS" }).catch(() => undefined);
    await b.getSecret(ctx(), { key: "db", metadataPolicy: "Fetch" });
    assert.equal(h.aws.count("GetSecretValue"), 3);
    assert.equal(h.aws.count("DescribeSecret"), 1);
  });

  it("a push invalidates memoised reads of that key", async () => {
    const h = harness();
    h.aws.putSecret("db", { SecretString: "old" }, { "managed-by": "external-secrets" });
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    assert.equal(text(await c.getSecret(ctx(), { key: "db" })), "old");
    const source = {
      name: "s",
      namespace: "apps",
      data: new Map([["k", new Uint8Array(Buffer.from("new"))]]),
      labels: {},
      annotations: {},
    };
    await c.pushSecret(ctx(), source, {
      secretKey: "k",
      remoteKey: "db",
      property: "",
      metadata: { spec: { secretPushFormat: "string" } },
    });
    assert.equal(text(await c.getSecret(ctx(), { key: "db" })), "new");
  });
});

describe("aws throttling", () => {
  const cases: { name: string; error: () => Error; failures: number; ok: boolean }[] = [
    {
      name: "ThrottlingException retried then succeeds",
      error: () => awsError("ThrottlingException", "Rate exceeded"),
      failures: 2,
      ok: true,
    },
    {
      name: "HTTP 429 retried then succeeds",
      error: () => awsError("TooManyRequests", "slow down", 429),
      failures: 1,
      ok: true,
    },
    {
      name: "persistent throttling becomes RateLimited",
      error: () => awsError("TooManyRequestsException"),
      failures: 99,
      ok: false,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness();
      h.aws.putSecret("db", { SecretString: "v" });
      let left = c.failures;
      h.aws.failWith = (op) => {
        if (op === "GetSecretValue" && left-- > 0) throw c.error();
      };
      const client = await h.provider.newClient(ctx(), store, h.kube, "apps");
      if (c.ok) {
        assert.equal(text(await client.getSecret(ctx(), { key: "db" })), "v");
        assert.equal(h.provider.stats.throttled, c.failures);
      } else {
        await assert.rejects(client.getSecret(ctx(), { key: "db" }), (err: unknown) => {
          assert.ok(err instanceof ProviderError);
          assert.equal(err.code, "RateLimited");
          return true;
        });
        assert.equal(h.aws.count("GetSecretValue"), 3);
        assert.equal(h.provider.stats.throttled, 3);
      }
    });
  }

  it("honours retrySettings.maxRetries and retryInterval", async () => {
    const slept: number[] = [];
    const h = harness({
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    h.aws.putSecret("db", { SecretString: "v" });
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue") throw awsError("ThrottlingException");
    };
    const s = { ...awsStore({ auth: staticAuth() }) };
    const withRetry = {
      ...s,
      spec: { ...s.spec, retrySettings: { maxRetries: 5, retryInterval: "250ms" } },
    };
    const client = await h.provider.newClient(ctx(), withRetry, h.kube, "apps");
    await assert.rejects(client.getSecret(ctx(), { key: "db" }), ProviderError);
    assert.equal(h.aws.count("GetSecretValue"), 5);
    assert.deepEqual(slept, [250, 250, 250, 250]);
  });

  it("does not retry a missing secret", async () => {
    const h = harness();
    await assert.rejects(
      (await h.provider.newClient(ctx(), store, h.kube, "apps")).getSecret(ctx(), { key: "x" }),
    );
    assert.equal(h.aws.count("GetSecretValue"), 1);
  });
});

describe("aws retrySettings and metrics", () => {
  const withRetry = (retrySettings: { maxRetries?: number; retryInterval?: string }) => {
    const s = awsStore({ auth: staticAuth() });
    return { ...s, spec: { ...s.spec, retrySettings } };
  };

  it("retries transient failures (5xx) as ESO's standard retryer does, at the fixed interval", async () => {
    const slept: number[] = [];
    const h = harness({
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    h.aws.putSecret("db", { SecretString: "v" });
    let left = 2;
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue" && left-- > 0) throw awsError("InternalServiceError", "x", 500);
    };
    const c = await h.provider.newClient(
      ctx(),
      withRetry({ maxRetries: 3, retryInterval: "1s" }),
      h.kube,
      "apps",
    );
    assert.equal(text(await c.getSecret(ctx(), { key: "db" })), "v");
    assert.deepEqual(slept, [1000, 1000]);
    assert.equal(h.provider.stats.retries, 2);
  });

  it("without retryInterval: full-jitter exponential backoff, 3 attempts by default", async () => {
    const slept: number[] = [];
    const h = harness({
      random: () => 0.999,
      sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    });
    h.aws.putSecret("db", { SecretString: "v" });
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue") throw awsError("ThrottlingException", "Rate exceeded");
    };
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await assert.rejects(c.getSecret(ctx(), { key: "db" }), ProviderError);
    assert.equal(h.aws.count("GetSecretValue"), 3);
    assert.deepEqual(slept, [99, 199]);
  });

  it("maxRetries 1 makes one attempt; errors that a retry cannot fix are not retried", async () => {
    const h = harness();
    h.aws.putSecret("db", { SecretString: "v" });
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue") throw awsError("ThrottlingException");
    };
    const one = await h.provider.newClient(ctx(), withRetry({ maxRetries: 1 }), h.kube, "apps");
    await assert.rejects(one.getSecret(ctx(), { key: "db" }), ProviderError);
    assert.equal(h.aws.count("GetSecretValue"), 1);
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue") throw awsError("AccessDeniedException", "denied", 400);
    };
    h.clock.now += 5_000;
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await assert.rejects(c.getSecret(ctx(), { key: "db" }), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, "AuthFailed");
      return true;
    });
    assert.equal(h.aws.count("GetSecretValue"), 2);
  });

  it("counts attempts, throttles and retries as metric samples", async () => {
    const h = harness();
    h.aws.putSecret("db", { SecretString: "v" });
    let left = 2;
    h.aws.failWith = (op) => {
      if (op === "GetSecretValue" && left-- > 0) throw awsError("ThrottlingException");
    };
    const c = await h.provider.newClient(ctx(), store, h.kube, "apps");
    await c.getSecret(ctx(), { key: "db" });
    await c.getSecret(ctx(), { key: "db" });
    const samples = h.provider.metrics();
    const value = (name: string, labels: Record<string, string>) =>
      samples.find(
        (s) =>
          s.name === name &&
          JSON.stringify(Object.entries(s.labels).sort()) ===
            JSON.stringify(Object.entries(labels).sort()),
      )?.value;
    const call = { provider: "AWS/SecretsManager", call: "GetSecretValue" };
    assert.equal(
      value("externalsecret_provider_api_calls_count", { ...call, status: "success" }),
      1,
    );
    assert.equal(value("externalsecret_provider_api_calls_count", { ...call, status: "error" }), 2);
    assert.equal(value("ferry_provider_api_throttled_total", call), 2);
    assert.equal(value("ferry_aws_retries_total", { reason: "backoff" }), 2);
    assert.equal(value("ferry_aws_coalesced_reads_total", {}), 1);
    for (const s of samples) assert.ok(!JSON.stringify(s).includes('"v"'));
  });
});
