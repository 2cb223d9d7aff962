// The SecretsClient of provider.webhook (ESO's providers/v1/webhook):
// - getSecret: one request (url/headers/body templated over `.remoteRef`
//   and the secrets[] Secrets); without result.jsonPath the body is the
//   value, with it the selected JSON value (see values.ts);
// - getSecretMap: the JSON object at result.jsonPath;
// - getAllSecrets: not supported (ESO: "not implemented");
// - pushSecret: POST (or `method`) with `body`, by default the value itself;
// - deleteSecret: DELETE to the URL (404 is success);
// - secretExists: a read of the remote key (404 means no);
// - validate: a TCP connection to the URL's host.
// 404 is "Secret does not exist" (drives deletionPolicy), 304 "not
// modified", any other non-2xx an error naming the status only.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import type { GenericStore } from "../../esutils/store.ts";
import { goJsonMarshal } from "../../esutils/go-json.ts";
import {
  NoSecretError,
  NotSupportedError,
  ProviderError,
  type ProviderErrorCode,
} from "../errors.ts";
import type {
  Ctx,
  PushSecretData,
  PushSecretRemoteRef,
  PushSource,
  SecretsClient,
  ValidationResult,
} from "../provider.ts";
import { endpointOf, statusLine, type WebhookRequest, type WebhookResponse } from "./http.ts";
import {
  compileJsonPath,
  evaluateJsonPath,
  JsonPathLookupError,
  JsonPathSyntaxError,
} from "./jsonpath.ts";
import { renderText, Redactor } from "./render.ts";
import { buildRequest } from "./requests.ts";
import type { WebhookSpec } from "./spec.ts";
import {
  deleteData,
  loadTemplateSecrets,
  pushData,
  readData,
  type TemplateSecrets,
} from "./template-data.ts";
import { validateEndpoint } from "./validate.ts";
import { parseJsonResponse, secretMap, singleValue } from "./values.ts";

/** What the provider shares with its clients: the transport and the coalescer. */
export interface Transport {
  /** Sends one request; `coalesce` lets identical in-flight reads share it. */
  send(req: WebhookRequest, signal: AbortSignal, coalesce: boolean): Promise<WebhookResponse>;
  readonly validateTimeoutMs: number;
}

export interface ClientConfig {
  readonly spec: WebhookSpec;
  readonly store: GenericStore;
  readonly kube: KubeAccess;
  /** The ExternalSecret's namespace (`.remoteRef.namespace`). */
  readonly namespace: string;
  readonly transport: Transport;
}

function statusCode(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return "AuthFailed";
  if (status === 429) return "RateLimited";
  if (status === 502 || status === 503 || status === 504) return "Unavailable";
  return "ProviderError";
}

/** ESO's status handling; `what` prefixes the error ("endpoint", "delete endpoint"). */
function checkStatus(res: WebhookResponse, endpoint: string, what: string): void {
  if (res.status === 404) throw new NoSecretError(`${what} ${endpoint} answered 404 Not Found`);
  if (res.status === 304) throw new ProviderError("ProviderError", "not modified");
  if (res.status < 200 || res.status >= 300) {
    throw new ProviderError(
      statusCode(res.status),
      `${what} ${endpoint} gave error ${statusLine(res.status)}`,
    );
  }
}

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8");

export class WebhookClient implements SecretsClient {
  readonly #c: ClientConfig;

  constructor(config: ClientConfig) {
    this.#c = config;
  }

  async #secrets(): Promise<TemplateSecrets> {
    const { store, kube, namespace, spec } = this.#c;
    return loadTemplateSecrets({ store, kube, namespace }, spec.secrets);
  }

  /** Runs `op` with the secrets loaded; every error leaving it is redacted. */
  async #guard<T>(
    op: (secrets: TemplateSecrets, redactor: Redactor) => Promise<T>,
    extra: readonly string[] = [],
  ): Promise<T> {
    let redactor = new Redactor(extra);
    try {
      const secrets = await this.#secrets();
      redactor = redactor.with(secrets.values);
      return await op(secrets, redactor);
    } catch (err) {
      throw redactor.error(err);
    }
  }

  async #read(
    ctx: Ctx,
    ref: ExternalSecretDataRemoteRef,
    secrets: TemplateSecrets,
    redactor: Redactor,
  ): Promise<WebhookResponse> {
    const ns = this.#c.namespace;
    const req = buildRequest(
      this.#c.spec,
      {
        method:
          this.#c.spec.method === undefined || this.#c.spec.method === ""
            ? "GET"
            : this.#c.spec.method,
        urlData: readData(ref, ns, secrets, true),
        rawData: readData(ref, ns, secrets, false),
      },
      redactor,
    );
    const res = await this.#c.transport.send(req, ctx.signal, true);
    checkStatus(res, endpointOf(req.url), "endpoint");
    return res;
  }

  /** The rendered result.jsonPath ("" when unset), over the raw read data. */
  #jsonPath(
    ref: ExternalSecretDataRemoteRef,
    secrets: TemplateSecrets,
    redactor: Redactor,
  ): string {
    const data = readData(ref, this.#c.namespace, secrets, false);
    return renderText("result.jsonPath", this.#c.spec.result?.jsonPath, data, redactor);
  }

  async getSecret(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    return this.#guard(async (secrets, redactor) => {
      const res = await this.#read(ctx, ref, secrets, redactor);
      const path = this.#jsonPath(ref, secrets, redactor);
      if (path === "") return res.body.slice();
      return singleValue(select(path, parseJsonResponse(res.body)));
    });
  }

  async getSecretMap(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Map<string, Uint8Array>> {
    return this.#guard(async (secrets, redactor) => {
      const res = await this.#read(ctx, ref, secrets, redactor);
      const path = this.#jsonPath(ref, secrets, redactor);
      const doc = parseJsonResponse(res.body);
      return secretMap(path === "" ? doc : select(path, doc));
    });
  }

  getAllSecrets(_ctx: Ctx, _find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    return Promise.reject(
      new NotSupportedError(
        "dataFrom.find is not implemented by the webhook provider (as in ESO); use data[] or dataFrom.extract",
      ),
    );
  }

  async pushSecret(ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    if (data.remoteKey === "")
      throw new ProviderError("InvalidValue", "remote key must be defined");
    const value = pushedValue(source, data);
    await this.#guard(
      async (secrets, redactor) => {
        const ref = { remoteKey: data.remoteKey, secretKey: data.secretKey, value };
        const spec = this.#c.spec;
        const req = buildRequest(
          spec,
          {
            method: spec.method === undefined || spec.method === "" ? "POST" : spec.method,
            urlData: pushData(ref, secrets, true),
            rawData: pushData(ref, secrets, false),
            // ESO's default body is `{{ .remoteRef.<remoteKey> }}`: the value itself
            body: spec.body === undefined || spec.body === "" ? value : undefined,
          },
          redactor,
        );
        const res = await this.#c.transport.send(req, ctx.signal, false);
        try {
          checkStatus(res, endpointOf(req.url), "endpoint");
        } catch (err) {
          const e = err as ProviderError;
          throw new ProviderError(e.code, `failed to push webhook data: ${e.message}`);
        }
      },
      [utf8(value)],
    );
  }

  async deleteSecret(ctx: Ctx, ref: PushSecretRemoteRef): Promise<void> {
    await this.#guard(async (secrets, redactor) => {
      const data = deleteData(ref.remoteKey, secrets);
      const req = buildRequest(
        this.#c.spec,
        { method: "DELETE", urlData: data, rawData: data, body: new Uint8Array() },
        redactor,
      );
      const res = await this.#c.transport.send(req, ctx.signal, false);
      if (res.status === 404) return;
      if (res.status < 200 || res.status >= 300) {
        throw new ProviderError(
          statusCode(res.status),
          `delete endpoint ${endpointOf(req.url)} gave error ${statusLine(res.status)}`,
        );
      }
    });
  }

  async secretExists(ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    try {
      await this.#guard((secrets, redactor) =>
        this.#read(ctx, { key: ref.remoteKey }, secrets, redactor),
      );
      return true;
    } catch (err) {
      if (err instanceof NoSecretError) return false;
      throw err;
    }
  }

  async validate(ctx: Ctx): Promise<ValidationResult> {
    return validateEndpoint(this.#c.spec.url, this.#c.transport.validateTimeoutMs, ctx.signal);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** ESO's ExtractSecretData: one key, or the whole Secret as a JSON object. */
function pushedValue(source: PushSource, data: PushSecretData): Uint8Array {
  if (data.secretKey === "") {
    const all: Record<string, string> = {};
    for (const [k, v] of source.data) all[k] = utf8(v);
    return new Uint8Array(Buffer.from(goJsonMarshal(all, false), "utf8"));
  }
  const value = source.data.get(data.secretKey);
  if (value === undefined) {
    throw new ProviderError(
      "InvalidValue",
      `failed to find secret key in secret with key: ${data.secretKey}`,
    );
  }
  return value;
}

/** Applies a rendered jsonPath; lookup and syntax errors name the path, never the data. */
function select(path: string, doc: unknown): unknown {
  try {
    return evaluateJsonPath(compileJsonPath(path), doc);
  } catch (err) {
    if (err instanceof JsonPathLookupError) {
      throw new ProviderError(
        "PropertyNotFound",
        `failed to get response path ${path}: ${err.message}`,
      );
    }
    if (err instanceof JsonPathSyntaxError) {
      throw new ProviderError(
        "InvalidStore",
        `result.jsonPath ${JSON.stringify(path)} is not valid: ${err.message}`,
      );
    }
    throw err;
  }
}
