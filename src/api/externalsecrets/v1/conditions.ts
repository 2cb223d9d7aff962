// Condition types, reasons and messages ESO writes in status
// (eso-reference.md §2.4, §4.2, §5.2, §6.3).

export const CONDITION_READY = "Ready";
export const CONDITION_DELETED = "Deleted";

/** ExternalSecret Ready reasons (Secret targets). */
export const ExternalSecretReason = {
  SecretSynced: "SecretSynced",
  SecretSyncedError: "SecretSyncedError",
  SecretDeleted: "SecretDeleted",
  SecretMissing: "SecretMissing",
  // generic (manifest) targets
  ResourceSynced: "ResourceSynced",
  ResourceSyncedError: "ResourceSyncedError",
  ResourceDeleted: "ResourceDeleted",
  ResourceMissing: "ResourceMissing",
} as const;

/** Event reasons shared by the controllers. */
export const EventReason = {
  UpdateFailed: "UpdateFailed",
  ParameterDeprecated: "ParameterDeprecated",
  Created: "Created",
  Updated: "Updated",
  Deleted: "Deleted",
  MissingProviderSecret: "MissingProviderSecret",
} as const;

export const ExternalSecretMessage = {
  synced: "secret synced",
  retained: "secret retained due to DeletionPolicy=Retain",
  deleted: "secret deleted due to DeletionPolicy=Delete",
  missingMerge: "secret will not be created due to CreationPolicy=Merge",
  getDataFailed: "could not get secret data from provider",
  deleteFailed: "could not delete secret",
  deleteOrphansFailed: "could not delete orphaned secrets",
  updateFailed: "could not update secret",
  immutable: "could not update secret, target is immutable",
  ownershipFailed: "failed to take ownership of target secret",
  ownedByOther: "target is owned by another ExternalSecret",
} as const;

/** SecretStore / ClusterSecretStore Ready reasons and event reasons. */
export const SecretStoreReason = {
  Valid: "Valid",
  InvalidProviderConfig: "InvalidProviderConfig",
  ValidationUnknown: "ValidationUnknown",
  InvalidStoreConfiguration: "InvalidStoreConfiguration",
  ValidationFailed: "ValidationFailed",
  StoreUnmaintained: "StoreUnmaintained",
  StoreDeprecated: "StoreDeprecated",
} as const;

export const SecretStoreMessage = {
  validated: "store validated",
  clientFailed: "unable to create client",
  validateFailed: "unable to validate store",
  unknown: "could not determine validation status",
} as const;

/** PushSecret Ready reasons. */
export const PushSecretReason = {
  Synced: "Synced",
  Errored: "Errored",
  SourceDeleted: "SourceDeleted",
} as const;

export const PushSecretMessage = {
  synced: "PushSecret synced successfully",
  unchangedSuffix: ". Existing secrets in providers unchanged.",
  sourceDeleted: "source secret deleted; provider secrets cleaned up",
} as const;

/** ClusterExternalSecret failure message (its conditions carry no reason). */
export const CLUSTER_EXTERNAL_SECRET_FAILED = "one or more namespaces failed";

/** GeneratorState Ready reasons. */
export const GeneratorStateReason = {
  Created: "Created",
  Error: "Error",
} as const;
