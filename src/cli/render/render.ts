// `ferry render`: what the controller would write, computed offline. Each
// ExternalSecret in the manifests is resolved against the stores declared
// beside it, with the same fetch, rewrite, template and ownership code the
// controller runs, and the resulting Secrets are printed (values masked
// unless asked for).
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { viewOf, type ExternalSecretObject } from "../../controllers/externalsecret/es-view.ts";
import { fetchProviderData } from "../../controllers/externalsecret/fetch.ts";
import { desiredSecret, type WireSecret } from "../../controllers/externalsecret/target.ts";
import {
  loadTemplateSources,
  templateApplier,
  type Delimiters,
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

/** Each value replaced by its length and a short fingerprint: enough to compare, nothing to leak. */
function masked(secret: WireSecret): WireSecret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    const bytes = Buffer.from(v, "base64");
    const fingerprint = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
    data[k] = `<masked: ${String(bytes.length)} bytes, sha256 ${fingerprint}…>`;
  }
  return { ...secret, data };
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

/** The Secret as a user would write it: no owner references (no cluster uid) or empty lists. */
function printable(secret: WireSecret): WireSecret {
  const { ownerReferences: _owners, finalizers, ...metadata } = secret.metadata;
  return { ...secret, metadata: finalizers?.length ? { ...metadata, finalizers } : metadata };
}

/** Multi-document YAML of the rendered Secrets; failures as comments. */
export function formatResults(results: readonly RenderResult[]): string {
  return results
    .map((r) => {
      const head = [`# ExternalSecret ${r.name}`, ...r.events.map((e) => `# event: ${e}`)];
      if (r.error !== undefined) return [...head, `# ERROR: ${r.error}`].join("\n");
      const secret = r.secret === undefined ? {} : printable(r.secret);
      return [...head, stringify(secret, { lineWidth: 0 }).trimEnd()].join("\n");
    })
    .join("\n---\n")
    .concat("\n");
}
