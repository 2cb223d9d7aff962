// What moto receives when the ExternalSecret controller drives the AWS
// provider, counted by the proxy in front of it:
// - 500 ExternalSecrets reading one key through one IRSA store: one
//   GetSecretValue per sharing window (never two within 2 s), where ESO makes
//   one per ExternalSecret per refresh; one AssumeRoleWithWebIdentity per
//   session lifetime, where ESO makes one per reconcile.
// - retrySettings and throttling: a throttled read backs off at the store's
//   retryInterval and succeeds, and the throttles are visible in /metrics;
//   persistent throttling fails the sync without touching the Secret.
import { CreateSecretCommand, PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CORE } from "../../../../src/runtime/index.ts";
import { installCrds, testClient } from "../../controllers/framework.ts";
import {
  createEs,
  decode,
  Namespaces,
  readyOf,
  sleep,
  waitReady,
  waitSecret,
  waitStoreReady,
  type Secret,
} from "../../controllers/es-helpers.ts";
import { eventually } from "../../framework/env.ts";
import {
  awsStoreObject,
  createCredentialsSecret,
  createServiceAccount,
  createStore,
  metricValue,
  staticSecretRef,
  startAwsController,
  type AwsController,
} from "./controller-helpers.ts";
import { countingProxy, seedSm, type CountingProxy } from "./helpers.ts";

const client = testClient();
const sm = seedSm();
const FANOUT = 500;
const REFRESH_S = 30;
const WINDOW_MS = 2_000;
const SESSION_MS = 56 * 60_000; // moto's sessions last 1 h; Ferry renews 5 min before

/** Gaps between consecutive times, ms. */
const gaps = (times: readonly number[]): number[] => times.slice(1).map((t, i) => t - times[i]!);

describe("aws call counts through the ExternalSecret controller (moto, counting proxy)", () => {
  let proxy: CountingProxy;
  let aws: AwsController;
  // The provider's clock, moved forward to reach the end of an STS session.
  let clockOffset = 0;
  const namespaces = new Namespaces();

  before(async () => {
    await installCrds();
    proxy = await countingProxy();
    aws = await startAwsController(proxy.endpoint, {
      concurrent: 16,
      provider: { now: () => Date.now() + clockOffset },
    });
  });
  after(async () => {
    await aws.ctl.stop();
    await proxy.close();
    await namespaces.removeAll();
    sm.destroy();
  });

  it(`${String(FANOUT)} ExternalSecrets, one key: one GetSecretValue per window, one AssumeRoleWithWebIdentity per session`, async () => {
    const ns = (await namespaces.create("eso-aws-fanout")).name;
    const role = `arn:aws:iam::123456789012:role/${ns}`;
    await createServiceAccount(client, ns, "eso-sa", { "eks.amazonaws.com/role-arn": role });
    await createStore(
      client,
      awsStoreObject(
        { kind: "SecretStore", name: "irsa", namespace: ns, controller: aws.controllerClass },
        { service: "SecretsManager", auth: { jwt: { serviceAccountRef: { name: "eso-sa" } } } },
      ),
    );
    await waitStoreReady(client, ns, "irsa");
    const key = `${ns}/hot`;
    await sm.send(
      new CreateSecretCommand({ Name: key, SecretString: '{"username":"u","password":"p"}' }),
    );
    const reads = () =>
      proxy.requests.filter((r) => r.operation === "GetSecretValue" && r.resource === key);
    const sessions = () =>
      proxy.requests.filter(
        (r) => r.operation === "AssumeRoleWithWebIdentity" && r.params.get("RoleArn") === role,
      ).length;

    const started = Date.now();
    for (let batch = 0; batch < FANOUT; batch += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) => {
          const i = batch + j;
          const property = i % 2 === 0 ? "username" : "password";
          return createEs(client, ns, `es-${String(i)}`, {
            refreshInterval: `${String(REFRESH_S)}s`,
            secretStoreRef: { name: "irsa", kind: "SecretStore" },
            target: { name: `t-${String(i)}` },
            data: [{ secretKey: property, remoteRef: { key, property } }],
          });
        }),
      );
    }
    await eventually(
      `${String(FANOUT)} target Secrets`,
      async () => {
        const list = await client.list<Secret>(CORE.secrets, { namespace: ns });
        const synced = list.items.filter((s) => {
          const data = decode(s);
          return data["username"] === "u" || data["password"] === "p";
        });
        return synced.length === FANOUT;
      },
      240_000,
    );
    const syncMs = Date.now() - started;
    const initial = reads().map((r) => r.at);
    const initialGaps = gaps(initial);
    console.log(
      `fan-out: ${String(FANOUT)} ExternalSecrets synced in ${String(syncMs)} ms with ` +
        `${String(initial.length)} GetSecretValue (ESO: ${String(FANOUT)}), ` +
        `${String(sessions())} AssumeRoleWithWebIdentity (ESO: ${String(FANOUT)}); ` +
        `smallest gap between reads ${String(Math.min(...initialGaps, Infinity))} ms`,
    );
    assert.equal(sessions(), 1);
    for (const gap of initialGaps)
      assert.ok(gap >= WINDOW_MS - 50, `reads ${String(gap)} ms apart`);
    assert.ok(initial.length <= Math.ceil(syncMs / WINDOW_MS) + 1);

    // One refresh cycle of every ExternalSecret (interval + 10% jitter + the creation spread).
    const cycleStart = Date.now();
    const before = initial.length;
    await sleep(REFRESH_S * 1_100 + syncMs);
    const cycle = reads()
      .map((r) => r.at)
      .filter((t) => t >= cycleStart);
    console.log(
      `fan-out refresh: ${String(cycle.length)} GetSecretValue in ${String(Date.now() - cycleStart)} ms ` +
        `for ${String(FANOUT)} refreshes (ESO: ${String(FANOUT)}); sessions still ${String(sessions())}`,
    );
    assert.ok(reads().length > before, "the refresh read the key again");
    for (const gap of gaps(cycle))
      assert.ok(gap >= WINDOW_MS - 50, `reads ${String(gap)} ms apart`);
    assert.equal(sessions(), 1, "no new session within its lifetime");

    // The end of the session: the provider's clock jumps past its renewal point.
    clockOffset = SESSION_MS;
    await eventually("a new session after the old one's lifetime", () =>
      Promise.resolve(sessions() === 2),
    );
    await sleep(REFRESH_S * 1_000);
    console.log(
      `fan-out session renewal: ${String(sessions())} AssumeRoleWithWebIdentity in total`,
    );
    assert.equal(sessions(), 2);
    const metrics = await aws.ctl.metrics();
    assert.ok(metricValue(metrics, "ferry_aws_coalesced_reads_total", {}) > 0);
  });

  async function staticStore(ns: string, retrySettings: Record<string, unknown>): Promise<void> {
    await createCredentialsSecret(client, ns, "provider-secret");
    await createStore(
      client,
      awsStoreObject(
        { kind: "SecretStore", name: "static", namespace: ns, controller: aws.controllerClass },
        { service: "SecretsManager", auth: staticSecretRef("provider-secret") },
        { retrySettings },
      ),
    );
    await waitStoreReady(client, ns, "static");
  }

  it("throttling backs off at retrySettings.retryInterval, the read succeeds, the throttles are in /metrics", async () => {
    const ns = (await namespaces.create("eso-aws-throttle")).name;
    await staticStore(ns, { maxRetries: 5, retryInterval: "300ms" });
    const key = `${ns}/busy`;
    await sm.send(new CreateSecretCommand({ Name: key, SecretString: '{"password":"p"}' }));
    let throttles = 3;
    proxy.inject((r) =>
      r.operation === "GetSecretValue" && r.resource === key && throttles-- > 0
        ? { status: 400, type: "ThrottlingException", message: "Rate exceeded" }
        : undefined,
    );
    const metricsBefore = await aws.ctl.metrics();
    const labels = { provider: "AWS/SecretsManager", call: "GetSecretValue" };
    const throttledBefore = metricValue(
      metricsBefore,
      "ferry_provider_api_throttled_total",
      labels,
    );
    try {
      await createEs(client, ns, "es", {
        refreshInterval: "1h",
        secretStoreRef: { name: "static", kind: "SecretStore" },
        target: { name: "target" },
        data: [{ secretKey: "password", remoteRef: { key, property: "password" } }],
      });
      await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "p");
    } finally {
      proxy.inject(undefined);
    }
    const attempts = proxy.requests
      .filter((r) => r.operation === "GetSecretValue" && r.resource === key)
      .map((r) => r.at);
    assert.equal(attempts.length, 4, "three throttled attempts, then the answer");
    for (const gap of gaps(attempts)) assert.ok(gap >= 290, `attempts ${String(gap)} ms apart`);
    const es = await waitReady(client, ns, "es", { status: "True" });
    assert.equal(readyOf(es)?.reason, "SecretSynced");
    const metrics = await aws.ctl.metrics();
    assert.equal(
      metricValue(metrics, "ferry_provider_api_throttled_total", labels) - throttledBefore,
      3,
    );
    assert.ok(metricValue(metrics, "ferry_aws_retries_total", { reason: "backoff" }) >= 3);
  });

  it("persistent throttling fails the sync after maxRetries and keeps the Secret as it was", async () => {
    const ns = (await namespaces.create("eso-aws-throttle")).name;
    await staticStore(ns, { maxRetries: 2, retryInterval: "100ms" });
    const key = `${ns}/overloaded`;
    await sm.send(new CreateSecretCommand({ Name: key, SecretString: '{"password":"old-value"}' }));
    await createEs(client, ns, "es", {
      refreshInterval: "2s",
      secretStoreRef: { name: "static", kind: "SecretStore" },
      target: { name: "target" },
      data: [{ secretKey: "password", remoteRef: { key, property: "password" } }],
    });
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "old-value");
    proxy.inject((r) =>
      r.operation === "GetSecretValue" && r.resource === key
        ? { status: 400, type: "ThrottlingException", message: "Rate exceeded" }
        : undefined,
    );
    try {
      await sm.send(
        new PutSecretValueCommand({
          SecretId: key,
          SecretString: '{"password":"rotated-value-9f2"}',
        }),
      );
      const es = await waitReady(client, ns, "es", { status: "False" });
      assert.match(readyOf(es)?.message ?? "", /throttled 2 times/);
      assert.ok(!(readyOf(es)?.message ?? "").includes("rotated-value"));
      const secret = await waitSecret(client, ns, "target");
      assert.deepEqual(decode(secret), { password: "old-value" });
    } finally {
      proxy.inject(undefined);
    }
    await waitSecret(client, ns, "target", (s) => decode(s)["password"] === "rotated-value-9f2");
  });
});
