// provider.fake: static data declared in the store (eso-reference.md §9.7),
// plus whatever PushSecrets wrote. Used by tutorials, tests and `ferry
// render`. Entries are keyed by key + version; reads need the exact version.
//
// One difference from ESO, on purpose: ESO shares the in-memory database
// between all stores of the same *name*, across namespaces; Ferry keys it by
// store kind, namespace and name, so one namespace's pushes never show up
// in another's store.
import type {
  ExternalSecretDataRemoteRef,
  ExternalSecretFind,
  FakeProvider,
} from "../../api/index.ts";
import { get, resultString } from "../../esutils/gjson.ts";
import { compileGoRegexp } from "../../esutils/go-regexp.ts";
import { jsonObjectToStringMap } from "../../esutils/json-raw.ts";
import { convertKeys } from "../../esutils/keys.ts";
import { storeKey } from "../../esutils/store.ts";
import {
  NoSecretError,
  NotSupportedError,
  ProviderError,
  StoreValidationError,
} from "../errors.ts";
import type {
  Ctx,
  GenericStore,
  KubeAccess,
  Provider,
  PushSecretData,
  PushSecretRemoteRef,
  PushSource,
  SecretsClient,
  ValidationResult,
} from "../provider.ts";

type Origin = "SecretStore" | "SetSecret";

interface Entry {
  value: string;
  readonly version: string;
  readonly origin: Origin;
}

type Database = Map<string, Entry>;

const encode = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "utf8"));

function fakeSpec(store: GenericStore): FakeProvider {
  const spec = store.spec.provider.fake;
  if (spec === undefined) throw new StoreValidationError("missing store provider fake");
  return spec;
}

const VALIDATION_RESULTS: readonly ValidationResult[] = ["Ready", "Unknown", "Error"];

class FakeClient implements SecretsClient {
  readonly #db: Database;
  readonly #validation: ValidationResult;

  constructor(db: Database, validation: ValidationResult) {
    this.#db = db;
    this.#validation = validation;
  }

  #entry(ref: ExternalSecretDataRemoteRef): Entry {
    const version = ref.version ?? "";
    const entry = this.#db.get(ref.key + version);
    if (entry?.version !== version) {
      throw new NoSecretError(`key "${ref.key}" not found in the fake store`);
    }
    return entry;
  }

  getSecret(_ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Uint8Array> {
    return Promise.try(() => this.#read(ref));
  }

  #read(ref: ExternalSecretDataRemoteRef): Uint8Array {
    const entry = this.#entry(ref);
    const property = ref.property ?? "";
    if (property === "") return encode(entry.value);
    const result = get(entry.value, property);
    if (!result.exists) {
      throw new NoSecretError(`property "${property}" not found in key "${ref.key}"`);
    }
    return encode(resultString(result));
  }

  async getSecretMap(ctx: Ctx, ref: ExternalSecretDataRemoteRef): Promise<Map<string, Uint8Array>> {
    const value = Buffer.from(await this.getSecret(ctx, ref)).toString("utf8");
    let map: Map<string, string>;
    try {
      map = jsonObjectToStringMap(value);
    } catch (err) {
      throw new ProviderError(
        "InvalidValue",
        `unable to unmarshal secret "${ref.key}": ${(err as Error).message}`,
      );
    }
    return new Map([...map].map(([k, v]) => [k, encode(v)]));
  }

  getAllSecrets(_ctx: Ctx, find: ExternalSecretFind): Promise<Map<string, Uint8Array>> {
    return Promise.try(() => this.#find(find));
  }

  #find(find: ExternalSecretFind): Map<string, Uint8Array> {
    if (find.name === undefined) {
      throw new NotSupportedError(
        "the fake provider can only find secrets by name (find.name.regexp)",
      );
    }
    const matcher = compileGoRegexp(find.name.regexp ?? "");
    const latest = new Map<string, Entry>();
    for (const [mapKey, entry] of this.#db) {
      const key = mapKey.slice(0, mapKey.length - entry.version.length);
      if (!matcher.test(key)) continue;
      const seen = latest.get(key);
      // ESO compares versions as strings: the "highest" one wins.
      if (seen === undefined || seen.version < entry.version) latest.set(key, entry);
    }
    const found = new Map([...latest].map(([k, e]) => [k, encode(e.value)]));
    return convertKeys(found, find.conversionStrategy);
  }

  pushSecret(_ctx: Ctx, source: PushSource, data: PushSecretData): Promise<void> {
    return Promise.try(() => {
      this.#push(source, data);
    });
  }

  #push(source: PushSource, data: PushSecretData): void {
    const value = Buffer.from(source.data.get(data.secretKey) ?? new Uint8Array()).toString("utf8");
    const current = this.#db.get(data.remoteKey);
    if (current === undefined) {
      this.#db.set(data.remoteKey, { value, version: "", origin: "SetSecret" });
    } else if (current.origin !== "SetSecret") {
      throw new ProviderError(
        "ProviderError",
        `key already exists: "${data.remoteKey}" is declared in the store`,
      );
    } else {
      current.value = value;
    }
  }

  deleteSecret(): Promise<void> {
    return Promise.resolve();
  }

  secretExists(_ctx: Ctx, ref: PushSecretRemoteRef): Promise<boolean> {
    return Promise.resolve(this.#db.has(ref.remoteKey));
  }

  // ESO's fake returns its configured result with an error when it is not
  // Ready; an Unknown result is not a failure (the store stays usable).
  validate(): Promise<ValidationResult> {
    if (this.#validation !== "Error") return Promise.resolve(this.#validation);
    const code = VALIDATION_RESULTS.indexOf(this.#validation);
    return Promise.reject(
      new ProviderError(
        "ProviderError",
        `unable to validate (the store sets validationResult: ${code})`,
      ),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class FakeSecretsProvider implements Provider {
  readonly name = "fake";
  readonly capabilities = "ReadWrite";
  readonly maintenance = "NotMaintained";
  readonly #databases = new Map<string, Database>();

  validateStore(store: GenericStore): { warnings: string[] } {
    fakeSpec(store).data.forEach((entry, index) => {
      if (entry.key === "") throw new StoreValidationError(`key must be set in data ${index}`);
      if ((entry.value ?? "") === "")
        throw new StoreValidationError(`at least one value must be set in data ${index}`);
    });
    return { warnings: [] };
  }

  newClient(
    _ctx: Ctx,
    store: GenericStore,
    _kube: KubeAccess,
    _namespace: string,
  ): Promise<SecretsClient> {
    const spec = fakeSpec(store);
    const key = storeKey(store);
    const db = this.#databases.get(key) ?? new Map<string, Entry>();
    // Entries declared by the store are reloaded from its current spec, so
    // removing one from the store removes it here too; pushed ones stay.
    for (const [k, entry] of db) if (entry.origin === "SecretStore") db.delete(k);
    for (const entry of spec.data) {
      const version = entry.version ?? "";
      db.set(entry.key + version, { value: entry.value ?? "", version, origin: "SecretStore" });
    }
    this.#databases.set(key, db);
    const validation = VALIDATION_RESULTS[spec.validationResult ?? 0] ?? "Ready";
    return Promise.resolve(new FakeClient(db, validation));
  }
}
