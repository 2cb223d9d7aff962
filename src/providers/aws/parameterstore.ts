// service: ParameterStore (eso-reference.md §9.1, ESO's parameterstore.go).
// `version` selects `name:version`; values are always decrypted; reads are
// coalesced like Secrets Manager's.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import { ProviderError } from "../errors.ts";
import type {
  Ctx,
  PushSecretData,
  PushSecretRemoteRef,
  PushSource,
  SecretsClient,
  ValidationResult,
} from "../provider.ts";
import type { Coalescer } from "./calls.ts";
import {
  decodeUtf8,
  encode,
  extractProperty,
  isManaged,
  mapAwsError,
  metadataSpec,
  metadataTags,
  missing,
  notManaged,
  stringField,
  tagKeysToRemove,
  tagList,
  tagMap,
  tagsModified,
  tagsToJson,
  toSecretMap,
  withSignal,
} from "./common.ts";
import {
  errorCode,
  type Parameter,
  type ParameterStorePort,
  type PutParameterCommandInput,
} from "./sdk.ts";

export interface ParameterStoreOptions {
  readonly clientKey: string;
  readonly coalescer: Coalescer;
  readonly prefix: string;
}

const NOT_FOUND = new Set([
  "ParameterNotFound",
  "ParameterVersionNotFound",
  "ResourceNotFoundException",
]);
const isMissing = (err: unknown): boolean => NOT_FOUND.has(errorCode(err));

export class ParameterStoreClient implements SecretsClient {
  readonly #ssm: ParameterStorePort;
  readonly #opts: ParameterStoreOptions;

  constructor(ssm: ParameterStorePort, options: ParameterStoreOptions) {
    this.#ssm = ssm;
    this.#opts = options;
  }

  /** The parameter value (or its tags as JSON), shared by identical concurrent reads. */
  #fetch(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<string> {
    const name = this.#opts.prefix + ref.key;
    const version = ref.version ?? "";
    const metadata = ref.metadataPolicy === "Fetch";
    const key = `${this.#opts.clientKey}|ssm|${name}|${version}|${metadata ? "TAG" : "SECRET"}`;
    const shared = this.#opts.coalescer.run(key, () =>
      metadata ? this.#tagsJson(name) : this.#value(version === "" ? name : `${name}:${version}`),
    );
    return withSignal(shared, ctx.signal);
  }

  async #value(name: string, signal?: AbortSignal): Promise<string> {
    let out;
    try {
      out = await this.#ssm.getParameter({ Name: name, WithDecryption: true }, signal);
    } catch (err) {
      if (isMissing(err)) throw missing(`parameter ${name} not found in AWS Parameter Store`);
      throw mapAwsError(err, `GetParameter ${name}`);
    }
    const value = out.Parameter?.Value;
    if (value === undefined) {
      throw new ProviderError(
        "InvalidValue",
        `invalid secret received. parameter value is nil for key: ${name}`,
      );
    }
    return value;
  }

  async #tags(name: string, signal?: AbortSignal): Promise<Map<string, string>> {
    try {
      const out = await this.#ssm.listTagsForResource(
        { ResourceId: name, ResourceType: "Parameter" },
        signal,
      );
      return tagMap(out.TagList);
    } catch (err) {
      if (isMissing(err) || errorCode(err) === "InvalidResourceId") {
        throw missing(`parameter ${name} not found in AWS Parameter Store`);
      }
      throw mapAwsError(err, `ListTagsForResource ${name}`);
    }
  }

  async #tagsJson(name: string): Promise<string> {
    const tags = await this.#tags(name);
    return tagsToJson(tagList(tags));
  }

  async getSecret(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    const value = await this.#fetch(ctx, ref);
    const property = ref.property ?? "";
    if (property === "") return encode(value);
    return extractProperty(value, property, ref.key);
  }

  async getSecretMap(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Map<string, Uint8Array>> {
    return toSecretMap(await this.getSecret(ctx, ref), ref.key);
  }

  async getAllSecrets(ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    if (find.name !== undefined) return this.#findByName(ctx, find, find.name.regexp ?? "");
    if (find.tags !== undefined) return this.#findByTags(ctx, find);
    throw new ProviderError("InvalidValue", "unexpected find operator: set find.name or find.tags");
  }

  async #findByName(
    ctx: Ctx,
    find: ExternalSecretFind,
    regexp: string,
  ): Promise<Map<string, Uint8Array>> {
    const matcher = compileGoRegexp(regexp);
    const match = (name: string): boolean => matcher.test(name);
    const path = find.path ?? "/";
    const data = new Map<string, Uint8Array>();
    let token: string | undefined;
    do {
      const page = await this.#pathPage(ctx, path, token);
      // ESO falls back to DescribeParameters when the role may not call
      // GetParametersByPath.
      if (page === "AccessDenied") return this.#findDescribed(ctx, [pathFilter(path)], match);
      for (const p of page.Parameters ?? []) {
        if (p.Name !== undefined && match(p.Name)) data.set(p.Name, encode(p.Value ?? ""));
      }
      token = page.NextToken;
    } while (token !== undefined && token !== "");
    return data;
  }

  async #pathPage(
    ctx: Ctx,
    path: string,
    token: string | undefined,
  ): Promise<
    | "AccessDenied"
    | { Parameters?: readonly Parameter[] | undefined; NextToken?: string | undefined }
  > {
    try {
      return await this.#ssm.getParametersByPath(
        { Path: path, Recursive: true, WithDecryption: true, NextToken: token },
        ctx.signal,
      );
    } catch (err) {
      if (errorCode(err) === "AccessDeniedException") return "AccessDenied";
      throw mapAwsError(err, `GetParametersByPath ${path}`);
    }
  }

  #findByTags(ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    const filters = Object.entries(find.tags ?? {}).map(([k, v]) => ({
      Key: `tag:${k}`,
      Option: "Equals",
      Values: [v],
    }));
    if (find.path !== undefined) filters.push(pathFilter(find.path));
    return this.#findDescribed(ctx, filters, () => true);
  }

  async #findDescribed(
    ctx: Ctx,
    filters: { Key: string; Option: string; Values: string[] }[],
    match: (name: string) => boolean,
  ): Promise<Map<string, Uint8Array>> {
    const data = new Map<string, Uint8Array>();
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#ssm.describeParameters(
          { ParameterFilters: filters, ...(token === undefined ? {} : { NextToken: token }) },
          ctx.signal,
        );
      } catch (err) {
        throw mapAwsError(err, "DescribeParameters");
      }
      for (const p of page.Parameters ?? []) {
        if (p.Name === undefined || !match(p.Name)) continue;
        data.set(p.Name, encode(await this.#value(p.Name, ctx.signal)));
      }
      token = page.NextToken;
    } while (token !== undefined && token !== "");
    return data;
  }

  async pushSecret(ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    const spec = metadataSpec(data.metadata);
    const tags = metadataTags(spec);
    const value = encodeValue(source, data, spec["encodeAsDecoded"] === true);
    const name = this.#opts.prefix + data.remoteKey;
    this.#opts.coalescer.forget(`${this.#opts.clientKey}|ssm|${name}|`);
    const request = putRequest(name, value, spec);
    const existing = await this.#existing(ctx, name);
    if (existing === undefined) {
      await this.#put(ctx, { ...request, Overwrite: false, Tags: tagList(tags) });
      return;
    }
    const current = await this.#tags(name, ctx.signal);
    if (!isManaged(current)) throw notManaged(name);
    if (existing === value) return;
    await this.#put(ctx, { ...request, Overwrite: true });
    try {
      const remove = tagKeysToRemove(current, tags);
      if (remove.length > 0) {
        await this.#ssm.removeTagsFromResource(
          { ResourceId: name, ResourceType: "Parameter", TagKeys: remove },
          ctx.signal,
        );
      }
      if (tagsModified(current, tags)) {
        await this.#ssm.addTagsToResource(
          { ResourceId: name, ResourceType: "Parameter", Tags: tagList(tags) },
          ctx.signal,
        );
      }
    } catch (err) {
      throw mapAwsError(err, `tagging ${name}`);
    }
  }

  async #existing(ctx: Ctx, name: string): Promise<string | undefined> {
    try {
      const out = await this.#ssm.getParameter({ Name: name, WithDecryption: true }, ctx.signal);
      return out.Parameter?.Value ?? "";
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw mapAwsError(err, `GetParameter ${name}`);
    }
  }

  async #put(ctx: Ctx, request: PutParameterCommandInput): Promise<void> {
    try {
      await this.#ssm.putParameter(request, ctx.signal);
    } catch (err) {
      throw mapAwsError(err, `PutParameter ${request.Name ?? ""}`);
    }
  }

  async deleteSecret(ctx: Ctx, ref: PushSecretRemoteRef): Promise<void> {
    const name = this.#opts.prefix + ref.remoteKey;
    this.#opts.coalescer.forget(`${this.#opts.clientKey}|ssm|${name}|`);
    if ((await this.#existing(ctx, name)) === undefined) return;
    const tags = await this.#tags(name, ctx.signal).catch((err: unknown) => {
      if (err instanceof ProviderError && err.code === "KeyNotFound")
        return new Map<string, string>();
      throw err;
    });
    // Not ours: for PushSecret it is "deleted" all the same (ESO).
    if (!isManaged(tags)) return;
    try {
      await this.#ssm.deleteParameter({ Name: name }, ctx.signal);
    } catch (err) {
      if (isMissing(err)) return;
      throw mapAwsError(err, `DeleteParameter ${name}`);
    }
  }

  async secretExists(ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    return (await this.#existing(ctx, this.#opts.prefix + ref.remoteKey)) !== undefined;
  }

  async validate(): Promise<ValidationResult> {
    try {
      await this.#ssm.checkCredentials();
      return "Ready";
    } catch (err) {
      throw mapAwsError(err, "resolving AWS credentials");
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const pathFilter = (path: string): { Key: string; Option: string; Values: string[] } => ({
  Key: "Path",
  Option: "Recursive",
  Values: [path],
});

/**
 * One key as is; the whole Secret as JSON: ESO marshals map[string][]byte
 * (values base64) unless encodeAsDecoded asks for plain strings.
 */
function encodeValue(source: PushSource, data: PushSecretData, asDecoded: boolean): string {
  if (data.secretKey !== "") {
    const value = source.data.get(data.secretKey);
    if (value === undefined) {
      throw new ProviderError(
        "InvalidValue",
        `secret key ${data.secretKey} does not exist in Secret ${source.namespace}/${source.name}`,
      );
    }
    return decodeUtf8(value);
  }
  const object: Record<string, JsonValue> = {};
  for (const [k, v] of source.data) {
    object[k] = asDecoded ? decodeUtf8(v) : Buffer.from(v).toString("base64");
  }
  return goJsonMarshal(object, false);
}

const PARAMETER_TYPES = new Set(["String", "StringList", "SecureString"]);

function putRequest(
  name: string,
  value: string,
  spec: Record<string, unknown>,
): PutParameterCommandInput {
  const type = stringField(spec, "secretType") || "String";
  if (!PARAMETER_TYPES.has(type)) {
    throw new ProviderError("InvalidValue", `failed to parse metadata: unknown secretType ${type}`);
  }
  const request: PutParameterCommandInput = {
    Name: name,
    Value: value,
    Type: type as "String" | "StringList" | "SecureString",
    Description: stringField(spec, "description") || "secret 'managed-by:external-secrets'",
  };
  if (type === "SecureString") request.KeyId = stringField(spec, "kmsKeyID") || "alias/aws/ssm";
  return { ...request, ...tierFields(spec["tier"]) };
}

/** ESO sends Tier (and Policies) only for Advanced parameters. */
function tierFields(tier: unknown): { Tier?: "Advanced"; Policies?: string } {
  if (typeof tier !== "object" || tier === null) return {};
  const t = tier as Record<string, unknown>;
  if (t["type"] !== "Advanced") return {};
  const policies = t["policies"];
  return policies === undefined || policies === null
    ? { Tier: "Advanced" }
    : { Tier: "Advanced", Policies: JSON.stringify(policies) };
}
