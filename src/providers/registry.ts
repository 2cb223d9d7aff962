// Providers by name. An instance, injected into controllers (tests build
// their own), never a module-level global.
import { providerName, type ProviderName } from "../api/index.ts";
import type { GenericStore } from "../esutils/store.ts";
import { NotSupportedError } from "./errors.ts";
import type { Provider } from "./provider.ts";

export class ProviderRegistry {
  readonly #providers = new Map<ProviderName, Provider>();

  constructor(providers: readonly Provider[] = []) {
    for (const provider of providers) this.register(provider);
  }

  register(provider: Provider): void {
    if (this.#providers.has(provider.name)) {
      throw new Error(`provider ${provider.name} is registered twice`);
    }
    this.#providers.set(provider.name, provider);
  }

  /** The provider named by the store's single `spec.provider` key. */
  forStore(store: GenericStore): Provider {
    const name = providerName(store.spec);
    const provider = this.#providers.get(name);
    if (provider === undefined) {
      throw new NotSupportedError(
        `provider "${name}" is not supported by this version of Ferry; the store is kept but cannot be used`,
      );
    }
    return provider;
  }

  /** Closes every provider that keeps state (revokes logins, closes pools). */
  async close(): Promise<void> {
    const closing = [...this.#providers.values()].map((p) => p.close?.() ?? Promise.resolve());
    await Promise.allSettled(closing);
  }

  /** Every registered provider. */
  all(): Provider[] {
    return [...this.#providers.values()];
  }

  names(): ProviderName[] {
    return [...this.#providers.keys()].sort();
  }
}
