// The SecretsClient of provider.vault and provider.openBao.
import type { ExternalSecretDataRemoteRef, ExternalSecretFind } from "../../api/index.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import { NoSecretError, NotSupportedError, ProviderError } from "../errors.ts";
import type {
  Ctx,
  PushSecretData,
  PushSecretRemoteRef,
  PushSource,
  SecretsClient,
  ValidationResult,
} from "../provider.ts";
import { parseBody } from "./client.ts";
import { listKeys, listOneLevel, readData, readMetadata, type KvConfig } from "./kv.ts";
import { deleteSecret, pushSecret, secretExists } from "./push.ts";
import type { Session } from "./session.ts";
import { secretMap, secretValue, stringMapObject } from "./values.ts";

const encode = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

export interface ClientConfig {
  readonly kv: KvConfig;
  readonly checkAndSet: boolean;
  /** Validate() checks the token with lookup-self (static tokens only). */
  readonly staticToken: boolean;
}

/** ESO's validateVaultKVMountData. */
function checkMountData(mount: string, version: "v1" | "v2", raw: unknown): void {
  const data = (raw ?? {}) as { type?: unknown; options?: { version?: unknown } | null };
  const type = typeof data.type === "string" ? data.type : "<missing>";
  const name = JSON.stringify(mount);
  if (type !== "kv") {
    throw new ProviderError(
      "InvalidStore",
      `vault mount path ${name} is not a kv secret engine, got ${JSON.stringify(type)}`,
    );
  }
  const got = String(data.options?.version) === "2" ? "v2" : "v1";
  if (got !== version) {
    throw new ProviderError(
      "InvalidStore",
      `vault mount path ${name} uses kv version ${got} but store is configured for kv version ${version}`,
    );
  }
}

export class VaultSecretsClient implements SecretsClient {
  readonly #cfg: ClientConfig;
  readonly #session: Session;

  constructor(cfg: ClientConfig, session: Session) {
    this.#cfg = cfg;
    this.#session = session;
  }

  get #kv(): KvConfig {
    return this.#cfg.kv;
  }

  async #value(ref: ExternalSecretDataRemoteRef): Promise<string> {
    const property = ref.property ?? "";
    if (ref.metadataPolicy === "Fetch") {
      if (this.#kv.version === "v1") {
        throw new NotSupportedError("cannot perform metadata fetch operations with kv version v1");
      }
      const meta = await readMetadata(this.#kv, this.#session, ref.key);
      // ESO: a plain error here, not "Secret does not exist"
      if (meta === undefined)
        throw new ProviderError(
          "ProviderError",
          `secret not found: metadata of ${JSON.stringify(ref.key)}`,
        );
      if (meta.all.size === 0) return "";
      return secretValue(stringMapObject(meta.all), property, ref.key);
    }
    if (this.#kv.flavor === "openBao" && this.#kv.version === "v1" && (ref.version ?? "") !== "") {
      throw new NotSupportedError("OpenBao KVv1 secrets do not support versioning (use KVv2)");
    }
    const data = await readData(this.#kv, this.#session, ref.key, { version: ref.version });
    return secretValue(data, property, ref.key);
  }

  async getSecret(_ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    return encode(await this.#value(ref));
  }

  async getSecretMap(
    _ctx: Ctx,
    ref: ExternalSecretDataRemoteRef,
  ): Promise<Map<string, Uint8Array>> {
    const map = secretMap(await this.#value(ref), ref.key);
    return new Map([...map].map(([k, v]) => [k, encode(v)]));
  }

  async getAllSecrets(_ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    const candidates = await this.#candidates(find);
    const matches = await this.#filter(candidates, find);
    const out = new Map<string, Uint8Array>();
    for (const name of matches) {
      try {
        out.set(name, encode(await this.#value({ key: name })));
      } catch (err) {
        if (!(err instanceof NoSecretError)) throw err;
      }
    }
    return out;
  }

  async #candidates(find: ExternalSecretFind): Promise<string[]> {
    if (this.#kv.flavor === "openBao") {
      if (find.tags !== undefined)
        throw new NotSupportedError("tag based search is not implemented by the openBao provider");
      if (find.name === undefined)
        throw new NotSupportedError(
          "the openBao provider finds secrets by name only (find.name.regexp)",
        );
      return listOneLevel(this.#kv, this.#session, find.path ?? "");
    }
    if (this.#kv.version === "v1" && find.tags !== undefined) {
      throw new NotSupportedError("cannot perform find by tag operations with kv version v1");
    }
    return listKeys(this.#kv, this.#session, find.path === undefined ? "" : `${find.path}/`);
  }

  async #filter(candidates: readonly string[], find: ExternalSecretFind): Promise<string[]> {
    if (find.name !== undefined) {
      const re = compileGoRegexp(find.name.regexp ?? "");
      return candidates.filter((name) => re.test(name));
    }
    const tags = Object.entries(find.tags ?? {});
    const out: string[] = [];
    for (const name of candidates) {
      const meta = await readMetadata(this.#kv, this.#session, name);
      if (meta === undefined)
        throw new ProviderError(
          "ProviderError",
          `secret not found: metadata of ${JSON.stringify(name)}`,
        );
      if (tags.every(([k, v]) => meta.all.get(k) === v)) out.push(name);
    }
    return out;
  }

  #writable(): void {
    if (this.#kv.flavor === "openBao") {
      throw new NotSupportedError(
        "the openBao provider is read only (as in ESO); use provider.vault to push",
      );
    }
  }

  async pushSecret(_ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    this.#writable();
    await pushSecret(this.#kv, this.#session, { source, data, checkAndSet: this.#cfg.checkAndSet });
  }

  async deleteSecret(_ctx: Ctx, ref: PushSecretRemoteRef): Promise<void> {
    this.#writable();
    await deleteSecret(this.#kv, this.#session, ref);
  }

  async secretExists(_ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    this.#writable();
    return secretExists(this.#kv, this.#session, ref);
  }

  async validate(_ctx: Ctx): Promise<ValidationResult> {
    if (this.#cfg.staticToken) {
      const r = await this.#session.request(
        { method: "GET", path: "auth/token/lookup-self" },
        "token lookup (auth/token/lookup-self)",
      );
      if (r.status !== 200)
        throw new ProviderError(
          "AuthFailed",
          `invalid vault credentials: token lookup returned ${r.status}`,
        );
    }
    await this.#validateMount();
    return "Ready";
  }

  /** ESO's validateKVMount: the mount exists, is kv, with the configured version. */
  async #validateMount(): Promise<void> {
    const mount = (this.#kv.mount ?? (this.#kv.flavor === "openBao" ? "kv" : "")).replace(
      /^\/+|\/+$/g,
      "",
    );
    if (mount === "") return;
    const what = `mount check of ${mount}`;
    const r = await this.#session.request(
      { method: "GET", path: `sys/internal/ui/mounts/${mount}` },
      what,
    );
    if (r.status === 404)
      throw new ProviderError(
        "InvalidStore",
        `vault mount path ${JSON.stringify(mount)} was not found`,
      );
    if (r.status !== 200) return;
    checkMountData(mount, this.#kv.version, parseBody(r, what)["data"]);
  }

  close(): Promise<void> {
    // The token belongs to the provider's cache (reused by the next client).
    return Promise.resolve();
  }
}
