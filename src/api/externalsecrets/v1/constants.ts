// Well-known names ESO puts on objects (eso-reference.md §1.3). Ferry must use
// the same strings so that objects written by either controller interoperate.

/** Label on every Secret (or generic target) an ExternalSecret manages. */
export const LABEL_MANAGED = "reconcile.external-secrets.io/managed";
export const LABEL_MANAGED_VALUE = "true";
/** sha3-224 of "ns/esName"; only with creationPolicy Owner. */
export const LABEL_CREATED_BY = "reconcile.external-secrets.io/created-by";
/** sha3-224 of the Go rendering of the Secret data (drift detection). */
export const ANNOTATION_DATA_HASH = "reconcile.external-secrets.io/data-hash";
/** Copied from a ClusterExternalSecret to its ExternalSecrets to force a refresh. */
export const ANNOTATION_FORCE_SYNC = "external-secrets.io/force-sync";
/** On a (Cluster)SecretStore: no StoreUnmaintained/StoreDeprecated events. */
export const ANNOTATION_IGNORE_MAINTENANCE_CHECKS = "external-secrets.io/ignore-maintenance-checks";
/** Secrets the Webhook provider may read must carry this label with value `webhook`. */
export const LABEL_SECRET_TYPE = "external-secrets.io/type";
export const LABEL_SECRET_TYPE_WEBHOOK = "webhook";
/** Hash of kind-ns-name-stateKey of the object owning a GeneratorState. */
export const LABEL_GENERATOR_OWNER_KEY = "generators.external-secrets.io/owner-key";
/** Label on every CRD. */
export const LABEL_COMPONENT = "external-secrets.io/component";

export const FINALIZER_EXTERNAL_SECRET =
  "externalsecrets.external-secrets.io/externalsecret-cleanup";
export const FINALIZER_CLUSTER_EXTERNAL_SECRET =
  "externalsecrets.external-secrets.io/clusterexternalsecret-cleanup";
/** Finalizer a ClusterExternalSecret puts on each Namespace it provisions. */
export function namespaceFinalizerFor(clusterExternalSecretName: string): string {
  return `externalsecrets.external-secrets.io/ces-${clusterExternalSecretName}`;
}
export const FINALIZER_PUSH_SECRET = "pushsecret.externalsecrets.io/finalizer";
export const FINALIZER_SECRET_STORE = "secretstore.externalsecrets.io/finalizer";
export const FINALIZER_GENERATOR_STATE = "generatorstate.externalsecrets.io/finalizer";

/** Prefix of the field manager an ExternalSecret writes its target with. */
export const FIELD_MANAGER_PREFIX = "externalsecrets.external-secrets.io/";
