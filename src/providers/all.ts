// Every provider key of the API, and what Ferry does with it: a factory for
// the providers Ferry implements, NOT_YET for the others (their stores get
// Ready=False "not supported", they are never a crash). The `satisfies`
// makes a provider key added to the schema fail compilation until it is
// listed here. Only src/cli imports this file (architecture.md §5.2).
import { DEFERRED_PROVIDERS, type DeferredProviderName, type ProviderName } from "../api/index.ts";
import { awsProvider } from "./aws/index.ts";
import { FakeSecretsProvider } from "./fake/index.ts";
import { newKubernetesProvider } from "./kubernetes/index.ts";
import { newOpenBaoProvider, newVaultProvider } from "./vault/index.ts";
import { newWebhookProvider } from "./webhook/index.ts";
import type { Provider } from "./provider.ts";
import { ProviderRegistry } from "./registry.ts";

export const NOT_YET = "not-yet";
export type NotYet = typeof NOT_YET;

/** A fresh provider instance per registry: providers keep per-process caches. */
export type ProviderFactory = () => Provider;

const deferred = Object.fromEntries(DEFERRED_PROVIDERS.map((name) => [name, NOT_YET])) as Record<
  DeferredProviderName,
  NotYet
>;

export const providers = {
  ...deferred,
  aws: () => awsProvider(),
  azurekv: NOT_YET,
  beyondtrustworkloadcredentials: NOT_YET,
  delinea: NOT_YET,
  fake: () => new FakeSecretsProvider(),
  gcpsm: NOT_YET,
  kubernetes: () => newKubernetesProvider(),
  openBao: () => newOpenBaoProvider(),
  vault: () => newVaultProvider(),
  webhook: () => newWebhookProvider(),
} satisfies Record<ProviderName, ProviderFactory | NotYet>;

/** New instances of every implemented provider. */
export function allProviders(): Provider[] {
  const out: Provider[] = [];
  for (const entry of Object.values(providers) as (ProviderFactory | NotYet)[]) {
    if (entry !== NOT_YET) out.push(entry());
  }
  return out;
}

/** A registry of every implemented provider. */
export function newProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry(allProviders());
}
