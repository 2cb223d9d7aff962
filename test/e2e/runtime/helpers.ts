// Shared helpers for the runtime end-to-end tests.
import { PassThrough, type Readable } from "node:stream";
import {
  KubeClient,
  KubeConfigTransport,
  KubeTransportError,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from "../../../src/runtime/client/index.ts";
import type { EventHandler } from "../../../src/runtime/cache/index.ts";
import type { KubeObject } from "../../../src/runtime/client/index.ts";
import { kubeConfig } from "../framework/env.ts";

export function realClient(): KubeClient {
  return KubeClient.fromKubeConfig(kubeConfig());
}

/**
 * A transport around the real one that can cut the connection (pause) and
 * rewrite the next watch's resourceVersion to a long-compacted one: fault
 * injection for the resume and 410 paths, while every answer still comes
 * from the real apiserver.
 */
export class FaultTransport implements Transport {
  readonly #inner: Transport;
  readonly #open = new Set<Readable>();
  paused = false;
  /** Watches open but never deliver a byte: a half-open TCP connection. */
  stallWatches = false;
  forceWatchResourceVersion: string | undefined;
  readonly watchRequests: URLSearchParams[] = [];

  constructor(inner: Transport = new KubeConfigTransport(kubeConfig())) {
    this.#inner = inner;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    if (this.paused) throw new KubeTransportError("fault injection: connection refused", undefined);
    const isWatch = req.query?.get("watch") === "true";
    let query = req.query;
    if (isWatch && this.forceWatchResourceVersion !== undefined) {
      query = new URLSearchParams(query);
      query.set("resourceVersion", this.forceWatchResourceVersion);
      this.forceWatchResourceVersion = undefined;
    }
    if (isWatch && query !== undefined) this.watchRequests.push(query);
    const res = await this.#inner.request({ ...req, query });
    if (isWatch && this.stallWatches) return this.#stalled(res, req.signal);
    if (isWatch) {
      this.#open.add(res.body);
      res.body.once("close", () => this.#open.delete(res.body));
    }
    return res;
  }

  #stalled(res: HttpResponse, signal: AbortSignal | undefined): HttpResponse {
    res.body.destroy();
    const silent = new PassThrough();
    // Like a dead socket, it only ends when the client gives up on it.
    signal?.addEventListener("abort", () => silent.destroy(new Error("aborted")), { once: true });
    return { ...res, body: silent };
  }

  /** Fails new requests and cuts the open watches. */
  pause(): void {
    this.paused = true;
    for (const body of this.#open) body.destroy(new Error("fault injection: connection reset"));
  }

  resume(): void {
    this.paused = false;
  }

  close(): void {
    this.#inner.close();
  }
}

export interface Recorded {
  readonly type: "add" | "update" | "delete";
  readonly name: string;
  readonly object: KubeObject;
}

/** An event handler that records what it saw. */
export function recorder(): { events: Recorded[]; handler: EventHandler<KubeObject> } {
  const events: Recorded[] = [];
  const name = (o: KubeObject): string => o.metadata?.name ?? "";
  return {
    events,
    handler: {
      onAdd: (o) => events.push({ type: "add", name: name(o), object: o }),
      onUpdate: (_old, o) => events.push({ type: "update", name: name(o), object: o }),
      onDelete: (o) => events.push({ type: "delete", name: name(o), object: o }),
    },
  };
}

export function seen(events: readonly Recorded[], type: Recorded["type"], name: string): boolean {
  return events.some((e) => e.type === type && e.name === name);
}
