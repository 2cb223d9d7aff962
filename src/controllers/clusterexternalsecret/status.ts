// ClusterExternalSecret status (eso-reference.md §3): externalSecretName,
// provisionedNamespaces (sorted), failedNamespaces (namespace + reason,
// sorted by namespace) and the Ready condition. ESO's condition has only
// type, status and message: Ready=True with no message, or Ready=False with
// "one or more namespaces failed" (the per-namespace reasons are in
// failedNamespaces). Empty lists are left out, as ESO's omitempty does.
import { isDeepStrictEqual } from "node:util";
import {
  CLUSTER_EXTERNAL_SECRET_FAILED,
  CONDITION_READY,
  type ClusterExternalSecretStatus,
} from "../../api/index.ts";

type Condition = NonNullable<ClusterExternalSecretStatus["conditions"]>[number];
export type NamespaceFailure = NonNullable<ClusterExternalSecretStatus["failedNamespaces"]>[number];

/** Reasons are capped: an apiserver error must never balloon status. */
const MAX_REASON = 512;

export interface ProvisionResult {
  readonly externalSecretName: string;
  readonly provisioned: Iterable<string>;
  /** Namespace → why it failed. */
  readonly failed: ReadonlyMap<string, string>;
}

function cap(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}

export function readyCondition(failed: number): Condition {
  return failed === 0
    ? { type: CONDITION_READY, status: "True" }
    : { type: CONDITION_READY, status: "False", message: CLUSTER_EXTERNAL_SECRET_FAILED };
}

export function isReady(status: ClusterExternalSecretStatus | undefined): boolean {
  return status?.conditions?.find((c) => c.type === CONDITION_READY)?.status === "True";
}

/** The status after a pass; conditions of other types are kept. */
export function computeStatus(
  previous: ClusterExternalSecretStatus | undefined,
  result: ProvisionResult,
): ClusterExternalSecretStatus {
  const provisioned = [...new Set(result.provisioned)].sort();
  const failed: NamespaceFailure[] = [...result.failed.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, reason]) => ({ namespace, reason: cap(reason) }));
  const others = (previous?.conditions ?? []).filter((c) => c.type !== CONDITION_READY);
  return {
    externalSecretName: result.externalSecretName,
    ...(provisioned.length === 0 ? {} : { provisionedNamespaces: provisioned }),
    ...(failed.length === 0 ? {} : { failedNamespaces: failed }),
    conditions: [...others, readyCondition(failed.length)],
  };
}

function normalise(s: ClusterExternalSecretStatus | undefined): unknown {
  return {
    externalSecretName: s?.externalSecretName ?? "",
    provisionedNamespaces: s?.provisionedNamespaces ?? [],
    failedNamespaces: (s?.failedNamespaces ?? []).map((f) => [f.namespace, f.reason ?? ""]),
    conditions: (s?.conditions ?? []).map((c) => [c.type, c.status, c.message ?? ""]),
  };
}

/** Whether two statuses differ in anything a user can see. */
export function statusChanged(
  a: ClusterExternalSecretStatus | undefined,
  b: ClusterExternalSecretStatus,
): boolean {
  return !isDeepStrictEqual(normalise(a), normalise(b));
}

/**
 * The JSON merge patch that turns the stored status into `next`: lists
 * that became empty are removed with null (a merge patch cannot express
 * "absent" otherwise).
 */
export function statusPatch(next: ClusterExternalSecretStatus): Record<string, unknown> {
  return {
    externalSecretName: next.externalSecretName ?? null,
    provisionedNamespaces: next.provisionedNamespaces ?? null,
    failedNamespaces: next.failedNamespaces ?? null,
    conditions: next.conditions ?? null,
  };
}

/**
 * Failures that are new or whose reason changed since `previous`: the
 * Warning Events of a pass (a failure that persists is not re-announced on
 * every reconcile).
 */
export function newFailures(
  previous: ClusterExternalSecretStatus | undefined,
  next: ClusterExternalSecretStatus,
): NamespaceFailure[] {
  const before = new Map((previous?.failedNamespaces ?? []).map((f) => [f.namespace, f.reason]));
  return (next.failedNamespaces ?? []).filter((f) => before.get(f.namespace) !== f.reason);
}
