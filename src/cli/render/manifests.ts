// Reads the Kubernetes manifests `ferry render` works on: every YAML
// document of the given files, grouped by kind. Objects without a namespace
// land in "default", as kubectl would put them.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { ExternalSecretObject } from "../../controllers/externalsecret/es-view.ts";
import type { ConfigMapObject, KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import type { GenericStore, StoreKind } from "../../esutils/store.ts";

interface RawObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    generation?: number;
  };
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface Manifests {
  readonly externalSecrets: ExternalSecretObject[];
  readonly stores: GenericStore[];
  readonly configMaps: ConfigMapObject[];
  readonly secrets: SecretObject[];
  /** Documents that are none of the above (reported, not an error). */
  readonly ignored: string[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

function documentsOf(file: string, text: string): RawObject[] {
  const docs = parseAllDocuments(text);
  const out: RawObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new ManifestError(`${file}: ${doc.errors[0]?.message ?? "invalid YAML"}`);
    const value: unknown = doc.toJS();
    if (value !== null && typeof value === "object") out.push(value);
  }
  return out;
}

const namespaceOf = (o: RawObject): string => o.metadata?.namespace ?? "default";

function secretOf(o: RawObject): SecretObject {
  const data = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(o.data ?? {}))
    data.set(k, new Uint8Array(Buffer.from(v, "base64")));
  for (const [k, v] of Object.entries(o.stringData ?? {}))
    data.set(k, new Uint8Array(Buffer.from(v, "utf8")));
  const meta = { name: "", labels: {}, annotations: {}, ...o.metadata };
  return {
    namespace: namespaceOf(o),
    name: meta.name,
    data,
    labels: meta.labels,
    annotations: meta.annotations,
  };
}

function withIdentity(o: RawObject, index: number): RawObject {
  // Stores and ExternalSecrets read from files have no uid; give them a stable one.
  return {
    ...o,
    metadata: {
      generation: 1,
      uid: `render-${String(index)}`,
      ...o.metadata,
      namespace: namespaceOf(o),
    },
  };
}

function storeOf(o: RawObject, index: number): GenericStore {
  const kind = o.kind as StoreKind;
  const meta = withIdentity(o, index).metadata ?? {};
  const namespace = kind === "ClusterSecretStore" ? undefined : meta.namespace;
  return {
    kind,
    metadata: { ...meta, name: meta.name ?? "", namespace },
    spec: o.spec as GenericStore["spec"],
  };
}

type Classifier = (m: Manifests, o: RawObject, index: number) => void;

const BY_KIND: Readonly<Record<string, Classifier>> = {
  "external-secrets.io/ExternalSecret": (m, o, i) =>
    m.externalSecrets.push(withIdentity(o, i) as ExternalSecretObject),
  "external-secrets.io/SecretStore": (m, o, i) => m.stores.push(storeOf(o, i)),
  "external-secrets.io/ClusterSecretStore": (m, o, i) => m.stores.push(storeOf(o, i)),
  "v1/ConfigMap": (m, o) =>
    m.configMaps.push({
      namespace: namespaceOf(o),
      name: o.metadata?.name ?? "",
      data: new Map(Object.entries(o.data ?? {})),
    }),
  "v1/Secret": (m, o) => m.secrets.push(secretOf(o)),
};

function classify(m: Manifests, o: RawObject, index: number): void {
  const apiVersion = o.apiVersion ?? "";
  // Any version of external-secrets.io (v1, v1beta1) has the same schema.
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : apiVersion;
  const handler = BY_KIND[`${group ?? ""}/${o.kind ?? ""}`];
  if (handler === undefined)
    m.ignored.push(`${apiVersion || "?"}/${o.kind ?? "?"} ${o.metadata?.name ?? ""}`);
  else handler(m, o, index);
}

export function readManifests(files: readonly string[]): Manifests {
  const m: Manifests = {
    externalSecrets: [],
    stores: [],
    configMaps: [],
    secrets: [],
    ignored: [],
  };
  let index = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
    }
    for (const o of documentsOf(file, text)) classify(m, o, index++);
  }
  return m;
}

/** Kubernetes access answered from the manifests: nothing is read from a cluster. */
export function offlineKubeAccess(m: Manifests): KubeAccess {
  return {
    getSecret: (ns, name) =>
      Promise.resolve(m.secrets.find((s) => s.namespace === ns && s.name === name)),
    getConfigMap: (ns, name) =>
      Promise.resolve(m.configMaps.find((c) => c.namespace === ns && c.name === name)),
    getServiceAccount: () => Promise.resolve(undefined),
    createServiceAccountToken: (ns, name) =>
      Promise.reject(
        new Error(
          `ServiceAccount tokens are not available offline (ServiceAccount ${ns}/${name}); use static credentials in the rendered store`,
        ),
      ),
  };
}
