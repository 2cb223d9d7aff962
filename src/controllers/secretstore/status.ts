// The status a store reconcile wants, and whether it differs from what the
// store has: conditions keep their lastTransitionTime unless their status
// flips, other condition types are kept, and capabilities are set only when
// the store validated (ESO's order, eso-reference.md §11.6).
import { isDeepStrictEqual } from "node:util";
import { CONDITION_READY } from "../../api/index.ts";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import type { Capabilities } from "../../providers/provider.ts";

export interface StoreCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

export interface StoreStatus {
  readonly conditions?: readonly StoreCondition[];
  readonly capabilities?: string;
}

/** What one validation concluded. */
export interface ReadyState {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
  /** Set when the store validated; otherwise the current value is kept. */
  readonly capabilities?: Capabilities | undefined;
}

/** metav1.Time: RFC 3339 with second precision. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function readyCondition(status: StoreStatus | undefined): StoreCondition | undefined {
  return status?.conditions?.find((c) => c.type === CONDITION_READY);
}

export function desiredStatus(
  current: StoreStatus | undefined,
  state: ReadyState,
  nowMs: number,
): StoreStatus {
  const previous = readyCondition(current);
  const status = state.ready ? "True" : "False";
  const ready: StoreCondition = {
    type: CONDITION_READY,
    status,
    reason: state.reason,
    message: state.message,
    lastTransitionTime:
      previous?.status === status && previous.lastTransitionTime !== undefined
        ? previous.lastTransitionTime
        : kubeTime(nowMs),
  };
  const others = (current?.conditions ?? []).filter((c) => c.type !== CONDITION_READY);
  const capabilities = state.capabilities ?? current?.capabilities;
  return {
    conditions: [...others, ready],
    ...(capabilities === undefined ? {} : { capabilities }),
  };
}

/** True when writing `desired` would change the store's status. */
export function statusChanged(current: StoreStatus | undefined, desired: StoreStatus): boolean {
  return !isDeepStrictEqual(
    { conditions: current?.conditions ?? [], capabilities: current?.capabilities },
    { conditions: desired.conditions ?? [], capabilities: desired.capabilities },
  );
}

/** True when the Ready condition's status, reason or message differs. */
export function readyChanged(current: StoreStatus | undefined, desired: StoreStatus): boolean {
  const a = readyCondition(current);
  const b = readyCondition(desired);
  return a?.status !== b?.status || a?.reason !== b?.reason || a?.message !== b?.message;
}

/**
 * `spec.refreshInterval` in ms: an integer is seconds (ESO's legacy form),
 * a string is a Go duration (a bare number string is seconds too). 0,
 * empty, negative or unparseable ⇒ `defaultMs` (`--store-requeue-interval`);
 * the webhook rejects the last two, so they only reach here without it.
 */
export function refreshIntervalMs(value: unknown, defaultMs: number): number {
  const ms = intervalMs(value);
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : defaultMs;
}

function intervalMs(value: unknown): number | undefined {
  if (typeof value === "number") return value * 1000;
  if (typeof value !== "string" || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  try {
    return parseGoDuration(value);
  } catch {
    return undefined;
  }
}
