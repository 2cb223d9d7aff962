// ExternalSecret status: the Ready condition (lastTransitionTime changes
// only when the status flips, as ESO), refreshTime, syncedResourceVersion
// and binding. The reconciler writes status only when this changes.
import type { ExternalSecretStatus } from "../../api/index.ts";
import type { ExternalSecretObject as ExternalSecret } from "./es-view.ts";

type Condition = NonNullable<ExternalSecretStatus["conditions"]>[number];

export interface ReadyCondition {
  readonly status: "True" | "False";
  readonly reason: string;
  readonly message: string;
}

/** Messages are capped: an error chain must never balloon status. */
const MAX_MESSAGE = 1024;

export function withReady(
  previous: readonly Condition[] | undefined,
  ready: ReadyCondition,
  now: string,
): Condition[] {
  const others = (previous ?? []).filter((c) => c.type !== "Ready");
  const old = (previous ?? []).find((c) => c.type === "Ready");
  const message =
    ready.message.length > MAX_MESSAGE
      ? `${ready.message.slice(0, MAX_MESSAGE - 1)}…`
      : ready.message;
  const lastTransitionTime =
    old?.status === ready.status && old.lastTransitionTime !== undefined
      ? old.lastTransitionTime
      : now;
  return [
    ...others,
    { type: "Ready", status: ready.status, reason: ready.reason, message, lastTransitionTime },
  ];
}

export function readyOf(es: ExternalSecret): Condition | undefined {
  return es.status?.conditions?.find((c) => c.type === "Ready");
}

/** Whether two statuses differ in anything a user can see. */
export function statusChanged(
  a: ExternalSecretStatus | undefined,
  b: ExternalSecretStatus,
): boolean {
  return JSON.stringify(normalise(a ?? {})) !== JSON.stringify(normalise(b));
}

function normalise(s: ExternalSecretStatus): unknown {
  return {
    refreshTime: s.refreshTime ?? null,
    syncedResourceVersion: s.syncedResourceVersion ?? "",
    binding: s.binding?.name ?? "",
    conditions: (s.conditions ?? []).map((c) => [
      c.type,
      c.status,
      c.reason ?? "",
      c.message ?? "",
      c.lastTransitionTime ?? "",
    ]),
  };
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
