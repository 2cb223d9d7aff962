// The data ESO's webhook templates see: a map[string]map[string]string with
// `remoteRef` (key, version, property, namespace for reads; remoteKey,
// secretKey and the pushed value for pushes) and one entry per secrets[]
// item holding every key of that Secret. In the URL the remoteRef values are
// query-escaped (url.QueryEscape); headers, body and jsonPath get them raw.
//
// Secrets reach templates only when they carry the label
// external-secrets.io/type: webhook (an ESO security fix: without it any
// Secret of the namespace could be sent to an arbitrary URL).
import { LABEL_SECRET_TYPE, LABEL_SECRET_TYPE_WEBHOOK } from "../../api/index.ts";
import type { KubeAccess, SecretObject } from "../../esutils/kube-access.ts";
import { referenceNamespace } from "../../esutils/resolvers.ts";
import { isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { dataContext, type GoValue } from "../../template/index.ts";
import { GoMap } from "../../template/value.ts";
import { ProviderError } from "../errors.ts";
import type { WebhookSpec } from "./spec.ts";

type Entries = Record<string, string | Uint8Array>;

/** The contents of the secrets[] Secrets, by template name. */
export interface TemplateSecrets {
  readonly byName: ReadonlyMap<string, Entries>;
  /** Every value, for redacting error messages. */
  readonly values: readonly string[];
}

export const NO_SECRETS: TemplateSecrets = { byName: new Map(), values: [] };

/** Go's url.QueryEscape: space as "+", everything but [A-Za-z0-9-_.~] percent-encoded. */
export function queryEscape(s: string | Uint8Array): string {
  const bytes = typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s);
  return bytes
    .toString("latin1")
    .replace(
      /[^A-Za-z0-9\-_.~ ]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .replaceAll(" ", "+");
}

function labelProblem(secret: SecretObject): string | undefined {
  const value = secret.labels[LABEL_SECRET_TYPE];
  if (value === undefined) {
    return `does not carry the label '${LABEL_SECRET_TYPE}: ${LABEL_SECRET_TYPE_WEBHOOK}': add this label to the Secret to let the webhook provider use it`;
  }
  if (value !== LABEL_SECRET_TYPE_WEBHOOK) {
    return `has label ${LABEL_SECRET_TYPE} with a value other than '${LABEL_SECRET_TYPE_WEBHOOK}': the webhook provider only uses Secrets labelled '${LABEL_SECRET_TYPE}: ${LABEL_SECRET_TYPE_WEBHOOK}'`;
  }
  return undefined;
}

interface SecretsRefs {
  readonly store: GenericStore;
  readonly kube: KubeAccess;
  /** The ExternalSecret's namespace (the store's for a SecretStore). */
  readonly namespace: string;
}

async function readOne(
  refs: SecretsRefs,
  item: NonNullable<WebhookSpec["secrets"]>[number],
  index: number,
): Promise<SecretObject> {
  const ref = item.secretRef;
  const where = `secrets[${index}] (${JSON.stringify(item.name)})`;
  if (isClusterStore(refs.store) && ref.namespace === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `${where}: no namespace on ClusterScoped webhook secret ${ref.name ?? ""}`,
    );
  }
  const namespace = referenceNamespace(refs.store, ref, refs.namespace);
  const name = ref.name ?? "";
  const secret = name === "" ? undefined : await refs.kube.getSecret(namespace, name);
  if (secret === undefined) {
    throw new ProviderError(
      "InvalidStore",
      `${where}: failed to get webhook secret "${namespace}/${name}": it does not exist`,
    );
  }
  const problem = labelProblem(secret);
  if (problem !== undefined) {
    throw new ProviderError("InvalidStore", `${where}: Secret "${namespace}/${name}" ${problem}`);
  }
  return secret;
}

/** Reads the secrets[] Secrets (each must carry the webhook label). */
export async function loadTemplateSecrets(
  refs: SecretsRefs,
  items: WebhookSpec["secrets"],
): Promise<TemplateSecrets> {
  const list = items ?? [];
  if (list.length === 0) return NO_SECRETS;
  const secrets = await Promise.all(list.map((item, i) => readOne(refs, item, i)));
  const byName = new Map<string, Entries>();
  const values: string[] = [];
  for (const [i, item] of list.entries()) {
    const entries = byName.get(item.name) ?? (Object.create(null) as Entries);
    for (const [key, value] of secrets[i]?.data ?? []) {
      entries[key] = value;
      values.push(Buffer.from(value).toString("utf8"));
    }
    byName.set(item.name, entries);
  }
  return { byName, values };
}

/** The Go map for a template: remoteRef first, then the secrets merged on top (as ESO). */
function goData(remoteRef: Entries, secrets: TemplateSecrets): GoValue {
  const merged = new Map<string, Entries>([["remoteRef", remoteRef]]);
  for (const [name, entries] of secrets.byName) {
    merged.set(name, Object.assign(merged.get(name) ?? Object.create(null), entries) as Entries);
  }
  const outer = new Map<string, GoValue>();
  for (const [name, entries] of merged) outer.set(name, dataContext(entries));
  return new GoMap("map[string]string", outer);
}

function entries(values: Record<string, string | Uint8Array>): Entries {
  return Object.assign(Object.create(null) as Entries, values);
}

export interface ReadRef {
  readonly key: string;
  readonly version?: string | undefined;
  readonly property?: string | undefined;
}

/** Template data of a read (GET): escaped for the URL, or raw for headers, body and jsonPath. */
export function readData(
  ref: ReadRef,
  namespace: string,
  secrets: TemplateSecrets,
  escaped: boolean,
): GoValue {
  const esc = escaped ? queryEscape : (s: string): string => s;
  return goData(
    entries({
      key: esc(ref.key),
      version: esc(ref.version ?? ""),
      property: esc(ref.property ?? ""),
      namespace,
    }),
    secrets,
  );
}

export interface PushRef {
  readonly remoteKey: string;
  readonly secretKey: string;
  readonly value: Uint8Array;
}

/** Template data of a push: remoteKey, secretKey (when set) and `.remoteRef.<remoteKey>` = the value. */
export function pushData(ref: PushRef, secrets: TemplateSecrets, escaped: boolean): GoValue {
  const remoteRef = entries({
    remoteKey: escaped ? queryEscape(ref.remoteKey) : ref.remoteKey,
  });
  if (ref.secretKey !== "") {
    remoteRef["secretKey"] = escaped ? queryEscape(ref.secretKey) : ref.secretKey;
  }
  remoteRef[ref.remoteKey] = escaped ? queryEscape(ref.value) : ref.value;
  return goData(remoteRef, secrets);
}

/**
 * Template data of a delete: ESO passes only `.remoteRef.remoteKey`, raw in
 * the URL too; Ferry adds the secrets so that headers can authenticate.
 */
export function deleteData(remoteKey: string, secrets: TemplateSecrets): GoValue {
  return goData(entries({ remoteKey }), secrets);
}
