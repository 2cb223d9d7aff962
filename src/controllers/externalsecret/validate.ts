// ESO's admission checks that the CRD's CEL rules cannot express (the
// apiserver refuses them as too costly on unbounded lists). ESO's webhook
// runs them; Ferry's controller does, so they hold without a webhook too.
import type { EsView } from "./es-view.ts";

/** A message saying what to change, or undefined when the spec is fine. */
export function specProblem(es: EsView): string | undefined {
  if (es.deletionPolicy !== "Retain") return undefined;
  const seen = new Set<string>();
  for (const entry of es.es.spec?.data ?? []) {
    if (seen.has(entry.secretKey)) {
      return `invalid ExternalSecret: duplicate secretKey "${entry.secretKey}" in spec.data; with deletionPolicy Retain each entry needs its own secretKey`;
    }
    seen.add(entry.secretKey);
  }
  return undefined;
}
