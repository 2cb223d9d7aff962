// The event broadcaster's counters on /metrics: Events are best-effort
// (dropped when the queue is full, Normal ones first), and an operator
// should see how many did not reach the apiserver.
import { Counter, type EventBroadcaster, type Registry } from "../../runtime/index.ts";

export function registerEventMetrics(registry: Registry, broadcaster: EventBroadcaster): void {
  new Counter({
    name: "ferry_events_total",
    help: "Kubernetes Events by outcome: created, patched (an identical event counted again), dropped (queue full), failed (the write failed).",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      const stats = broadcaster.stats;
      this.inc({ result: "created" }, stats.created);
      this.inc({ result: "patched" }, stats.patched);
      this.inc({ result: "dropped" }, stats.dropped);
      this.inc({ result: "failed" }, stats.failed);
    },
  });
}
