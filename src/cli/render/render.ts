// `ferry render`: what the controller would write, computed offline. Each
// ExternalSecret in the manifests is resolved against the stores declared
// beside it, with the same fetch, rewrite, template and ownership code the
// controller runs, and the resulting Secrets are printed (values masked
// unless asked for). ExternalSecrets with a generic target
// (`spec.target.manifest`) print the ConfigMap or custom resource instead.
import { createHmac, randomBytes } from "node:crypto";
import { stringify } from "yaml";
import { viewOf, type ExternalSecretObject } from "../../controllers/externalsecret/es-view.ts";
import { fetchProviderData, type SecretMap } from "../../controllers/externalsecret/fetch.ts";
import {
  desiredResource,
  isGenericTarget,
  targetKindOf,
  type GenericObject,
} from "../../controllers/externalsecret/generic-target.ts";
import { desiredSecret, type WireSecret } from "../../controllers/externalsecret/target.ts";
import {
  loadTemplateSources,
  templateApplier,
  type Delimiters,
  type TemplateSources,
} from "../../controllers/externalsecret/template.ts";
import type { GenericStore } from "../../esutils/store.ts";
import type { ProviderRegistry } from "../../providers/registry.ts";
import type { Ctx } from "../../providers/provider.ts";
import { compile } from "../../template/index.ts";
import { offlineKubeAccess, type Manifests } from "./manifests.ts";

export interface RenderOptions {
  readonly showValues: boolean;
  readonly delimiters: Delimiters;
}

export interface RenderResult {
  readonly name: string;
  readonly secret?: WireSecret;
  /** A generic target (ConfigMap or custom resource) instead of a Secret. */
  readonly resource?: GenericObject;
  readonly error?: string;
  readonly events: string[];
}

const ctx: Ctx = {
  signal: AbortSignal.timeout(60_000),
  log: { debug: () => undefined, info: () => undefined },
};

function findStore(
  m: Manifests,
  es: ExternalSecretObject,
  ref: { name?: string | undefined; kind?: string | undefined } | undefined,
): GenericStore {
  const kind = ref?.kind ?? "SecretStore";
  const name = ref?.name ?? "";
  const namespace = es.metadata?.namespace ?? "default";
  const store = m.stores.find(
    (s) =>
      s.kind === kind &&
      s.metadata.name === name &&
      (kind === "ClusterSecretStore" || s.metadata.namespace === namespace),
  );
  if (store === undefined) {
    const where = kind === "ClusterSecretStore" ? "" : ` in namespace "${namespace}"`;
    throw new Error(`${kind} "${name}"${where} is not in the given manifests`);
  }
  return store;
}

async function renderOne(
  m: Manifests,
  registry: ProviderRegistry,
  es: ExternalSecretObject,
  options: RenderOptions,
): Promise<RenderResult> {
  const view = viewOf(es);
  const events: string[] = [];
  const kube = offlineKubeAccess(m);
  try {
    const data = await fetchProviderData(es.spec ?? {}, {
      ctx,
      clients: async (ref) => {
        const store = findStore(m, es, ref ?? es.spec?.secretStoreRef);
        return registry.forStore(store).newClient(ctx, store, kube, view.namespace);
      },
      renderTransform: (template, key) =>
        compile(template, { name: "transform" }).execute({ value: key }),
      onEvent: (e) => events.push(`${e.type} ${e.reason}: ${e.message}`),
    });
    const sources = await loadTemplateSources(es, kube);
    if (isGenericTarget(es)) return renderGeneric(es, { data, sources, events }, options);
    const secret = desiredSecret({
      es,
      existing: undefined,
      fetched: data,
      applyTemplate: templateApplier(options.delimiters, sources),
    });
    return {
      name: `${view.namespace}/${view.name}`,
      secret: options.showValues ? secret : masked(secret),
      events,
    };
  } catch (err) {
    return { name: `${view.namespace}/${view.name}`, error: (err as Error).message, events };
  }
}

/**
 * The key of this run's fingerprints. A plain hash of a value would let
 * whoever reads the output test guesses of a weak password offline; an
 * HMAC under a key that never leaves the process still shows which values
 * are equal within one run, and nothing across runs.
 */
const FINGERPRINT_KEY = randomBytes(32);

export function fingerprint(bytes: Buffer): string {
  return createHmac("sha256", FINGERPRINT_KEY).update(bytes).digest("hex").slice(0, 12);
}

function maskBytes(bytes: Buffer): string {
  return `<masked: ${String(bytes.length)} bytes, fingerprint ${fingerprint(bytes)}…>`;
}

/** Each value replaced by its length and a per-run fingerprint: enough to compare, nothing to guess from. */
function masked(secret: WireSecret): WireSecret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {}))
    data[k] = maskBytes(Buffer.from(v, "base64"));
  return { ...secret, data };
}

/** Every scalar under a value of a generic target masked (strings by their bytes, others by their JSON). */
function maskLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskLeaves);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: maskLeaves(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  if (value === null) return null;
  return maskBytes(Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8"));
}

/** A generic target's content (everything but identity and metadata) masked. */
function maskedResource(resource: GenericObject): GenericObject {
  const out: GenericObject = { ...resource };
  for (const key of Object.keys(resource)) {
    if (key !== "apiVersion" && key !== "kind" && key !== "metadata")
      out[key] = maskLeaves(resource[key]);
  }
  return out;
}

const GENERIC_NOTE =
  "note: generic target (spec.target.manifest); the controller writes it only with --unsafe-allow-generic-targets";

interface Rendered {
  readonly data: SecretMap;
  readonly sources: TemplateSources;
  readonly events: string[];
}

function renderGeneric(
  es: ExternalSecretObject,
  { data, sources, events }: Rendered,
  options: RenderOptions,
): RenderResult {
  const view = viewOf(es);
  const kind = targetKindOf(es);
  if (kind === undefined) throw new Error("no spec.target.manifest");
  const resource = desiredResource({
    es,
    kind,
    existing: undefined,
    fetched: data,
    sources,
    delimiters: options.delimiters,
  });
  return {
    name: `${view.namespace}/${view.name}`,
    resource: options.showValues ? resource : maskedResource(resource),
    events: [...events, GENERIC_NOTE],
  };
}

export async function renderAll(
  m: Manifests,
  registry: ProviderRegistry,
  options: RenderOptions,
): Promise<RenderResult[]> {
  const results: RenderResult[] = [];
  for (const es of m.externalSecrets) results.push(await renderOne(m, registry, es, options));
  return results;
}

/** The object as a user would write it: no owner references (no cluster uid) or empty lists. */
function printable<T extends WireSecret | GenericObject>(obj: T): T {
  const { ownerReferences: _owners, finalizers, ...metadata } = obj.metadata;
  return { ...obj, metadata: finalizers?.length ? { ...metadata, finalizers } : metadata };
}

/** Multi-document YAML of the rendered Secrets; failures as comments. */
export function formatResults(results: readonly RenderResult[]): string {
  return results
    .map((r) => {
      const head = [`# ExternalSecret ${r.name}`, ...r.events.map((e) => `# event: ${e}`)];
      if (r.error !== undefined) return [...head, `# ERROR: ${r.error}`].join("\n");
      const printed = r.resource ?? r.secret;
      const obj = printed === undefined ? {} : printable(printed);
      return [...head, stringify(obj, { lineWidth: 0 }).trimEnd()].join("\n");
    })
    .join("\n---\n")
    .concat("\n");
}
