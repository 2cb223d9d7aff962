// The SecretsClient of provider.kubernetes: ESO's eight methods on the
// Secrets of `remoteNamespace` in the remote cluster (client.go,
// validate.go). Differences from ESO, all on the safe side:
// - a missing Secret is NoSecretError for GetSecret too (ESO returns the raw
//   NotFound there), so deletionPolicy Delete/Merge work with this provider;
// - identical concurrent reads share one request (inflight.ts);
// - writes use the resourceVersion they read and retry on conflicts;
// - 401/403 name the namespace, the verb and the RBAC that is missing.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import { convertKeys } from "../../esutils/keys.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import { NoSecretError, ProviderError } from "../errors.ts";
import type {
  Ctx,
  PushSecretData,
  PushSecretRemoteRef,
  PushSource,
  SecretsClient,
  ValidationResult,
} from "../provider.ts";
import { ApiFailure, checkName, type KubeApi, type RemoteSecret } from "./api.ts";
import type { InFlight } from "./inflight.ts";
import { desiredSecret, parsePushMetadata, unchanged } from "./push.ts";
import { labelSelector } from "./selector.ts";
import { secretJson, secretMap, secretValue } from "./values.ts";

const WRITE_ATTEMPTS = 4;

export interface ClientSettings {
  readonly api: KubeApi;
  readonly reads: InFlight;
  /** Connection identity: shared reads never cross it. */
  readonly identity: string;
  readonly remoteNamespace: string;
  readonly clusterStore: boolean;
  /** Which credentials (for messages). */
  readonly description: string;
}

interface RuleReview {
  resourceRules?: { verbs?: string[]; apiGroups?: string[]; resources?: string[] }[];
}

interface AccessReview {
  allowed?: boolean;
}

const has = (list: readonly string[] | undefined, ...values: string[]): boolean =>
  values.some((v) => list?.includes(v) === true);

export class KubernetesSecretsClient implements SecretsClient {
  readonly #s: ClientSettings;

  constructor(settings: ClientSettings) {
    this.#s = settings;
  }

  #readKey(namespace: string, name: string): string {
    return `${this.#s.identity}|${namespace}|get|${name}`;
  }

  /**
   * A GET shared with identical reads in flight. Shared reads are bounded by
   * the request timeout only: one caller's cancelled reconcile must not fail
   * the others that joined its request.
   */
  #read(name: string): Promise<RemoteSecret | undefined> {
    const ns = this.#s.remoteNamespace;
    checkName(name, "remoteRef.key");
    return this.#s.reads.run(this.#readKey(ns, name), () => this.#s.api.getSecret(ns, name));
  }

  async #existing(ref: ExternalSecretDataRemoteRef): Promise<RemoteSecret> {
    const secret = await this.#read(ref.key);
    if (secret === undefined) {
      throw new NoSecretError(
        `Secret "${ref.key}" in namespace "${this.#s.remoteNamespace}" of ${this.#s.api.server}`,
      );
    }
    return secret;
  }

  async getSecret(_ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    // `version` has no meaning for Kubernetes Secrets; ESO ignores it too.
    return secretValue(await this.#existing(ref), ref);
  }

  async getSecretMap(
    _ctx: Ctx,
    ref: ExternalSecretDataRemoteRef,
  ): Promise<Map<string, Uint8Array>> {
    return secretMap(await this.#existing(ref), ref);
  }

  async getAllSecrets(_ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    const ns = this.#s.remoteNamespace;
    let secrets: RemoteSecret[];
    if (find.tags !== undefined) {
      const selector = labelSelector(find.tags);
      secrets = await this.#s.reads.run(`${this.#s.identity}|${ns}|list|${selector}`, () =>
        this.#s.api.listSecrets(ns, selector),
      );
    } else if (find.name !== undefined) {
      const matcher = compileGoRegexp(find.name.regexp ?? "");
      const all = await this.#s.reads.run(`${this.#s.identity}|${ns}|list|`, () =>
        this.#s.api.listSecrets(ns, ""),
      );
      secrets = all.filter((s) => matcher.test(s.name));
    } else {
      throw new ProviderError(
        "InvalidValue",
        "find needs name.regexp or tags with the kubernetes provider (path is not supported)",
      );
    }
    const found = new Map<string, Uint8Array>();
    for (const secret of secrets) found.set(secret.name, secretJson(secret));
    return convertKeys(found, find.conversionStrategy);
  }

  #pushNamespace(override: string): string {
    if (override === "") return this.#s.remoteNamespace;
    if (!this.#s.clusterStore) {
      throw new ProviderError(
        "InvalidValue",
        "remoteNamespace override is only supported with ClusterSecretStore",
      );
    }
    return override;
  }

  async pushSecret(ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    if (data.property === "" && data.secretKey !== "") {
      throw new ProviderError(
        "InvalidValue",
        "requires property in RemoteRef to push secret value if secret key is defined",
      );
    }
    const meta = parsePushMetadata(data.metadata);
    const namespace = this.#pushNamespace(meta?.remoteNamespace ?? "");
    const name = data.remoteKey;
    checkName(name, "remoteRef.remoteKey");
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      if (await this.#pushOnce(ctx, { namespace, name, source, data }, meta)) return;
    }
    throw this.#contention(namespace, name);
  }

  /** One read-modify-write; false when someone else wrote in between. */
  async #pushOnce(
    ctx: Ctx,
    input: { namespace: string; name: string; source: PushSource; data: PushSecretData },
    meta: ReturnType<typeof parsePushMetadata>,
  ): Promise<boolean> {
    const api = this.#s.api;
    const remote = await api.getSecret(input.namespace, input.name, ctx.signal);
    const desired = desiredSecret(input, meta, remote);
    this.#s.reads.forget(this.#readKey(input.namespace, input.name));
    if (remote === undefined) {
      return (await api.createSecret(input.namespace, desired.resource, ctx.signal)) === "created";
    }
    if (unchanged(remote, desired)) return true;
    return (await api.updateSecret(input.namespace, desired.resource, ctx.signal)) === "updated";
  }

  #contention(namespace: string, name: string): ProviderError {
    return new ProviderError(
      "Unavailable",
      `Secret "${namespace}/${name}" on ${this.#s.api.server} kept changing while it was written (${WRITE_ATTEMPTS} conflicts); retrying later`,
    );
  }

  async deleteSecret(ctx: Ctx, ref: PushSecretRemoteRef): Promise<void> {
    const ns = this.#s.remoteNamespace;
    checkName(ref.remoteKey, "remoteRef.remoteKey");
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      if (await this.#deleteOnce(ctx, ns, ref)) return;
    }
    throw this.#contention(ns, ref.remoteKey);
  }

  /** ESO's DeleteSecret: the property, or the whole Secret when it was the last key. */
  async #deleteOnce(ctx: Ctx, ns: string, ref: PushSecretRemoteRef): Promise<boolean> {
    const api = this.#s.api;
    this.#s.reads.forget(this.#readKey(ns, ref.remoteKey));
    if (ref.property === "") {
      return (await api.deleteSecret(ns, ref.remoteKey, undefined, ctx.signal)) !== "conflict";
    }
    const remote = await api.getSecret(ns, ref.remoteKey, ctx.signal);
    if (remote?.data.has(ref.property) !== true) return true;
    if (remote.data.size > 1) {
      const data = Object.fromEntries(
        Object.entries(remote.resource.data ?? {}).filter(([k]) => k !== ref.property),
      );
      const result = await api.updateSecret(ns, { ...remote.resource, data }, ctx.signal);
      return result !== "conflict";
    }
    const version = remote.resource.metadata?.resourceVersion;
    return (await api.deleteSecret(ns, ref.remoteKey, version, ctx.signal)) !== "conflict";
  }

  async secretExists(ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    const ns = this.#s.remoteNamespace;
    checkName(ref.remoteKey, "remoteRef.remoteKey");
    const secret = await this.#s.api.getSecret(ns, ref.remoteKey, ctx.signal);
    if (secret === undefined) return false;
    return ref.property === "" || secret.data.has(ref.property);
  }

  /**
   * ESO's Validate: a SelfSubjectRulesReview in remoteNamespace must show
   * `get` on secrets, else a SelfSubjectAccessReview must allow it. Review
   * failures (an unreachable server too) leave the result Unknown, as in
   * ESO, so a network blip does not close the flood gate for every
   * ExternalSecret of the store; a refused credential (401) is an error.
   */
  async validate(ctx: Ctx): Promise<ValidationResult> {
    const ns = this.#s.remoteNamespace;
    try {
      const rules = (await this.#s.api.review(
        "selfsubjectrulesreviews",
        { namespace: ns },
        ctx.signal,
      )) as RuleReview;
      if (this.#rulesAllowGet(rules)) return "Ready";
    } catch (err) {
      this.#rethrowFatal(err);
      ctx.log.debug("SelfSubjectRulesReview failed; trying SelfSubjectAccessReview", {
        namespace: ns,
      });
    }
    let allowed: boolean;
    try {
      const access = (await this.#s.api.review(
        "selfsubjectaccessreviews",
        { resourceAttributes: { resource: "secrets", namespace: ns, verb: "get" } },
        ctx.signal,
      )) as AccessReview;
      allowed = access.allowed === true;
    } catch (err) {
      this.#rethrowFatal(err);
      return "Unknown";
    }
    if (allowed) return "Ready";
    throw new ProviderError(
      "AuthFailed",
      `client is not allowed to get secrets: ${this.#s.description} may not get secrets in namespace "${ns}" on ${this.#s.api.server}; RBAC missing: grant verb "get" (and "list" for find) on resource "secrets" in namespace "${ns}" with a Role and RoleBinding`,
    );
  }

  #rulesAllowGet(review: RuleReview): boolean {
    return (review.resourceRules ?? []).some(
      (rule) =>
        has(rule.resources, "secrets", "*") &&
        has(rule.verbs, "get", "*") &&
        (rule.apiGroups === undefined ||
          rule.apiGroups.length === 0 ||
          has(rule.apiGroups, "", "*")),
    );
  }

  /** Only refused credentials (and bugs) are errors; other review failures leave Unknown. */
  #rethrowFatal(err: unknown): void {
    if (err instanceof ApiFailure && err.status === 401) throw err;
    if (!(err instanceof ProviderError)) throw err;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
