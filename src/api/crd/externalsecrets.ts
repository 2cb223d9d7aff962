// CRD metadata of the external-secrets.io kinds (eso-reference.md §1, §2.5).
import { ClusterExternalSecret } from "../schema/externalsecrets/v1/clusterexternalsecret.ts";
import { ClusterSecretStore } from "../schema/externalsecrets/v1/clustersecretstore.ts";
import { ExternalSecret } from "../schema/externalsecrets/v1/externalsecret.ts";
import { SecretStore } from "../schema/externalsecrets/v1/secretstore.ts";
import { ClusterPushSecret } from "../schema/externalsecrets/v1alpha1/clusterpushsecret.ts";
import { PushSecret } from "../schema/externalsecrets/v1alpha1/pushsecret.ts";
import { age, readyReason, readyStatus } from "./columns.ts";
import type { CrdDefinition, PrinterColumn } from "./types.ts";

export const EXTERNAL_SECRETS_GROUP = "external-secrets.io";

const CATEGORIES = ["external-secrets"] as const;
// v1 is stored; v1beta1 is served with the same schema so that manifests
// from older tutorials apply unchanged (conversion strategy None).
const V1_AND_V1BETA1 = ["v1", "v1beta1"] as const;

const storeColumns: readonly PrinterColumn[] = [
  age,
  readyReason,
  { name: "Capabilities", type: "string", jsonPath: ".status.capabilities" },
  readyStatus,
];

export const externalSecretsCrds: readonly CrdDefinition[] = [
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "ExternalSecret",
    plural: "externalsecrets",
    singular: "externalsecret",
    shortNames: ["es"],
    categories: CATEGORIES,
    scope: "Namespaced",
    versions: V1_AND_V1BETA1,
    schema: ExternalSecret,
    statusSubresource: true,
    printerColumns: [
      { name: "StoreType", type: "string", jsonPath: ".spec.secretStoreRef.kind" },
      { name: "Store", type: "string", jsonPath: ".spec.secretStoreRef.name" },
      { name: "Refresh Interval", type: "string", jsonPath: ".spec.refreshInterval" },
      readyReason,
      readyStatus,
      { name: "Last Sync", type: "date", jsonPath: ".status.refreshTime" },
    ],
    selectableFields: [
      ".spec.secretStoreRef.name",
      ".spec.secretStoreRef.kind",
      ".spec.target.name",
      ".spec.refreshInterval",
    ],
  },
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "ClusterExternalSecret",
    plural: "clusterexternalsecrets",
    singular: "clusterexternalsecret",
    shortNames: ["ces"],
    categories: CATEGORIES,
    scope: "Cluster",
    versions: V1_AND_V1BETA1,
    schema: ClusterExternalSecret,
    statusSubresource: true,
    printerColumns: [
      { name: "Store", type: "string", jsonPath: ".spec.externalSecretSpec.secretStoreRef.name" },
      { name: "Refresh Interval", type: "string", jsonPath: ".spec.refreshTime" },
      readyStatus,
    ],
  },
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "SecretStore",
    plural: "secretstores",
    singular: "secretstore",
    shortNames: ["ss"],
    categories: CATEGORIES,
    scope: "Namespaced",
    versions: V1_AND_V1BETA1,
    schema: SecretStore,
    statusSubresource: true,
    printerColumns: storeColumns,
  },
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "ClusterSecretStore",
    plural: "clustersecretstores",
    singular: "clustersecretstore",
    shortNames: ["css"],
    categories: CATEGORIES,
    scope: "Cluster",
    versions: V1_AND_V1BETA1,
    schema: ClusterSecretStore,
    statusSubresource: true,
    printerColumns: storeColumns,
  },
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "PushSecret",
    plural: "pushsecrets",
    singular: "pushsecret",
    shortNames: ["ps"],
    categories: CATEGORIES,
    scope: "Namespaced",
    versions: ["v1alpha1"],
    schema: PushSecret,
    statusSubresource: true,
    printerColumns: [
      age,
      readyReason,
      { name: "Last Sync", type: "date", jsonPath: ".status.refreshTime" },
    ],
  },
  {
    group: EXTERNAL_SECRETS_GROUP,
    kind: "ClusterPushSecret",
    plural: "clusterpushsecrets",
    singular: "clusterpushsecret",
    categories: CATEGORIES,
    scope: "Cluster",
    versions: ["v1alpha1"],
    schema: ClusterPushSecret,
    statusSubresource: true,
    printerColumns: [age, readyReason],
  },
];
