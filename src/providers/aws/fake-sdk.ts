// In-memory fakes of the ports in sdk.ts, for unit tests: just enough of
// Secrets Manager, Parameter Store and STS semantics (stages, versions,
// tags, pagination, not-found errors), a log of every call with its input,
// and hooks to inject failures such as throttling.
import type {
  AwsCredentials,
  BatchGetSecretValueCommandInput,
  ClientConfig,
  ParameterStorePort,
  SdkFactory,
  SecretDescription,
  SecretsManagerPort,
  SecretValue,
  StsCredentialsOutput,
  StsPort,
  Tag,
} from "./sdk.ts";

/** An error shaped like an SDK ServiceException. */
export function awsError(name: string, message = name, status = 400): Error {
  const err = new Error(message) as Error & { $metadata: { httpStatusCode: number } };
  err.name = name;
  err.$metadata = { httpStatusCode: status };
  return err;
}

export interface FakeCall {
  readonly service: "SecretsManager" | "SSM" | "STS";
  readonly operation: string;
  readonly input: unknown;
  readonly credentials?: AwsCredentials | undefined;
}

interface FakeVersion {
  readonly id: string;
  readonly value: { SecretString?: string; SecretBinary?: Uint8Array };
  stages: string[];
}

interface FakeSecret {
  readonly name: string;
  readonly arn: string;
  tags: Map<string, string>;
  versions: FakeVersion[];
  deleted: boolean;
  kmsKeyId?: string | undefined;
  policy?: string | undefined;
  /** Replica regions. */
  replicas: string[];
}

interface FakeParameter {
  readonly name: string;
  versions: string[];
  tags: Map<string, string>;
}

export class FakeAws {
  readonly calls: FakeCall[] = [];
  readonly secrets = new Map<string, FakeSecret>();
  readonly parameters = new Map<string, FakeParameter>();
  /** Called before every operation: throw to inject a failure. */
  failWith: ((operation: string, input: unknown, call: FakeCall) => void) | undefined;
  /** Delay of every call, so concurrent calls overlap. */
  latencyMs = 0;
  /** Lifetime of STS credentials. */
  stsLifetimeMs = 3_600_000;
  now: () => number = Date.now;
  listPageSize = 100;
  #version = 0;

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  putSecret(
    name: string,
    value: { SecretString?: string; SecretBinary?: Uint8Array },
    tags: Record<string, string> = {},
  ): string {
    let secret = this.secrets.get(name);
    if (secret === undefined) {
      secret = {
        name,
        arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`,
        tags: new Map(Object.entries(tags)),
        versions: [],
        deleted: false,
        replicas: [],
      };
      this.secrets.set(name, secret);
    }
    for (const v of secret.versions) {
      v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
      if (v.stages.includes("AWSCURRENT")) v.stages = ["AWSPREVIOUS"];
    }
    const id = `v${String(++this.#version)}`;
    secret.versions.push({ id, value, stages: ["AWSCURRENT"] });
    return id;
  }

  putParameter(name: string, value: string, tags: Record<string, string> = {}): void {
    const existing = this.parameters.get(name);
    if (existing === undefined) {
      this.parameters.set(name, { name, versions: [value], tags: new Map(Object.entries(tags)) });
    } else existing.versions.push(value);
  }

  async #enter(call: FakeCall): Promise<void> {
    this.calls.push(call);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    this.failWith?.(call.operation, call.input, call);
  }

  #secret(id: string | undefined): FakeSecret {
    const secret = [...this.secrets.values()].find((s) => s.name === id || s.arn === id);
    if (secret === undefined)
      throw awsError(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
      );
    return secret;
  }

  #readable(id: string | undefined): FakeSecret {
    const secret = this.#secret(id);
    if (secret.deleted) {
      throw awsError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  }

  secretsManager(credentials?: () => Promise<AwsCredentials>): SecretsManagerPort & Disposable {
    const enter = async (operation: string, input: unknown): Promise<void> => {
      await this.#enter({
        service: "SecretsManager",
        operation,
        input,
        credentials: await credentials?.(),
      });
    };
    const describe = (s: FakeSecret): SecretDescription => ({
      ARN: s.arn,
      Name: s.name,
      KmsKeyId: s.kmsKeyId,
      Tags: [...s.tags].map(([Key, Value]) => ({ Key, Value })),
      VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.id, v.stages])),
      ...(s.replicas.length === 0
        ? {}
        : { ReplicationStatus: s.replicas.map((Region) => ({ Region })) }),
    });
    return {
      getSecretValue: async (input): Promise<SecretValue> => {
        await enter("GetSecretValue", input);
        const s = this.#readable(input.SecretId);
        const stage =
          input.VersionStage ?? (input.VersionId === undefined ? "AWSCURRENT" : undefined);
        const v = s.versions.find((x) =>
          stage === undefined ? x.id === input.VersionId : x.stages.includes(stage),
        );
        if (v === undefined) throw awsError("ResourceNotFoundException", "version not found");
        return { ARN: s.arn, Name: s.name, VersionId: v.id, ...v.value };
      },
      describeSecret: async (input) => {
        await enter("DescribeSecret", input);
        return describe(this.#secret(input.SecretId));
      },
      listSecrets: async (input) => {
        await enter("ListSecrets", input);
        const all = [...this.secrets.values()].filter(
          (s) => !s.deleted && matchesFilters(s, input.Filters ?? []),
        );
        const start = Number(input.NextToken ?? "0");
        const page = all.slice(start, start + this.listPageSize);
        const next = start + this.listPageSize;
        return {
          SecretList: page.map(describe),
          NextToken: next < all.length ? String(next) : undefined,
        };
      },
      batchGetSecretValue: async (input: BatchGetSecretValueCommandInput) => {
        await enter("BatchGetSecretValue", input);
        const ids = input.SecretIdList ?? [];
        if (ids.length > 20) throw awsError("InvalidParameterException", "too many ids");
        const values: SecretValue[] = [];
        const errors: { SecretId: string; ErrorCode: string }[] = [];
        for (const id of ids) {
          const s = this.secrets.get(id);
          const v = s?.versions.find((x) => x.stages.includes("AWSCURRENT"));
          if (s === undefined || v === undefined || s.deleted)
            errors.push({ SecretId: id, ErrorCode: "ResourceNotFoundException" });
          else values.push({ ARN: s.arn, Name: s.name, ...v.value });
        }
        return { SecretValues: values, Errors: errors };
      },
      createSecret: async (input) => {
        await enter("CreateSecret", input);
        if (this.secrets.has(input.Name ?? "")) throw awsError("ResourceExistsException");
        const tags = Object.fromEntries(
          (input.Tags ?? []).map((t: Tag) => [t.Key ?? "", t.Value ?? ""]),
        );
        this.putSecret(input.Name ?? "", valueOf(input), tags);
        const created = this.#secret(input.Name);
        created.kmsKeyId = input.KmsKeyId;
        created.replicas = (input.AddReplicaRegions ?? []).map((r) => r.Region ?? "");
        return { ARN: created.arn };
      },
      putSecretValue: async (input) => {
        await enter("PutSecretValue", input);
        this.putSecret(this.#readable(input.SecretId).name, valueOf(input));
        return {};
      },
      tagResource: async (input) => {
        await enter("TagResource", input);
        const s = this.#secret(input.SecretId);
        for (const t of input.Tags ?? []) s.tags.set(t.Key ?? "", t.Value ?? "");
        return {};
      },
      untagResource: async (input) => {
        await enter("UntagResource", input);
        const s = this.#secret(input.SecretId);
        for (const k of input.TagKeys ?? []) s.tags.delete(k);
        return {};
      },
      deleteSecret: async (input) => {
        await enter("DeleteSecret", input);
        const s = this.#secret(input.SecretId);
        if (s.replicas.length > 0) {
          throw awsError(
            "InvalidParameterException",
            `You can't delete secret ${s.name} that still has replica regions`,
          );
        }
        if (input.ForceDeleteWithoutRecovery === true) this.secrets.delete(s.name);
        else s.deleted = true;
        return {};
      },
      getResourcePolicy: async (input) => {
        await enter("GetResourcePolicy", input);
        const s = this.#secret(input.SecretId);
        return s.policy === undefined ? {} : { ResourcePolicy: s.policy };
      },
      putResourcePolicy: async (input) => {
        await enter("PutResourcePolicy", input);
        this.#secret(input.SecretId).policy = input.ResourcePolicy;
        return {};
      },
      deleteResourcePolicy: async (input) => {
        await enter("DeleteResourcePolicy", input);
        this.#secret(input.SecretId).policy = undefined;
        return {};
      },
      replicateSecretToRegions: async (input) => {
        await enter("ReplicateSecretToRegions", input);
        const s = this.#secret(input.SecretId);
        for (const r of input.AddReplicaRegions ?? []) s.replicas.push(r.Region ?? "");
        return {};
      },
      removeRegionsFromReplication: async (input) => {
        await enter("RemoveRegionsFromReplication", input);
        const s = this.#secret(input.SecretId);
        const removed = input.RemoveReplicaRegions ?? [];
        s.replicas = s.replicas.filter((r) => !removed.includes(r));
        return {};
      },
      checkCredentials: async () => {
        await credentials?.();
      },
      [Symbol.dispose]: () => undefined,
    };
  }

  #parameter(name: string | undefined): { p: FakeParameter; version: number } {
    const [base = "", v] = (name ?? "").split(":");
    const p = this.parameters.get(base);
    if (p === undefined) throw awsError("ParameterNotFound");
    const version = v === undefined ? p.versions.length : Number(v);
    if (version < 1 || version > p.versions.length) throw awsError("ParameterVersionNotFound");
    return { p, version };
  }

  parameterStore(credentials?: () => Promise<AwsCredentials>): ParameterStorePort & Disposable {
    const enter = async (operation: string, input: unknown): Promise<void> => {
      await this.#enter({ service: "SSM", operation, input, credentials: await credentials?.() });
    };
    return {
      getParameter: async (input) => {
        await enter("GetParameter", input);
        const { p, version } = this.#parameter(input.Name);
        return { Parameter: { Name: p.name, Value: p.versions[version - 1], Version: version } };
      },
      getParametersByPath: async (input) => {
        await enter("GetParametersByPath", input);
        const path = input.Path ?? "/";
        const prefix = path.endsWith("/") ? path : `${path}/`;
        const all = [...this.parameters.values()].filter((p) => p.name.startsWith(prefix));
        const start = Number(input.NextToken ?? "0");
        const page = all.slice(start, start + 10);
        return {
          Parameters: page.map((p) => ({ Name: p.name, Value: p.versions.at(-1) })),
          NextToken: start + 10 < all.length ? String(start + 10) : undefined,
        };
      },
      describeParameters: async (input) => {
        await enter("DescribeParameters", input);
        const filters = input.ParameterFilters ?? [];
        const all = [...this.parameters.values()].filter((p) =>
          filters.every((f) => {
            const key = f.Key ?? "";
            if (key.startsWith("tag:"))
              return (f.Values ?? []).includes(p.tags.get(key.slice(4)) ?? "\0");
            if (key === "Path") return p.name.startsWith(f.Values?.[0] ?? "");
            return true;
          }),
        );
        return { Parameters: all.map((p) => ({ Name: p.name })) };
      },
      listTagsForResource: async (input) => {
        await enter("ListTagsForResource", input);
        const p = this.parameters.get(input.ResourceId ?? "");
        if (p === undefined) throw awsError("InvalidResourceId");
        return { TagList: [...p.tags].map(([Key, Value]) => ({ Key, Value })) };
      },
      putParameter: async (input) => {
        await enter("PutParameter", input);
        const name = input.Name ?? "";
        if (this.parameters.has(name) && input.Overwrite !== true)
          throw awsError("ParameterAlreadyExists");
        const tags = Object.fromEntries(
          (input.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]),
        );
        this.putParameter(name, input.Value ?? "", tags);
        return {};
      },
      addTagsToResource: async (input) => {
        await enter("AddTagsToResource", input);
        const p = this.parameters.get(input.ResourceId ?? "");
        for (const t of input.Tags ?? []) p?.tags.set(t.Key ?? "", t.Value ?? "");
        return {};
      },
      removeTagsFromResource: async (input) => {
        await enter("RemoveTagsFromResource", input);
        const p = this.parameters.get(input.ResourceId ?? "");
        for (const k of input.TagKeys ?? []) p?.tags.delete(k);
        return {};
      },
      deleteParameter: async (input) => {
        await enter("DeleteParameter", input);
        if (!this.parameters.delete(input.Name ?? "")) throw awsError("ParameterNotFound");
        return {};
      },
      checkCredentials: async () => {
        await credentials?.();
      },
      [Symbol.dispose]: () => undefined,
    };
  }

  sts(credentials?: () => Promise<AwsCredentials>): StsPort & Disposable {
    const issue = (role: string): StsCredentialsOutput => ({
      Credentials: {
        AccessKeyId: `ASIA-${role.split("/").at(-1) ?? ""}-${String(this.calls.length)}`,
        SecretAccessKey: "fake-secret",
        SessionToken: "fake-token",
        Expiration: new Date(this.now() + this.stsLifetimeMs),
      },
    });
    return {
      assumeRole: async (input) => {
        await this.#enter({
          service: "STS",
          operation: "AssumeRole",
          input,
          credentials: await credentials?.(),
        });
        return issue(input.RoleArn ?? "");
      },
      assumeRoleWithWebIdentity: async (input) => {
        await this.#enter({ service: "STS", operation: "AssumeRoleWithWebIdentity", input });
        return issue(input.RoleArn ?? "");
      },
      [Symbol.dispose]: () => undefined,
    };
  }

  /** An SdkFactory whose ports all share this fake account. */
  factory(): SdkFactory & { readonly configs: ClientConfig[] } {
    const configs: ClientConfig[] = [];
    return {
      configs,
      secretsManager: (config) => {
        configs.push(config);
        return Promise.resolve(this.secretsManager(config.credentials));
      },
      parameterStore: (config) => {
        configs.push(config);
        return Promise.resolve(this.parameterStore(config.credentials));
      },
      sts: (config) => {
        configs.push(config);
        return Promise.resolve(this.sts(config.credentials));
      },
    };
  }
}

function valueOf(input: {
  SecretString?: string | undefined;
  SecretBinary?: Uint8Array | undefined;
}): {
  SecretString?: string;
  SecretBinary?: Uint8Array;
} {
  if (input.SecretBinary !== undefined) return { SecretBinary: input.SecretBinary };
  return { SecretString: input.SecretString ?? "" };
}

function matchesFilters(
  secret: FakeSecret,
  filters: readonly { Key?: string | undefined; Values?: string[] | undefined }[],
): boolean {
  return filters.every((f) => {
    const value = f.Values?.[0] ?? "";
    if (f.Key === "name") return secret.name.startsWith(value);
    if (f.Key === "tag-key") return secret.tags.has(value);
    if (f.Key === "tag-value") return [...secret.tags.values()].includes(value);
    return true;
  });
}
