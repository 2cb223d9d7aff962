// The provider of a store is the one key set under spec.provider.
import type { SecretStoreProvider } from "../../schema/externalsecrets/v1/secretstore.ts";

export type ProviderName = keyof SecretStoreProvider;

/** Anything with a store spec: SecretStore, ClusterSecretStore, or their spec. */
export interface HasProvider {
  readonly provider?: SecretStoreProvider | undefined;
}

/**
 * The name of the single provider configured in `spec`; throws with ESO's
 * message when none or several are set.
 */
export function providerName(spec: HasProvider): ProviderName {
  const provider = spec.provider ?? {};
  const set = (Object.keys(provider) as ProviderName[]).filter((k) => provider[k] != null);
  const [name] = set;
  if (name === undefined || set.length !== 1) {
    throw new Error(
      `secret stores must only have exactly one backend specified, found ${set.length}`,
    );
  }
  return name;
}
