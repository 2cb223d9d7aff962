// ClusterSecretStore (external-secrets.io/v1): a SecretStore usable from any
// namespace; the schema is the SecretStore's, conditions restrict its use.
import type { Static } from "@sinclair/typebox";
import { KindObject } from "../../meta/v1/object.ts";
import { SecretStoreSpec, SecretStoreStatus } from "./secretstore.ts";

export const ClusterSecretStore = KindObject(SecretStoreSpec, SecretStoreStatus);
export type ClusterSecretStore = Static<typeof ClusterSecretStore>;
