// service: SecretsManager (eso-reference.md §9.1, ESO's
// secretsmanager.go). Reads are coalesced across clients of the same
// credentials: the raw GetSecretValue/DescribeSecret output is shared, and
// property extraction happens per caller afterwards.
import { randomUUID } from "node:crypto";
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
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
  extractPushValue,
  isManaged,
  mapAwsError,
  metadataTags,
  missing,
  notManaged,
  setProperty,
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
  errorMessage,
  type SecretDescription,
  type SecretsManagerPort,
  type SecretValue,
} from "./sdk.ts";
import {
  pushMetadata,
  putPolicy,
  removeReplicas,
  replicaRegions,
  replicatedRegions,
  resolvePolicy,
  syncPolicy,
  syncReplication,
  type PolicyTarget,
  type PushFormat,
  type PushMetadata,
} from "./secretsmanager-push.ts";

/** BatchGetSecretValue accepts at most 20 ids per SecretIdList. */
export const BATCH_SIZE = 20;
const INITIAL_VERSION = "00000000-0000-0000-0000-000000000001";

export interface SecretsManagerOptions {
  /** Identity of the credentials + endpoint: reads are shared only under the same key. */
  readonly clientKey: string;
  readonly coalescer: Coalescer;
  readonly prefix: string;
  /** Reads PushSecret resource policies (ConfigMap/Secret) in `namespace`. */
  readonly kube: KubeAccess;
  /** Namespace of the ExternalSecret/PushSecret this client acts for. */
  readonly namespace: string;
  readonly deletion?: {
    readonly forceDeleteWithoutRecovery?: boolean | undefined;
    readonly recoveryWindowInDays?: number | undefined;
  };
  readonly newUuid?: () => string;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  if (code === "ResourceNotFoundException") return true;
  // A secret scheduled for deletion cannot be read; for ESO it is gone.
  return (
    (code === "InvalidRequestException" || code === "InvalidParameterException") &&
    // AWS says "marked for deletion", moto "marked deleted".
    /marked (for )?delet/.test(errorMessage(err))
  );
}

export class SecretsManagerClient implements SecretsClient {
  readonly #sm: SecretsManagerPort;
  readonly #opts: SecretsManagerOptions;

  constructor(sm: SecretsManagerPort, options: SecretsManagerOptions) {
    this.#sm = sm;
    this.#opts = options;
  }

  #fetchKey(id: string, version: string, metadata: boolean): string {
    return `${this.#opts.clientKey}|sm|${id}|${version}|${metadata ? "TAG" : "SECRET"}`;
  }

  /** The raw secret (or its tags as JSON), shared by identical concurrent reads. */
  #fetch(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<SecretValue> {
    const id = this.#opts.prefix + ref.key;
    const version = ref.version === undefined || ref.version === "" ? "AWSCURRENT" : ref.version;
    const metadata = ref.metadataPolicy === "Fetch";
    const shared = this.#opts.coalescer.run(this.#fetchKey(id, version, metadata), () =>
      metadata ? this.#describeAsValue(id) : this.#getValue(id, version),
    );
    return withSignal(shared, ctx.signal);
  }

  async #getValue(id: string, version: string): Promise<SecretValue> {
    const input = version.startsWith("uuid/")
      ? { SecretId: id, VersionId: version.slice("uuid/".length) }
      : { SecretId: id, VersionStage: version };
    try {
      return await this.#sm.getSecretValue(input);
    } catch (err) {
      if (isMissing(err))
        throw missing(`secret ${id} (version ${version}) not found in AWS Secrets Manager`);
      throw mapAwsError(err, `GetSecretValue ${id}`);
    }
  }

  async #describeAsValue(id: string): Promise<SecretValue> {
    try {
      const out = await this.#sm.describeSecret({ SecretId: id });
      return { ARN: out.ARN, Name: out.Name, SecretString: tagsToJson(out.Tags) };
    } catch (err) {
      if (isMissing(err)) throw missing(`secret ${id} not found in AWS Secrets Manager`);
      throw mapAwsError(err, `DescribeSecret ${id}`);
    }
  }

  async getSecret(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    const out = await this.#fetch(ctx, ref);
    const property = ref.property ?? "";
    if (property === "") {
      if (out.SecretString !== undefined) return encode(out.SecretString);
      if (out.SecretBinary !== undefined) return out.SecretBinary;
      throw new ProviderError(
        "InvalidValue",
        `invalid secret received. no secret string nor binary for key: ${ref.key}`,
      );
    }
    return extractProperty(payload(out), property, ref.key);
  }

  async getSecretMap(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Map<string, Uint8Array>> {
    return toSecretMap(await this.getSecret(ctx, ref), ref.key);
  }

  async getAllSecrets(ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    const tags = Object.entries(find.tags ?? {});
    if (find.name === undefined && tags.length === 0) {
      throw new ProviderError(
        "InvalidValue",
        "unexpected find operator: set find.name or find.tags",
      );
    }
    const matcher = find.name === undefined ? undefined : compileGoRegexp(find.name.regexp ?? "");
    const filters: { Key: "tag-key" | "tag-value" | "name"; Values: string[] }[] = [];
    for (const [k, v] of tags)
      filters.push({ Key: "tag-key", Values: [k] }, { Key: "tag-value", Values: [v] });
    if (find.path !== undefined) filters.push({ Key: "name", Values: [find.path] });
    const names = await this.#listNames(ctx, filters, (name) => matcher?.test(name) ?? true);
    return this.#batchGet(ctx, names);
  }

  async #listNames(
    ctx: Ctx,
    filters: { Key: "tag-key" | "tag-value" | "name"; Values: string[] }[],
    match: (name: string) => boolean,
  ): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#sm.listSecrets(
          { Filters: filters, ...(token === undefined ? {} : { NextToken: token }) },
          ctx.signal,
        );
      } catch (err) {
        throw mapAwsError(err, "ListSecrets");
      }
      for (const secret of page.SecretList ?? []) {
        if (secret.Name !== undefined && match(secret.Name)) names.push(secret.Name);
      }
      token = page.NextToken;
    } while (token !== undefined && token !== "");
    return names;
  }

  /** Values of the listed secrets, BATCH_SIZE ids per BatchGetSecretValue. */
  async #batchGet(ctx: Ctx, names: readonly string[]): Promise<Map<string, Uint8Array>> {
    const data = new Map<string, Uint8Array>();
    for (let i = 0; i < names.length; i += BATCH_SIZE) {
      await this.#batchChunk(ctx, names.slice(i, i + BATCH_SIZE), data);
    }
    return data;
  }

  async #batchChunk(ctx: Ctx, chunk: string[], data: Map<string, Uint8Array>): Promise<void> {
    let out;
    try {
      out = await this.#sm.batchGetSecretValue({ SecretIdList: chunk }, ctx.signal);
    } catch (err) {
      throw mapAwsError(err, "BatchGetSecretValue");
    }
    // A secret deleted between the listing and the read is simply not found.
    const failure = (out.Errors ?? []).find((e) => e.ErrorCode !== "ResourceNotFoundException");
    if (failure !== undefined) {
      throw new ProviderError(
        "ProviderError",
        `BatchGetSecretValue ${failure.SecretId ?? ""}: ${failure.ErrorCode ?? "error"}`,
      );
    }
    for (const secret of out.SecretValues ?? []) {
      const value = secretBytes(secret);
      if (secret.Name !== undefined && value !== undefined) data.set(secret.Name, value);
    }
  }

  async pushSecret(ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    const value = extractPushValue(source, data);
    const meta = pushMetadata(data.metadata);
    const policy = await resolvePolicy(this.#opts, meta.resourcePolicy);
    const name = this.#opts.prefix + data.remoteKey;
    this.#opts.coalescer.forget(`${this.#opts.clientKey}|sm|${name}|`);
    const described = await this.#describe(ctx, name);
    if (described === undefined) {
      const body = data.property === "" ? value : encode(setProperty("", data.property, value));
      const arn = await this.#create(ctx, name, body, meta);
      if (policy !== "")
        await putPolicy(this.#target(ctx, arn ?? name), policy, meta.resourcePolicy);
      return;
    }
    const tags = tagMap(described.Tags);
    if (!isManaged(tags)) throw notManaged(name);
    await this.#patchTags(ctx, name, tags, meta.spec);
    const target = this.#target(ctx, described.ARN ?? name);
    await syncPolicy(target, policy, meta.resourcePolicy);
    await syncReplication(target, described, meta.replicationLocations);
    const hasVersions = Object.keys(described.VersionIdsToStages ?? {}).length > 0;
    const current = hasVersions ? await this.#current(ctx, name) : undefined;
    await this.#putValue(ctx, name, mergedValue(current, data.property, value), {
      current,
      format: meta.format,
    });
  }

  #target(ctx: Ctx, secretId: string): PolicyTarget {
    return { sm: this.#sm, ctx, secretId };
  }

  async #putValue(
    ctx: Ctx,
    name: string,
    body: Uint8Array,
    { current, format }: { current: SecretValue | undefined; format: PushFormat },
  ): Promise<void> {
    if (current !== undefined && sameValue(current, body)) return;
    const token = current === undefined ? INITIAL_VERSION : (this.#opts.newUuid ?? randomUUID)();
    try {
      await this.#sm.putSecretValue(
        { SecretId: name, ClientRequestToken: token, ...formatted(format, body) },
        ctx.signal,
      );
    } catch (err) {
      throw mapAwsError(err, `PutSecretValue ${name}`);
    }
  }

  async #describe(ctx: Ctx, name: string): Promise<SecretDescription | undefined> {
    try {
      return await this.#sm.describeSecret({ SecretId: name }, ctx.signal);
    } catch (err) {
      if (errorCode(err) === "ResourceNotFoundException") return undefined;
      throw mapAwsError(err, `DescribeSecret ${name}`);
    }
  }

  async #current(ctx: Ctx, name: string): Promise<SecretValue> {
    try {
      return await this.#sm.getSecretValue({ SecretId: name }, ctx.signal);
    } catch (err) {
      throw mapAwsError(err, `GetSecretValue ${name}`);
    }
  }

  /** CreateSecret with tags, KMS key and replica regions; returns the ARN. */
  async #create(
    ctx: Ctx,
    name: string,
    body: Uint8Array,
    meta: PushMetadata,
  ): Promise<string | undefined> {
    const tags = metadataTags(meta.spec);
    const kmsKeyId = stringField(meta.spec, "kmsKeyId") || "alias/aws/secretsmanager";
    const replicas = replicaRegions(meta.replicationLocations ?? [], kmsKeyId);
    try {
      const out = await this.#sm.createSecret(
        {
          Name: name,
          ClientRequestToken: INITIAL_VERSION,
          Description:
            stringField(meta.spec, "description") || "secret 'managed-by:external-secrets'",
          KmsKeyId: kmsKeyId,
          Tags: tagList(tags),
          ...(replicas.length === 0 ? {} : { AddReplicaRegions: replicas }),
          ...formatted(meta.format, body),
        },
        ctx.signal,
      );
      return out.ARN;
    } catch (err) {
      throw mapAwsError(err, `CreateSecret ${name}`);
    }
  }

  /** ESO patches tags only when the metadata names some. */
  async #patchTags(
    ctx: Ctx,
    name: string,
    current: ReadonlyMap<string, string>,
    spec: Record<string, unknown>,
  ): Promise<void> {
    const wanted = metadataTags(spec);
    if (wanted.size <= 1) return;
    const remove = tagKeysToRemove(current, wanted);
    try {
      if (remove.length > 0)
        await this.#sm.untagResource({ SecretId: name, TagKeys: remove }, ctx.signal);
      if (tagsModified(current, wanted)) {
        await this.#sm.tagResource({ SecretId: name, Tags: tagList(wanted) }, ctx.signal);
      }
    } catch (err) {
      throw mapAwsError(err, `tagging ${name}`);
    }
  }

  async deleteSecret(ctx: Ctx, ref: PushSecretRemoteRef): Promise<void> {
    const name = this.#opts.prefix + ref.remoteKey;
    this.#opts.coalescer.forget(`${this.#opts.clientKey}|sm|${name}|`);
    let arn: string | undefined;
    try {
      arn = (await this.#sm.getSecretValue({ SecretId: name }, ctx.signal)).ARN;
    } catch (err) {
      if (isMissing(err)) return;
      throw mapAwsError(err, `GetSecretValue ${name}`);
    }
    const described = await this.#describe(ctx, name);
    // Only secrets Ferry/ESO created are deleted; others are left alone.
    if (described === undefined || !isManaged(tagMap(described.Tags))) return;
    // AWS refuses to delete a secret that still has replicas.
    await removeReplicas(this.#target(ctx, arn ?? name), replicatedRegions(described));
    try {
      await this.#sm.deleteSecret(
        { SecretId: arn ?? name, ...deletionOptions(this.#opts.deletion) },
        ctx.signal,
      );
    } catch (err) {
      throw mapAwsError(err, `DeleteSecret ${name}`);
    }
  }

  async secretExists(ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    const name = this.#opts.prefix + ref.remoteKey;
    try {
      await this.#sm.getSecretValue({ SecretId: name }, ctx.signal);
      return true;
    } catch (err) {
      if (errorCode(err) === "ResourceNotFoundException") return false;
      throw mapAwsError(err, `GetSecretValue ${name}`);
    }
  }

  async validate(): Promise<ValidationResult> {
    try {
      await this.#sm.checkCredentials();
      return "Ready";
    } catch (err) {
      throw mapAwsError(err, "resolving AWS credentials");
    }
  }

  close(): Promise<void> {
    // The SDK client is shared and long-lived (see index.ts); nothing to do.
    return Promise.resolve();
  }
}

/** The text gjson reads: SecretString, or SecretBinary as UTF-8. */
function payload(out: SecretValue): string {
  if (out.SecretBinary !== undefined) return decodeUtf8(out.SecretBinary);
  return out.SecretString ?? "";
}

function sameValue(current: SecretValue, body: Uint8Array): boolean {
  if (current.SecretBinary !== undefined) return Buffer.from(current.SecretBinary).equals(body);
  return current.SecretString !== undefined && current.SecretString === decodeUtf8(body);
}

function secretBytes(secret: SecretValue): Uint8Array | undefined {
  if (secret.SecretBinary !== undefined) return secret.SecretBinary;
  return secret.SecretString === undefined ? undefined : encode(secret.SecretString);
}

function mergedValue(
  current: SecretValue | undefined,
  property: string,
  value: Uint8Array,
): Uint8Array {
  if (property === "") return value;
  return encode(setProperty(current === undefined ? "" : payload(current), property, value));
}

const formatted = (
  format: PushFormat,
  body: Uint8Array,
): { SecretString: string } | { SecretBinary: Uint8Array } =>
  format === "string" ? { SecretString: decodeUtf8(body) } : { SecretBinary: body };

function deletionOptions(deletion: SecretsManagerOptions["deletion"]): {
  ForceDeleteWithoutRecovery?: boolean;
  RecoveryWindowInDays?: number;
} {
  if (deletion?.forceDeleteWithoutRecovery === true) return { ForceDeleteWithoutRecovery: true };
  const days = deletion?.recoveryWindowInDays ?? 0;
  return days > 0 ? { RecoveryWindowInDays: days } : {};
}
