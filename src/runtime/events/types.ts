// Kubernetes Events (core/v1) as the recorder writes them, and the narrow
// API it writes them through (an EventSink), so that tests can record
// without an apiserver.
import type { KubeClient, KubeObject } from "../client/index.ts";
import { CORE } from "../client/index.ts";

export type EventType = "Normal" | "Warning";

/** The object an event is about (core/v1 ObjectReference). */
export interface ObjectReference {
  readonly apiVersion?: string | undefined;
  readonly kind: string;
  readonly name: string;
  /** Empty or absent for cluster-scoped objects. */
  readonly namespace?: string | undefined;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

/** Records events about objects; never blocks and never throws. */
export interface EventRecorder {
  event(obj: ObjectReference, type: EventType, reason: string, message: string): void;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** What an aggregated event's PATCH changes. */
export interface EventPatch {
  readonly count: number;
  readonly lastTimestamp: string;
}

/** Where events go. */
export interface EventSink {
  create(namespace: string, event: CoreEvent): Promise<unknown>;
  patch(namespace: string, name: string, patch: EventPatch): Promise<unknown>;
}

/** An EventSink writing core/v1 Events with the runtime client. */
export function clientEventSink(client: KubeClient): EventSink {
  return {
    create: (namespace, event) => client.create(CORE.events, event, { namespace }),
    patch: (namespace, name, patch) => client.mergePatch(CORE.events, name, patch, { namespace }),
  };
}

/**
 * The reference of a full object (its apiVersion and kind must be set, as
 * they are on objects read from the apiserver or an informer).
 */
export function referenceOf(obj: KubeObject, fallbackKind = ""): ObjectReference {
  const meta = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind ?? fallbackKind,
    name: meta.name ?? "",
    namespace: meta.namespace,
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
  };
}
