// The store's webhook spec, and the static checks Ferry runs before any
// request. ESO's ValidateStore checks nothing; the checks here are ones ESO
// fails on later, at each read (a template that does not parse, a timeout
// that is not a Go duration, an invalid method or header name, a secrets[]
// reference of a ClusterSecretStore without namespace), plus one rule Ferry
// applies to every provider: a SecretStore reference naming another
// namespace is refused (ESO silently reads the store's namespace instead).
import type { WebhookProvider } from "../../api/index.ts";
import { DurationError, parseGoDuration } from "../../esutils/go-duration.ts";
import { isClusterStore, type GenericStore } from "../../esutils/store.ts";
import { compile, TemplateError } from "../../template/index.ts";
import { StoreValidationError } from "../errors.ts";
import { compileJsonPath, JsonPathSyntaxError } from "./jsonpath.ts";

export type WebhookSpec = WebhookProvider;

/** The name ESO gives every webhook template (it shows in template errors). */
export const TEMPLATE_NAME = "webhooktemplate";

/** RFC 9110 token: a valid method or header name (Go refuses others). */
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const NTLM_NOT_SUPPORTED =
  "NTLM authentication (auth.ntlm) is not supported by Ferry: no maintained NTLM library is available to it. Use an endpoint that accepts a header built from secrets[] (for example Authorization: Basic) instead";

export function webhookSpec(store: GenericStore): WebhookSpec {
  const spec = store.spec.provider.webhook;
  if (spec === undefined) throw new StoreValidationError("missing store provider webhook");
  return spec;
}

/** spec.timeout in ms; undefined when unset or "0" (Go: no client timeout). */
export function timeoutMs(spec: WebhookSpec): number | undefined {
  if (spec.timeout === undefined) return undefined;
  let ms: number;
  try {
    ms = parseGoDuration(spec.timeout);
  } catch (err) {
    if (err instanceof DurationError) throw new StoreValidationError(`timeout: ${err.message}`);
    throw err;
  }
  if (ms < 0) throw new StoreValidationError("timeout must not be negative");
  return ms === 0 ? undefined : ms;
}

function checkTemplate(field: string, source: string | undefined): void {
  if (source === undefined || source === "") return;
  try {
    compile(source, { name: TEMPLATE_NAME });
  } catch (err) {
    if (err instanceof TemplateError) throw new StoreValidationError(`${field}: ${err.message}`);
    throw err;
  }
}

function checkJsonPath(source: string | undefined): void {
  checkTemplate("result.jsonPath", source);
  // a path without template actions can be checked now
  if (source === undefined || source === "" || source.includes("{{")) return;
  try {
    compileJsonPath(source);
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) {
      throw new StoreValidationError(`result.jsonPath ${JSON.stringify(source)}: ${err.message}`);
    }
    throw err;
  }
}

/** A SecretStore reference naming a namespace other than the store's. */
function foreignNamespace(store: GenericStore, ns: string | undefined): boolean {
  return !isClusterStore(store) && ns !== undefined && ns !== (store.metadata.namespace ?? "");
}

const FOREIGN =
  "namespace should either be empty or match the namespace of the SecretStore for a namespaced SecretStore";

function checkSecretRefs(store: GenericStore, spec: WebhookSpec): void {
  for (const [i, s] of (spec.secrets ?? []).entries()) {
    const ns = s.secretRef.namespace;
    const where = `secrets[${i}] (${JSON.stringify(s.name)}) secretRef`;
    if (isClusterStore(store) && ns === undefined) {
      throw new StoreValidationError(
        `${where}: no namespace on ClusterScoped webhook secret ${s.secretRef.name ?? ""}; a ClusterSecretStore must name the namespace of every Secret it uses`,
      );
    }
    if (foreignNamespace(store, ns)) throw new StoreValidationError(`${where}: ${FOREIGN}`);
  }
}

function checkCaProvider(store: GenericStore, spec: WebhookSpec): void {
  // caBundle wins over caProvider
  if (spec.caProvider === undefined || (spec.caBundle ?? "") !== "") return;
  const ns = spec.caProvider.namespace;
  if (isClusterStore(store) && ns === undefined) {
    throw new StoreValidationError("missing namespace on caProvider secret");
  }
  if (foreignNamespace(store, ns)) throw new StoreValidationError(`caProvider: ${FOREIGN}`);
}

function checkHeaders(spec: WebhookSpec): void {
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (!METHOD.test(name)) {
      throw new StoreValidationError(`header name ${JSON.stringify(name)} is not valid`);
    }
    checkTemplate(`headers[${JSON.stringify(name)}]`, value);
  }
}

/** Static checks (no network). Throws StoreValidationError; NTLM is a warning here. */
export function validateWebhookStore(store: GenericStore): { warnings: string[] } {
  const spec = webhookSpec(store);
  if (spec.url === "") throw new StoreValidationError("url must not be empty");
  if (spec.method !== undefined && spec.method !== "" && !METHOD.test(spec.method)) {
    throw new StoreValidationError(`method ${JSON.stringify(spec.method)} is not an HTTP method`);
  }
  checkTemplate("url", spec.url);
  checkTemplate("body", spec.body);
  checkHeaders(spec);
  checkJsonPath(spec.result?.jsonPath);
  timeoutMs(spec);
  checkSecretRefs(store, spec);
  checkCaProvider(store, spec);
  return { warnings: spec.auth?.ntlm === undefined ? [] : [NTLM_NOT_SUPPORTED] };
}
