// PushSecret metadata of Secrets Manager beyond tags (eso-reference.md §9.1,
// §8 table): `resourcePolicy` (a policy document read from a ConfigMap or
// Secret in the PushSecret's namespace, applied with PutResourcePolicy and
// removed when the metadata no longer names one) and `replicationLocations`
// (user-managed replica regions, added and removed to match). Error
// messages name objects and keys, never the policy or a secret value.
import { goJsonMarshal, type JsonValue } from "../../esutils/go-json.ts";
import type { KubeAccess } from "../../esutils/kube-access.ts";
import { ProviderError } from "../errors.ts";
import type { Ctx } from "../provider.ts";
import { decodeUtf8, mapAwsError, metadataSpec, stringField } from "./common.ts";
import { errorCode, type SecretDescription, type SecretsManagerPort } from "./sdk.ts";

export type PushFormat = "binary" | "string";

export interface PolicySource {
  readonly kind: "ConfigMap" | "Secret";
  readonly name: string;
  readonly key: string;
}

export interface ResourcePolicySpec {
  readonly blockPublicPolicy?: boolean | undefined;
  /** Absent: no policy is applied (and an existing one is removed on update). */
  readonly source?: PolicySource | undefined;
}

export interface PushMetadata {
  readonly spec: Record<string, unknown>;
  readonly format: PushFormat;
  readonly resourcePolicy?: ResourcePolicySpec | undefined;
  /** Undefined: replication is left as it is; [] removes every replica. */
  readonly replicationLocations?: readonly string[] | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const invalid = (detail: string): ProviderError =>
  new ProviderError("InvalidValue", `failed to parse metadata: ${detail}`);

function policySource(raw: unknown): PolicySource | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalid("resourcePolicy.policySourceRef must be an object");
  const kind = stringField(raw, "kind");
  if (kind !== "ConfigMap" && kind !== "Secret") {
    throw invalid(
      `unsupported resourcePolicy.policySourceRef kind ${JSON.stringify(kind)} (must be ConfigMap or Secret)`,
    );
  }
  const name = stringField(raw, "name");
  const key = stringField(raw, "key");
  if (name === "" || key === "") {
    throw invalid("resourcePolicy.policySourceRef needs a name and a key");
  }
  return { kind, name, key };
}

function resourcePolicy(raw: unknown): ResourcePolicySpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalid("resourcePolicy must be an object");
  const block = raw["blockPublicPolicy"];
  if (block !== undefined && block !== null && typeof block !== "boolean") {
    throw invalid("resourcePolicy.blockPublicPolicy must be a boolean");
  }
  return {
    blockPublicPolicy: typeof block === "boolean" ? block : undefined,
    source: policySource(raw["policySourceRef"]),
  };
}

function replicationLocations(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.some((r) => typeof r !== "string" || r === "")) {
    throw invalid("replicationLocations must be a list of region names");
  }
  return [...new Set(raw as string[])];
}

/** ESO's PushSecretMetadataSpec for Secrets Manager, validated. */
export function pushMetadata(metadata: unknown): PushMetadata {
  const spec = metadataSpec(metadata);
  const format = stringField(spec, "secretPushFormat") || "binary";
  if (format !== "binary" && format !== "string") {
    throw new ProviderError("InvalidValue", `invalid secret push format: ${format}`);
  }
  return {
    spec,
    format,
    resourcePolicy: resourcePolicy(spec["resourcePolicy"]),
    replicationLocations: replicationLocations(spec["replicationLocations"]),
  };
}

/** Where a push reads its policy document: the PushSecret's namespace. */
export interface PolicyReader {
  readonly kube: KubeAccess;
  readonly namespace: string;
}

async function readPolicySource(reader: PolicyReader, source: PolicySource): Promise<string> {
  const { kube, namespace } = reader;
  const where = `${source.kind} ${namespace}/${source.name}`;
  if (namespace === "") {
    throw new ProviderError(
      "InvalidValue",
      `resourcePolicy.policySourceRef ${source.kind} ${source.name} needs the namespace of the PushSecret`,
    );
  }
  const notFound = (what: string): ProviderError =>
    new ProviderError("InvalidValue", `failed to resolve resource policy: ${what}`);
  if (source.kind === "ConfigMap") {
    const cm = await kube.getConfigMap(namespace, source.name);
    if (cm === undefined) throw notFound(`${where} does not exist`);
    const text = cm.data.get(source.key);
    if (text === undefined) throw notFound(`key ${source.key} not found in ${where}`);
    return text;
  }
  const secret = await kube.getSecret(namespace, source.name);
  if (secret === undefined) throw notFound(`${where} does not exist`);
  const bytes = secret.data.get(source.key);
  if (bytes === undefined) throw notFound(`key ${source.key} not found in ${where}`);
  return decodeUtf8(bytes);
}

/**
 * The policy document to apply, or "" for none. Read before anything is
 * written, so a missing ConfigMap fails the push instead of leaving a secret
 * without its policy.
 */
export async function resolvePolicy(
  reader: PolicyReader,
  spec: ResourcePolicySpec | undefined,
): Promise<string> {
  if (spec?.source === undefined) return "";
  const text = await readPolicySource(reader, spec.source);
  if (text !== "") canonicalPolicy(text, `the policy in ${spec.source.kind} ${spec.source.name}`);
  return text;
}

/** The policy as canonical JSON (sorted keys), to compare documents, not their formatting. */
function canonicalPolicy(text: string, what: string): string {
  try {
    return goJsonMarshal(JSON.parse(text) as JsonValue, false);
  } catch {
    throw new ProviderError("InvalidValue", `${what} is not valid JSON`);
  }
}

export interface PolicyTarget {
  readonly sm: SecretsManagerPort;
  readonly ctx: Ctx;
  /** The secret's ARN (or name). */
  readonly secretId: string;
}

export async function putPolicy(
  target: PolicyTarget,
  policy: string,
  spec: ResourcePolicySpec | undefined,
): Promise<void> {
  try {
    await target.sm.putResourcePolicy(
      {
        SecretId: target.secretId,
        ResourcePolicy: policy,
        ...(spec?.blockPublicPolicy === undefined
          ? {}
          : { BlockPublicPolicy: spec.blockPublicPolicy }),
      },
      target.ctx.signal,
    );
  } catch (err) {
    throw mapAwsError(err, `failed to put resource policy on ${target.secretId}`);
  }
}

async function deletePolicy(target: PolicyTarget): Promise<void> {
  try {
    await target.sm.deleteResourcePolicy({ SecretId: target.secretId }, target.ctx.signal);
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return;
    throw mapAwsError(err, `failed to delete resource policy of ${target.secretId}`);
  }
}

async function currentPolicy(target: PolicyTarget): Promise<string> {
  try {
    const out = await target.sm.getResourcePolicy({ SecretId: target.secretId }, target.ctx.signal);
    return out.ResourcePolicy ?? "";
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return "";
    throw mapAwsError(err, `failed to get current resource policy of ${target.secretId}`);
  }
}

/**
 * An existing secret: removes the policy when none is wanted (as ESO does,
 * with DeleteResourcePolicy), else puts it when it differs from the current
 * one as JSON.
 */
export async function syncPolicy(
  target: PolicyTarget,
  policy: string,
  spec: ResourcePolicySpec | undefined,
): Promise<void> {
  if (policy === "") {
    await deletePolicy(target);
    return;
  }
  const current = await currentPolicy(target);
  const wanted = canonicalPolicy(policy, "the wanted resource policy");
  if (current !== "" && canonicalPolicy(current, "the current resource policy") === wanted) return;
  await putPolicy(target, policy, spec);
}

export const replicaRegions = (
  regions: readonly string[],
  kmsKeyId: string | undefined,
): { Region: string; KmsKeyId?: string }[] =>
  regions.map((Region) => (kmsKeyId === undefined ? { Region } : { Region, KmsKeyId: kmsKeyId }));

export const replicatedRegions = (described: SecretDescription): string[] =>
  (described.ReplicationStatus ?? []).map((r) => r.Region ?? "").filter((region) => region !== "");

export async function removeReplicas(target: PolicyTarget, regions: string[]): Promise<void> {
  if (regions.length === 0) return;
  try {
    await target.sm.removeRegionsFromReplication(
      { SecretId: target.secretId, RemoveReplicaRegions: regions },
      target.ctx.signal,
    );
  } catch (err) {
    throw mapAwsError(err, `failed to remove regions from replication of ${target.secretId}`);
  }
}

/** Adds and removes replica regions so they match `wanted` (undefined: left alone). */
export async function syncReplication(
  target: PolicyTarget,
  described: SecretDescription,
  wanted: readonly string[] | undefined,
): Promise<void> {
  if (wanted === undefined) return;
  const existing = replicatedRegions(described);
  await removeReplicas(
    target,
    existing.filter((r) => !wanted.includes(r)),
  );
  const added = wanted.filter((r) => !existing.includes(r));
  if (added.length === 0) return;
  try {
    await target.sm.replicateSecretToRegions(
      { SecretId: target.secretId, AddReplicaRegions: replicaRegions(added, described.KmsKeyId) },
      target.ctx.signal,
    );
  } catch (err) {
    throw mapAwsError(err, `failed to replicate ${target.secretId} to ${added.join(", ")}`);
  }
}
