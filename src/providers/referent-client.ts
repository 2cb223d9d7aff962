// The client of a referent ClusterSecretStore asked for without a namespace
// (the store controller validating it): its credentials resolve in the
// namespace of each ExternalSecret or PushSecret, so there is nothing to
// check yet. As in ESO, validate() says Unknown (the store is Ready with
// reason ValidationUnknown) and any other call fails with a message that
// says why. Shared by every provider with referent authentication.
import type { GenericStore } from "../esutils/store.ts";
import { storeDisplayName } from "../esutils/store.ts";
import { ProviderError } from "./errors.ts";
import type { SecretsClient, ValidationResult } from "./provider.ts";

export class ReferentStoreClient implements SecretsClient {
  readonly #message: string;

  constructor(store: GenericStore) {
    this.#message = `${storeDisplayName(store)} uses referent authentication: its credentials resolve in the namespace of each ExternalSecret or PushSecret, and none was given`;
  }

  #fail(): Promise<never> {
    return Promise.reject(new ProviderError("InvalidStore", this.#message));
  }
  getSecret(): Promise<Uint8Array> {
    return this.#fail();
  }
  getSecretMap(): Promise<Map<string, Uint8Array>> {
    return this.#fail();
  }
  getAllSecrets(): Promise<Map<string, Uint8Array>> {
    return this.#fail();
  }
  pushSecret(): Promise<void> {
    return this.#fail();
  }
  deleteSecret(): Promise<void> {
    return this.#fail();
  }
  secretExists(): Promise<boolean> {
    return this.#fail();
  }
  validate(): Promise<ValidationResult> {
    return Promise.resolve("Unknown");
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
