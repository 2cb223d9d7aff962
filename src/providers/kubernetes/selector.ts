// find.tags as a label selector (ESO: labels.ValidatedSelectorFromSet):
// `k1=v1,k2=v2`, keys sorted, keys and values checked against Kubernetes'
// label syntax so a tag can never smuggle an operator or a second term into
// the selector. Empty tags select every Secret, as in ESO.
import { ProviderError } from "../errors.ts";

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validKey(key: string): boolean {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && NAME.test(name);
}

function validValue(value: string): boolean {
  return value === "" || (value.length <= 63 && NAME.test(value));
}

export function labelSelector(tags: Readonly<Record<string, string>>): string {
  const terms: string[] = [];
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key] ?? "";
    if (!validKey(key)) {
      throw new ProviderError(
        "InvalidValue",
        `unable to validate selector tags: ${JSON.stringify(key)} is not a valid label key`,
      );
    }
    if (!validValue(value)) {
      throw new ProviderError(
        "InvalidValue",
        `unable to validate selector tags: the value of ${JSON.stringify(key)} is not a valid label value`,
      );
    }
    terms.push(`${key}=${value}`);
  }
  return terms.join(",");
}
