import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KubeApiError } from "../client/index.ts";
import { FakeClock } from "../clock/index.ts";
import { EventBroadcaster, truncateUtf8 } from "./broadcaster.ts";
import type { CoreEvent, EventPatch, EventSink } from "./types.ts";

interface Write {
  readonly op: "create" | "patch";
  readonly namespace: string;
  readonly name: string;
  readonly event?: CoreEvent;
  readonly patch?: EventPatch;
}

/** A sink that records writes; `gate` holds every write until released. */
function fakeSink(): EventSink & {
  writes: Write[];
  hold: boolean;
  release: () => void;
  notFound: Set<string>;
} {
  const waiting: (() => void)[] = [];
  const sink = {
    writes: [] as Write[],
    hold: false,
    notFound: new Set<string>(),
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    async create(namespace: string, event: CoreEvent) {
      if (sink.hold) await new Promise<void>((r) => waiting.push(r));
      sink.writes.push({ op: "create", namespace, name: event.metadata?.name ?? "", event });
      return event;
    },
    async patch(namespace: string, name: string, patch: EventPatch) {
      if (sink.hold) await new Promise<void>((r) => waiting.push(r));
      if (sink.notFound.has(name)) {
        throw new KubeApiError({ code: 404, method: "PATCH", path: name });
      }
      sink.writes.push({ op: "patch", namespace, name, patch });
      return {};
    },
  };
  return sink;
}

const store = {
  apiVersion: "example.io/v1",
  kind: "Widget",
  name: "w1",
  namespace: "ns",
  uid: "u-1",
};

describe("EventBroadcaster", () => {
  it("creates a core/v1 Event with the source component and the involved object", async () => {
    const sink = fakeSink();
    const b = new EventBroadcaster({ sink, clock: new FakeClock(), host: "h" });
    b.recorderFor("secret-store").event(store, "Normal", "Valid", "store validated");
    await b.flush();
    assert.equal(sink.writes.length, 1);
    const w = sink.writes[0]!;
    assert.equal(w.op, "create");
    assert.equal(w.namespace, "ns");
    assert.match(w.name, /^w1\.[0-9a-f]+$/);
    const e = w.event!;
    assert.equal(e.type, "Normal");
    assert.equal(e.reason, "Valid");
    assert.equal(e.message, "store validated");
    assert.equal(e.count, 1);
    assert.deepEqual(e.source, { component: "secret-store", host: "h" });
    assert.deepEqual(e.involvedObject, store);
    assert.match(e.firstTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("puts events of cluster-scoped objects into namespace default", async () => {
    const sink = fakeSink();
    const b = new EventBroadcaster({ sink, clock: new FakeClock() });
    b.recorderFor("c").event({ kind: "Cluster", name: "x" }, "Warning", "R", "m");
    await b.flush();
    const w = sink.writes[0]!;
    assert.equal(w.namespace, "default");
    assert.equal(w.event!.involvedObject.namespace, undefined);
  });

  it("aggregates identical events within the window into count/lastTimestamp patches", async () => {
    const sink = fakeSink();
    const clock = new FakeClock();
    const b = new EventBroadcaster({ sink, clock });
    const rec = b.recorderFor("c");
    rec.event(store, "Warning", "Failed", "boom");
    await b.flush();
    await clock.advance(60_000);
    rec.event(store, "Warning", "Failed", "boom");
    await b.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ["create", "patch"],
    );
    assert.equal(sink.writes[1]?.name, sink.writes[0]?.name);
    assert.equal(sink.writes[1]?.patch?.count, 2);
    // A different message is a different event.
    rec.event(store, "Warning", "Failed", "other");
    await b.flush();
    assert.equal(sink.writes[2]?.op, "create");
    // Outside the window: a new Event.
    await clock.advance(11 * 60_000);
    rec.event(store, "Warning", "Failed", "boom");
    await b.flush();
    const last = sink.writes[3]!;
    assert.equal(last.op, "create");
    assert.notEqual(last.name, sink.writes[0]!.name);
  });

  it("coalesces a burst of identical events into few writes", async () => {
    const sink = fakeSink();
    sink.hold = true;
    const b = new EventBroadcaster({ sink, clock: new FakeClock() });
    const rec = b.recorderFor("c");
    for (let i = 0; i < 50; i++) rec.event(store, "Warning", "Failed", "boom");
    sink.release();
    await new Promise((r) => setImmediate(r));
    sink.release();
    sink.hold = false;
    sink.release();
    await b.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ["create", "patch"],
    );
    assert.equal(sink.writes[1]?.patch?.count, 50);
  });

  it("creates a new Event when the aggregated one expired (404 on patch)", async () => {
    const sink = fakeSink();
    const b = new EventBroadcaster({ sink, clock: new FakeClock() });
    const rec = b.recorderFor("c");
    rec.event(store, "Normal", "R", "m");
    await b.flush();
    sink.notFound.add(sink.writes[0]!.name);
    rec.event(store, "Normal", "R", "m");
    await b.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.op),
      ["create", "create"],
    );
    assert.equal(sink.writes[1]?.event?.count, 1);
  });

  it("never blocks: drops events beyond the pending bound", async () => {
    const sink = fakeSink();
    sink.hold = true;
    const b = new EventBroadcaster({ sink, clock: new FakeClock(), maxInFlight: 1, maxPending: 2 });
    const rec = b.recorderFor("c");
    for (let i = 0; i < 5; i++) rec.event(store, "Normal", "R", `m${i}`);
    // 1 in flight, 2 pending, 2 dropped
    assert.equal(b.stats.dropped, 2);
    sink.hold = false;
    sink.release();
    await b.flush();
    assert.equal(sink.writes.length, 3);
  });

  it("holds Normal events while the controllers are busy and writes them once idle", async () => {
    const sink = fakeSink();
    const clock = new FakeClock();
    let busy = true;
    const b = new EventBroadcaster({ sink, clock, busy: () => busy, busyRecheckMs: 100 });
    const rec = b.recorderFor("c");
    rec.event(store, "Normal", "Synced", "secret synced");
    rec.event(store, "Warning", "Failed", "provider down");
    await clock.advance(100);
    assert.deepEqual(
      sink.writes.map((w) => w.event?.reason),
      ["Failed"],
      "the Warning is written at once, the Normal waits",
    );
    busy = false;
    await clock.advance(100);
    await b.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.event?.reason),
      ["Failed", "Synced"],
    );
  });

  it("writes a held-back Normal event after maxHoldMs even if the controllers stay busy", async () => {
    const sink = fakeSink();
    const clock = new FakeClock();
    const b = new EventBroadcaster({
      sink,
      clock,
      busy: () => true,
      busyRecheckMs: 1000,
      maxHoldMs: 5000,
    });
    b.recorderFor("c").event(store, "Normal", "Synced", "secret synced");
    await clock.advance(4000);
    assert.equal(sink.writes.length, 0);
    await clock.advance(1000);
    await b.flush();
    assert.equal(sink.writes.length, 1);
  });

  it("a full queue gives a Warning the place of the oldest waiting Normal", async () => {
    const sink = fakeSink();
    const clock = new FakeClock();
    let busy = true;
    const b = new EventBroadcaster({
      sink,
      clock,
      busy: () => busy,
      maxPending: 2,
      maxInFlight: 1,
    });
    const rec = b.recorderFor("c");
    rec.event(store, "Normal", "Synced", "n1");
    rec.event(store, "Normal", "Synced", "n2"); // the queue is full: n1, n2
    sink.hold = true;
    rec.event(store, "Warning", "Failed", "w1"); // n1 dropped; w1 is written (held)
    rec.event(store, "Warning", "Failed", "w2"); // waits beside n2
    rec.event(store, "Warning", "Failed", "w3"); // n2 dropped
    rec.event(store, "Warning", "Failed", "w4"); // only Warnings wait: w4 dropped
    assert.equal(b.stats.dropped, 3);
    busy = false;
    sink.hold = false;
    sink.release();
    await b.flush();
    assert.deepEqual(
      sink.writes.map((w) => w.event?.message),
      ["w1", "w2", "w3"],
    );
  });

  it("counts failed writes without throwing", async () => {
    const b = new EventBroadcaster({
      clock: new FakeClock(),
      sink: {
        create: () => Promise.reject(new Error("apiserver down")),
        patch: () => Promise.reject(new Error("apiserver down")),
      },
    });
    b.recorderFor("c").event(store, "Normal", "R", "m");
    await b.flush();
    assert.equal(b.stats.failed, 1);
  });

  it("truncates messages to 1 KiB on a character boundary", async () => {
    assert.equal(truncateUtf8("short", 1024), "short");
    const long = "é".repeat(1000); // 2000 bytes
    const cut = truncateUtf8(long, 1024);
    assert.ok(Buffer.byteLength(cut) <= 1024);
    assert.ok(cut.endsWith("..."));
    assert.ok(!cut.includes("\uFFFD"));
    const sink = fakeSink();
    const b = new EventBroadcaster({ sink, clock: new FakeClock() });
    b.recorderFor("c").event(store, "Warning", "R", "x".repeat(5000));
    await b.flush();
    assert.equal(Buffer.byteLength(sink.writes[0]?.event?.message ?? ""), 1024);
  });
});
