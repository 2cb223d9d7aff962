import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRegistry } from "./registry.ts";
import { RuntimeMetrics } from "./runtime-metrics.ts";

describe("runtime metrics", () => {
  it("exposes controller-runtime's names, pre-seeded with zeros", async () => {
    const registry = createRegistry();
    const metrics = new RuntimeMetrics(registry);
    metrics.controller.seed("externalsecret", 4);
    metrics.workqueue.seed("externalsecret", {
      unfinishedWorkSeconds: () => 0,
      longestRunningProcessorSeconds: () => 0,
    });
    metrics.leaderElection.seed("external-secrets-controller");
    const text = await registry.metrics();

    const zeroSeries = [
      'controller_runtime_reconcile_total{controller="externalsecret",result="success"} 0',
      'controller_runtime_reconcile_total{controller="externalsecret",result="error"} 0',
      'controller_runtime_reconcile_total{controller="externalsecret",result="requeue"} 0',
      'controller_runtime_reconcile_total{controller="externalsecret",result="requeue_after"} 0',
      'controller_runtime_reconcile_errors_total{controller="externalsecret"} 0',
      'controller_runtime_terminal_reconcile_errors_total{controller="externalsecret"} 0',
      'controller_runtime_reconcile_time_seconds_count{controller="externalsecret"} 0',
      'controller_runtime_active_workers{controller="externalsecret"} 0',
      'workqueue_depth{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_adds_total{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_retries_total{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_queue_duration_seconds_count{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_work_duration_seconds_count{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_unfinished_work_seconds{controller="externalsecret",name="externalsecret"} 0',
      'workqueue_longest_running_processor_seconds{controller="externalsecret",name="externalsecret"} 0',
      'leader_election_master_status{name="external-secrets-controller"} 0',
    ];
    for (const line of zeroSeries) assert.ok(text.includes(line), `missing: ${line}`);
    assert.ok(
      text.includes('controller_runtime_max_concurrent_reconciles{controller="externalsecret"} 4'),
    );
  });

  it("does not touch prom-client's global registry", async () => {
    const { register } = await import("prom-client");
    new RuntimeMetrics(createRegistry());
    assert.equal(register.getSingleMetric("workqueue_depth"), undefined);
  });
});
