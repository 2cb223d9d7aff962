// target.template for Secret targets, in ESO's precedence order
// (eso-reference.md §10.3–§10.4): template metadata, type, the fetched data
// when mergePolicy is Merge (or the template has no data at all), then
// templateFrom entries in order (configMap items, secret items, literal),
// then template.data, then labels and annotations rendered as templates.
import type * as Yaml from "yaml";
import type { ExternalSecretTemplate, TemplateFrom } from "../../api/index.ts";
import { decode } from "../../esutils/decoding.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { lazyRequire } from "../../esutils/lazy.ts";
import { compile, type TemplateData } from "../../template/index.ts";
import type { ExternalSecretObject } from "./es-view.ts";
import {
  TargetError,
  type MutableTarget,
  type SecretData,
  type TemplateApplier,
} from "./target.ts";
import { applyWithoutTemplate } from "./target.ts";

export interface Delimiters {
  readonly leftDelim: string;
  readonly rightDelim: string;
}

/** The ConfigMaps and Secrets templateFrom refers to, read before rendering. */
export interface TemplateSources {
  readonly configMaps: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly secrets: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;
}

const NO_SOURCES: TemplateSources = { configMaps: new Map(), secrets: new Map() };
const TEMPLATE_FAILED = "could not apply template";

/** ESO's checks on privileged Secret types and templateFrom targets (also done by its webhook). */
export function validateSecretTemplate(template: ExternalSecretTemplate | undefined): void {
  if (template === undefined) return;
  if (template.type === "bootstrap.kubernetes.io/token") {
    throw new TargetError(
      TEMPLATE_FAILED,
      "template type bootstrap.kubernetes.io/token is not allowed",
    );
  }
  const targets = (template.templateFrom ?? []).map((t) => (t.target ?? "Data").toLowerCase());
  const bad = targets.find((t) => !["", "data", "annotations", "labels"].includes(t));
  if (bad !== undefined) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `templateFrom target "${bad}" is only valid for generic targets: use Data, Annotations or Labels`,
    );
  }
  const serviceAccountToken = template.type === "kubernetes.io/service-account-token";
  const namesAccount =
    template.metadata?.annotations?.["kubernetes.io/service-account.name"] !== undefined ||
    targets.includes("annotations");
  if (serviceAccountToken && namesAccount) {
    throw new TargetError(
      TEMPLATE_FAILED,
      "a kubernetes.io/service-account-token Secret may not name a ServiceAccount (annotation kubernetes.io/service-account.name)",
    );
  }
}

async function readConfigMap(
  kube: KubeAccess,
  namespace: string,
  name: string,
): Promise<ReadonlyMap<string, string>> {
  const cm = await kube.getConfigMap(namespace, name);
  if (cm === undefined)
    throw new TargetError(
      TEMPLATE_FAILED,
      `ConfigMap "${namespace}/${name}" of templateFrom does not exist`,
    );
  return cm.data;
}

async function readSecret(
  kube: KubeAccess,
  namespace: string,
  name: string,
): Promise<ReadonlyMap<string, Uint8Array>> {
  const secret = await kube.getSecret(namespace, name);
  if (secret === undefined)
    throw new TargetError(
      TEMPLATE_FAILED,
      `Secret "${namespace}/${name}" of templateFrom does not exist`,
    );
  return secret.data;
}

/** Reads every ConfigMap and Secret named by templateFrom, in the ExternalSecret's namespace. */
export async function loadTemplateSources(
  es: ExternalSecretObject,
  kube: KubeAccess,
): Promise<TemplateSources> {
  const entries = es.spec?.target?.template?.templateFrom ?? [];
  if (entries.length === 0) return NO_SOURCES;
  const namespace = es.metadata?.namespace ?? "";
  const configMaps = new Map<string, ReadonlyMap<string, string>>();
  const secrets = new Map<string, ReadonlyMap<string, Uint8Array>>();
  for (const name of new Set(
    entries.flatMap((e) => (e.configMap === undefined ? [] : [e.configMap.name])),
  )) {
    configMaps.set(name, await readConfigMap(kube, namespace, name));
  }
  for (const name of new Set(
    entries.flatMap((e) => (e.secret === undefined ? [] : [e.secret.name])),
  )) {
    secrets.set(name, await readSecret(kube, namespace, name));
  }
  return { configMaps, secrets };
}

interface RenderContext {
  readonly data: TemplateData;
  readonly delims: Delimiters;
  readonly target: MutableTarget;
}

function render(ctx: RenderContext, name: string, source: string): Uint8Array {
  try {
    return compile(source, { name, ...ctx.delims }).executeBytes(ctx.data);
  } catch (err) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `unable to execute template at key ${name}: ${(err as Error).message}`,
    );
  }
}

function applyToTarget(target: MutableTarget, where: string, key: string, value: Uint8Array): void {
  const text = (): string => Buffer.from(value).toString("utf8");
  if (where === "annotations") target.annotations[key] = text();
  else if (where === "labels") target.labels[key] = text();
  else target.data.set(key, value);
}

// yaml (CommonJS) is loaded by the first KeysAndValues template, not at
// start-up: an idle controller does not need it (start-up memory).
const yaml = lazyRequire<typeof Yaml>("yaml");

/** KeysAndValues: the rendered text is a YAML/JSON map of string values. */
function keysAndValues(rendered: Uint8Array, name: string): [string, Uint8Array][] {
  let parsed: unknown;
  try {
    parsed = yaml().parse(Buffer.from(rendered).toString("utf8"));
  } catch {
    throw new TargetError(
      TEMPLATE_FAILED,
      `template at key ${name} did not render to a YAML map (templateAs KeysAndValues)`,
    );
  }
  if (parsed === null || parsed === undefined) return [];
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `template at key ${name} did not render to a YAML map (templateAs KeysAndValues)`,
    );
  }
  return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => {
    if (typeof v !== "string")
      throw new TargetError(
        TEMPLATE_FAILED,
        `template at key ${name}: the value of "${k}" is not a string`,
      );
    return [k, new Uint8Array(Buffer.from(v, "utf8"))];
  });
}

function applyScoped(
  ctx: RenderContext,
  entry: TemplateFrom,
  item: { key: string; templateAs?: string | undefined },
  source: string,
): void {
  const where = (entry.target ?? "Data").toLowerCase();
  const rendered = render(ctx, item.key, source);
  const pairs =
    item.templateAs === "KeysAndValues"
      ? keysAndValues(rendered, item.key)
      : [[item.key, rendered] as [string, Uint8Array]];
  for (const [k, v] of pairs) applyToTarget(ctx.target, where, k, decodeValue(entry, v));
}

function decodeValue(entry: TemplateFrom, value: Uint8Array): Uint8Array {
  try {
    return decode(entry.valuesDecodingStrategy, value);
  } catch (err) {
    throw new TargetError(TEMPLATE_FAILED, (err as Error).message);
  }
}

function applyTemplateFrom(
  ctx: RenderContext,
  entry: TemplateFrom,
  sources: TemplateSources,
): void {
  if (entry.configMap !== undefined) {
    const data = sources.configMaps.get(entry.configMap.name);
    for (const item of entry.configMap.items)
      applyScoped(ctx, entry, item, data?.get(item.key) ?? "");
  }
  if (entry.secret !== undefined) {
    const data = sources.secrets.get(entry.secret.name);
    for (const item of entry.secret.items) {
      applyScoped(
        ctx,
        entry,
        item,
        Buffer.from(data?.get(item.key) ?? new Uint8Array()).toString("utf8"),
      );
    }
  }
  if (entry.literal !== undefined)
    applyScoped(ctx, entry, { key: "literal", templateAs: "KeysAndValues" }, entry.literal);
}

function renderMap(
  ctx: RenderContext,
  values: Readonly<Record<string, string>>,
  into: Record<string, string>,
): void {
  for (const [k, v] of Object.entries(values))
    into[k] = Buffer.from(render(ctx, k, v)).toString("utf8");
}

/** A TemplateApplier for ExternalSecrets with `target.template` (falls back to plain data). */
export function templateApplier(
  delims: Delimiters,
  sources: TemplateSources = NO_SOURCES,
): TemplateApplier {
  return (es, target, fetched) => {
    const template = es.spec?.target?.template;
    if (template === undefined) {
      applyWithoutTemplate(es, target, fetched);
      return;
    }
    validateSecretTemplate(template);
    applyTemplate(template, { data: contextOf(fetched), delims, target }, fetched, sources);
  };
}

function contextOf(fetched: SecretData): TemplateData {
  return Object.fromEntries(fetched);
}

type TemplateMetadata = NonNullable<ExternalSecretTemplate["metadata"]>;

/** Step 1: template labels and annotations (raw for now) and finalizers. */
function applyMetadata(meta: TemplateMetadata, target: MutableTarget): void {
  Object.assign(target.labels, meta.labels ?? {});
  Object.assign(target.annotations, meta.annotations ?? {});
  for (const f of meta.finalizers ?? [])
    if (!target.finalizers.includes(f)) target.finalizers.push(f);
}

/** Step 5: raw fetched data goes in with mergePolicy Merge, or when the template renders no data. */
function copiesFetchedData(template: ExternalSecretTemplate): boolean {
  const rendersData = template.data !== undefined || (template.templateFrom ?? []).length > 0;
  return template.mergePolicy === "Merge" || !rendersData;
}

function applyTemplate(
  template: ExternalSecretTemplate,
  ctx: RenderContext,
  fetched: SecretData,
  sources: TemplateSources,
): void {
  const meta = template.metadata ?? {};
  applyMetadata(meta, ctx.target);
  if (template.type) ctx.target.type = template.type;
  if (copiesFetchedData(template)) for (const [k, v] of fetched) ctx.target.data.set(k, v);
  for (const entry of template.templateFrom ?? []) applyTemplateFrom(ctx, entry, sources);
  for (const [k, v] of Object.entries(template.data ?? {}))
    ctx.target.data.set(k, render(ctx, k, v));
  renderMetadata(ctx, meta);
}

/** Step 6, last: template labels and annotations are templates too. */
function renderMetadata(ctx: RenderContext, meta: TemplateMetadata): void {
  renderMap(ctx, meta.labels ?? {}, ctx.target.labels);
  renderMap(ctx, meta.annotations ?? {}, ctx.target.annotations);
}
