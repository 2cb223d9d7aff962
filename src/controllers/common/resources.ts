// REST collections of ESO's kinds, for the runtime client and informers.
import type { ResourceRef } from "../../runtime/index.ts";

const group = "external-secrets.io";

export const ESO = {
  externalSecrets: { group, version: "v1", resource: "externalsecrets", namespaced: true },
  clusterExternalSecrets: {
    group,
    version: "v1",
    resource: "clusterexternalsecrets",
    namespaced: false,
  },
  secretStores: { group, version: "v1", resource: "secretstores", namespaced: true },
  clusterSecretStores: { group, version: "v1", resource: "clustersecretstores", namespaced: false },
  pushSecrets: { group, version: "v1alpha1", resource: "pushsecrets", namespaced: true },
  clusterPushSecrets: {
    group,
    version: "v1alpha1",
    resource: "clusterpushsecrets",
    namespaced: false,
  },
} as const satisfies Record<string, ResourceRef>;

export const ESO_API_VERSION = `${group}/v1`;
