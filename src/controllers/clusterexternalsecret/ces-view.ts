// A ClusterExternalSecret as the informer holds it (plain JSON metadata),
// and ESO's defaults for it resolved in one place: the name of the child
// ExternalSecrets and the requeue interval.
import type { ClusterExternalSecret, ExternalSecret } from "../../api/index.ts";
import { parseGoDuration } from "../../esutils/go-duration.ts";
import type { KubeObject, ObjectMeta } from "../../runtime/index.ts";

export type ClusterExternalSecretObject = Omit<ClusterExternalSecret, "metadata"> & {
  metadata?: ObjectMeta;
};

/** A child ExternalSecret as it comes off the wire. */
export type ExternalSecretObject = Omit<ExternalSecret, "metadata"> & { metadata?: ObjectMeta };

/** Namespaces are watched metadata-only: name, labels, deletion and finalizers are all we need. */
export type NamespaceObject = KubeObject;

/**
 * Requeue interval when `spec.refreshTime` is not set: ESO's controller
 * default (`RequeueInterval: time.Hour`, eso-reference.md §3 and §11.3;
 * ESO's CRD puts no default on the field).
 */
export const DEFAULT_REFRESH_MS = 3_600_000;

export function cesName(ces: ClusterExternalSecretObject): string {
  return ces.metadata?.name ?? "";
}

/** `spec.externalSecretName`, or the ClusterExternalSecret's own name. */
export function childName(ces: ClusterExternalSecretObject): string {
  const name = ces.spec?.externalSecretName;
  return name === undefined || name === "" ? cesName(ces) : name;
}

/**
 * The requeue interval in ms; `undefined` means no periodic requeue (a zero
 * or negative duration, as ESO's `RequeueAfter: 0`). An unparseable value
 * throws DurationError with a message that says how to fix it.
 */
export function refreshMs(ces: ClusterExternalSecretObject): number | undefined {
  const text = ces.spec?.refreshTime;
  if (text === undefined || text === "") return DEFAULT_REFRESH_MS;
  const ms = parseGoDuration(text);
  return ms > 0 ? ms : undefined;
}
