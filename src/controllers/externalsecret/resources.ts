// REST resources the ExternalSecret controller reads and writes.
import type { ResourceRef } from "../../runtime/index.ts";

export const EXTERNAL_SECRETS: ResourceRef = {
  group: "external-secrets.io",
  version: "v1",
  resource: "externalsecrets",
  namespaced: true,
};

export const SECRET_STORES: ResourceRef = {
  group: "external-secrets.io",
  version: "v1",
  resource: "secretstores",
  namespaced: true,
};

export const CLUSTER_SECRET_STORES: ResourceRef = {
  group: "external-secrets.io",
  version: "v1",
  resource: "clustersecretstores",
  namespaced: false,
};
