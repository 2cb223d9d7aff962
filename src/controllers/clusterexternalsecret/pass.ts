// What one reconcile of a ClusterExternalSecret did, namespace by namespace:
// the input of its status and of its Events. Events summarise a pass (one
// Event per kind of change, naming the namespaces) instead of one Event per
// namespace, so a ClusterExternalSecret that selects hundreds of namespaces
// does not flood the Event store.
import type { ChildOutcome } from "./children.ts";

/** ESO's reason for a namespace whose ExternalSecret belongs to someone else. */
export const REASON_ALREADY_EXISTS = "external secret already exists in namespace";

/** At most this many namespace names in an Event message. */
const MAX_LISTED = 10;

export function listNamespaces(namespaces: readonly string[]): string {
  const sorted = [...namespaces].sort();
  const shown = sorted.slice(0, MAX_LISTED).join(", ");
  const more = sorted.length - MAX_LISTED;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export interface PassEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export class Pass {
  readonly externalSecretName: string;
  readonly provisioned: string[] = [];
  readonly failed = new Map<string, string>();
  readonly created: string[] = [];
  readonly updated: string[] = [];
  /** "namespace/name" of children deleted because they are no longer wanted. */
  readonly deleted: string[] = [];
  /** A write raced with another writer: the pass is repeated, nothing is reported. */
  conflict: unknown = undefined;
  /** An API call failed: reported in status, then retried with backoff. */
  apiError: unknown = undefined;

  constructor(externalSecretName: string) {
    this.externalSecretName = externalSecretName;
  }

  /** Records the outcome of one namespace's child. */
  record(namespace: string, outcome: ChildOutcome): void {
    switch (outcome) {
      case "foreign":
        this.failed.set(namespace, REASON_ALREADY_EXISTS);
        return;
      case "created":
        this.created.push(namespace);
        break;
      case "updated":
        this.updated.push(namespace);
        break;
      case "unchanged":
        break;
    }
    this.provisioned.push(namespace);
  }

  fail(namespace: string, reason: string, err: unknown): void {
    this.failed.set(namespace, reason);
    this.apiError ??= err;
  }

  /** The Normal Events of the pass (creations, updates, deletions). */
  events(): PassEvent[] {
    const name = this.externalSecretName;
    const out: PassEvent[] = [];
    if (this.created.length > 0)
      out.push({
        type: "Normal",
        reason: "Created",
        message: `created ExternalSecret ${name} in namespaces ${listNamespaces(this.created)}`,
      });
    if (this.updated.length > 0)
      out.push({
        type: "Normal",
        reason: "Updated",
        message: `updated ExternalSecret ${name} in namespaces ${listNamespaces(this.updated)}`,
      });
    if (this.deleted.length > 0)
      out.push({
        type: "Normal",
        reason: "Deleted",
        message: `deleted ExternalSecrets no longer wanted: ${listNamespaces(this.deleted)}`,
      });
    return out;
  }
}
