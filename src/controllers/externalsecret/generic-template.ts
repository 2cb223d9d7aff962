// target.template for generic targets (ConfigMaps, custom resources), in
// the order ESO applies it to a manifest (eso-reference.md §10.3, §11.2):
// template metadata, then templateFrom entries in order (a literal renders
// as KeysAndValues at its target; configMap and secret items render into
// key/value pairs that are then set at the target), then template.data
// (target Data), then labels and annotations rendered as templates.
//
// Targets: Data, Labels, Annotations and Spec are map targets (`Spec` with
// Values sets `spec.<key>`, with KeysAndValues replaces `spec`); anything
// else is a dotted path with indices (generic-path.ts). Without a template,
// a ConfigMap gets the fetched data in `data`, other kinds in `spec.data`.
import type { ExternalSecretTemplate, TemplateFrom } from "../../api/index.ts";
import { decode } from "../../esutils/decoding.ts";
import { compile, type TemplateData } from "../../template/index.ts";
import type { ExternalSecretObject } from "./es-view.ts";
import {
  isJsonObject,
  leafValue,
  mergeAtPath,
  parsePath,
  parseYamlValue,
  PathError,
  setAtPath,
  setOwn,
  type Json,
  type JsonObject,
  type PathStep,
} from "./generic-path.ts";
import { TargetError, type SecretData } from "./target.ts";
import type { Delimiters, TemplateSources } from "./template.ts";

const TEMPLATE_FAILED = "could not apply template";

/** A generic target being built: every top-level field but metadata, and the metadata a template may change. */
export interface GenericDraft {
  readonly body: JsonObject;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly finalizers: string[];
}

/** Where the fetched data goes without a template, and what the data-hash covers. */
export type ContentField = "data" | "spec";

type MapTarget = "labels" | "annotations" | "data" | "spec";
type Target =
  | { readonly kind: MapTarget }
  | { readonly kind: "path"; readonly path: string; readonly steps: readonly PathStep[] };

const MAP_TARGETS: readonly string[] = ["labels", "annotations", "data", "spec"];
/** Top-level fields a path may not write: identity, metadata (use Labels/Annotations) and status. */
const RESERVED_ROOTS: readonly string[] = ["apiVersion", "kind", "metadata", "status"];

/** A templateFrom target: one of the map targets (any case) or a dotted path. */
export function parseTarget(target: string | undefined): Target {
  const lower = (target ?? "").toLowerCase();
  if (lower === "") return { kind: "data" };
  if (MAP_TARGETS.includes(lower)) return { kind: lower as MapTarget };
  const path = target ?? "";
  let steps: PathStep[];
  try {
    steps = parsePath(path);
  } catch (err) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `invalid templateFrom target: ${(err as Error).message}`,
    );
  }
  const root = (steps[0] as string).toLowerCase();
  // The top-level field names match in any case, as the map targets do.
  if (root === "spec" || root === "data") steps[0] = root;
  if (RESERVED_ROOTS.some((r) => r.toLowerCase() === root)) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `templateFrom target "${path}" may not write ${String(steps[0])}: use the targets Labels or Annotations for metadata`,
    );
  }
  return { kind: "path", path, steps };
}

const text = (value: Uint8Array): string => Buffer.from(value).toString("utf8");

/** The map at `body[field]`, created when missing. */
function mapField(body: JsonObject, field: string): JsonObject {
  const current = Object.hasOwn(body, field) ? body[field] : undefined;
  if (isJsonObject(current)) return current;
  if (current !== undefined && current !== null)
    throw new TargetError(TEMPLATE_FAILED, `the target's ${field} is not a map`);
  const created: JsonObject = {};
  setOwn(body, field, created);
  return created;
}

function atPath(write: () => void, path: string): void {
  try {
    write();
  } catch (err) {
    if (!(err instanceof PathError)) throw err;
    throw new TargetError(TEMPLATE_FAILED, `templateFrom target "${path}": ${err.message}`);
  }
}

/** Values scope: one rendered value under `key` (map targets) or at the path (the key is not used). */
function applyValue(draft: GenericDraft, target: Target, key: string, value: Uint8Array): void {
  switch (target.kind) {
    case "labels":
      setOwn(draft.labels, key, text(value));
      return;
    case "annotations":
      setOwn(draft.annotations, key, text(value));
      return;
    case "data":
    case "spec":
      setOwn(mapField(draft.body, target.kind), key, text(value));
      return;
    case "path":
      atPath(() => {
        setAtPath(draft.body, target.steps, leafValue(text(value)));
      }, target.path);
  }
}

function parsedTemplate(rendered: Uint8Array, name: string): Json {
  try {
    return parseYamlValue(text(rendered));
  } catch {
    throw new TargetError(TEMPLATE_FAILED, `template at key ${name} did not render to valid YAML`);
  }
}

/** KeysAndValues for map targets: the rendered text is a YAML map of string values. */
function stringPairs(rendered: Uint8Array, name: string): [string, Uint8Array][] {
  const parsed = parsedTemplate(rendered, name);
  if (parsed === null) return [];
  if (!isJsonObject(parsed)) {
    throw new TargetError(
      TEMPLATE_FAILED,
      `template at key ${name} did not render to a YAML map (templateAs KeysAndValues)`,
    );
  }
  return Object.entries(parsed).map(([k, v]) => {
    if (typeof v !== "string")
      throw new TargetError(
        TEMPLATE_FAILED,
        `template at key ${name}: the value of "${k}" is not a string`,
      );
    return [k, new Uint8Array(Buffer.from(v, "utf8"))];
  });
}

function decoded(strategy: string | undefined, value: Uint8Array): Uint8Array {
  try {
    return decode(strategy, value);
  } catch (err) {
    throw new TargetError(TEMPLATE_FAILED, (err as Error).message);
  }
}

interface RenderContext {
  readonly data: TemplateData;
  readonly delims: Delimiters;
  readonly draft: GenericDraft;
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

/** A literal: KeysAndValues at its target (a path target receives the whole parsed structure). */
function applyLiteral(
  ctx: RenderContext,
  entry: TemplateFrom,
  target: Target,
  literal: string,
): void {
  const rendered = render(ctx, "literal", literal);
  // Spec is a map target for Values, but a literal replaces the whole spec (ESO).
  const where: Target =
    target.kind === "spec" ? { kind: "path", path: "spec", steps: ["spec"] } : target;
  if (where.kind !== "path") {
    for (const [k, v] of stringPairs(rendered, "literal"))
      applyValue(ctx.draft, where, k, decoded(entry.valuesDecodingStrategy, v));
    return;
  }
  const parsed = parsedTemplate(decoded(entry.valuesDecodingStrategy, rendered), "literal");
  atPath(() => {
    mergeAtPath(ctx.draft.body, where.steps, parsed);
  }, where.path);
}

interface Item {
  readonly key: string;
  readonly templateAs?: string | undefined;
}

/** configMap/secret items render to key/value pairs first, then each pair is set at the target. */
function renderItems(
  ctx: RenderContext,
  entry: TemplateFrom,
  items: readonly Item[],
  sourceOf: (key: string) => string,
): Map<string, Uint8Array> {
  const pairs = new Map<string, Uint8Array>();
  for (const item of items) {
    const rendered = render(ctx, item.key, sourceOf(item.key));
    const out =
      item.templateAs === "KeysAndValues"
        ? stringPairs(rendered, item.key)
        : [[item.key, rendered] as [string, Uint8Array]];
    for (const [k, v] of out) pairs.set(k, decoded(entry.valuesDecodingStrategy, v));
  }
  return pairs;
}

function applyEntry(ctx: RenderContext, entry: TemplateFrom, sources: TemplateSources): void {
  const target = parseTarget(entry.target);
  // ESO's manifest path renders an entry's literal before its configMap and secret items.
  if (entry.literal !== undefined) applyLiteral(ctx, entry, target, entry.literal);
  const pairs = new Map<string, Uint8Array>();
  if (entry.configMap !== undefined) {
    const data = sources.configMaps.get(entry.configMap.name);
    for (const [k, v] of renderItems(
      ctx,
      entry,
      entry.configMap.items,
      (key) => data?.get(key) ?? "",
    ))
      pairs.set(k, v);
  }
  if (entry.secret !== undefined) {
    const data = sources.secrets.get(entry.secret.name);
    const source = (key: string): string => text(data?.get(key) ?? new Uint8Array());
    for (const [k, v] of renderItems(ctx, entry, entry.secret.items, source)) pairs.set(k, v);
  }
  for (const [k, v] of pairs) applyValue(ctx.draft, target, k, v);
}

function renderMap(
  ctx: RenderContext,
  values: Readonly<Record<string, string>>,
  into: Record<string, string>,
): void {
  for (const [k, v] of Object.entries(values)) setOwn(into, k, text(render(ctx, k, v)));
}

/** Fails before anything is rendered when a templateFrom target is not valid. */
export function validateGenericTemplate(template: ExternalSecretTemplate | undefined): void {
  for (const entry of template?.templateFrom ?? []) parseTarget(entry.target);
}

export interface GenericTemplateInput {
  readonly template: ExternalSecretTemplate;
  readonly draft: GenericDraft;
  readonly fetched: SecretData;
  readonly sources: TemplateSources;
  readonly delimiters: Delimiters;
}

type TemplateMetadata = NonNullable<ExternalSecretTemplate["metadata"]>;

/** Template labels and annotations (raw, rendered last) and finalizers. */
function applyTemplateMetadata(meta: TemplateMetadata, draft: GenericDraft): void {
  Object.assign(draft.labels, meta.labels ?? {});
  Object.assign(draft.annotations, meta.annotations ?? {});
  for (const f of meta.finalizers ?? [])
    if (!draft.finalizers.includes(f)) draft.finalizers.push(f);
}

/** Applies `target.template` to a generic target. The raw fetched data is not copied in (as ESO). */
export function applyGenericTemplate(input: GenericTemplateInput): void {
  const { template, draft } = input;
  validateGenericTemplate(template);
  const ctx: RenderContext = {
    data: Object.fromEntries(input.fetched),
    delims: input.delimiters,
    draft,
  };
  const meta = template.metadata ?? {};
  applyTemplateMetadata(meta, draft);
  for (const entry of template.templateFrom ?? []) applyEntry(ctx, entry, input.sources);
  for (const [k, v] of Object.entries(template.data ?? {}))
    applyValue(draft, { kind: "data" }, k, render(ctx, k, v));
  renderMap(ctx, meta.labels ?? {}, draft.labels);
  renderMap(ctx, meta.annotations ?? {}, draft.annotations);
}

/** No template: the ExternalSecret's labels and annotations, and the fetched data as strings. */
export function applyGenericWithoutTemplate(
  es: ExternalSecretObject,
  draft: GenericDraft,
  fetched: SecretData,
  content: ContentField,
): void {
  Object.assign(draft.labels, es.metadata?.labels ?? {});
  Object.assign(draft.annotations, es.metadata?.annotations ?? {});
  const into =
    content === "data"
      ? mapField(draft.body, "data")
      : mapField(mapField(draft.body, "spec"), "data");
  for (const [k, v] of fetched) setOwn(into, k, text(v));
}
