// Providers count their own API calls, throttling and credential fetches
// (Provider.metrics()); this puts those counters on the controller's
// /metrics. A family reported by several providers (ESO's
// externalsecret_provider_api_calls_count) becomes one counter whose
// samples are summed over the providers at each scrape.
import type { Provider } from "../../providers/provider.ts";
import { Counter, type Registry } from "../../runtime/index.ts";

export function registerProviderMetrics(registry: Registry, providers: readonly Provider[]): void {
  const families = new Map(
    providers.flatMap((p) => p.metricFamilies ?? []).map((family) => [family.name, family]),
  );
  for (const family of families.values()) {
    if (registry.getSingleMetric(family.name) !== undefined) continue;
    new Counter({
      name: family.name,
      help: family.help,
      labelNames: [...family.labelNames],
      registers: [registry],
      collect() {
        this.reset();
        for (const provider of providers) {
          for (const sample of provider.metrics?.() ?? []) {
            if (sample.name === family.name) this.inc(sample.labels, sample.value);
          }
        }
      },
    });
  }
}
