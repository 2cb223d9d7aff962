// Which namespaces a ClusterExternalSecret provisions (eso-reference.md §3,
// §11.3): the union of `namespaceSelectors[]` (ORed), the deprecated single
// `namespaceSelector` and the deprecated `namespaces[]` name list. ESO lists
// namespaces by `kubernetes.io/metadata.name=<name>` for the names, which the
// apiserver sets on every namespace, so matching the name is the same thing.
// An empty selector matches every namespace; no selector and no names match
// none.
import type { ClusterExternalSecretSpec } from "../../api/index.ts";
import { selectorMatches, type LabelSelector } from "../common/label-selector.ts";
import type { NamespaceObject } from "./ces-view.ts";

type SelectionSpec = Pick<
  ClusterExternalSecretSpec,
  "namespaceSelector" | "namespaceSelectors" | "namespaces"
>;

export interface NamespaceSelection {
  /** Selected namespaces that are not being deleted, sorted: they get a child. */
  readonly active: readonly string[];
  /** Selected namespaces being deleted: ESO releases its finalizer there and skips them. */
  readonly terminating: readonly string[];
}

/** Every label selector of the spec, the deprecated one first (ESO's order). */
export function selectorsOf(spec: SelectionSpec | undefined): LabelSelector[] {
  const selectors: LabelSelector[] = [];
  if (spec?.namespaceSelector !== undefined) selectors.push(spec.namespaceSelector);
  selectors.push(...(spec?.namespaceSelectors ?? []));
  return selectors;
}

/**
 * Whether a namespace with this name and these labels is selected. Throws
 * LabelSelectorError for a selector with an unknown operator (the CRD does
 * not constrain `operator`).
 */
export function isSelected(
  spec: SelectionSpec | undefined,
  name: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if ((spec?.namespaces ?? []).includes(name)) return true;
  return selectorsOf(spec).some((selector) => selectorMatches(selector, labels));
}

/** The selected namespaces among `namespaces`. */
export function selectNamespaces(
  spec: SelectionSpec | undefined,
  namespaces: readonly NamespaceObject[],
): NamespaceSelection {
  const selected = namespaces.filter((ns) => {
    const name = ns.metadata?.name ?? "";
    return name !== "" && isSelected(spec, name, ns.metadata?.labels ?? {});
  });
  const names = (list: readonly NamespaceObject[]): string[] =>
    list.map((ns) => ns.metadata?.name ?? "").sort();
  return {
    active: names(selected.filter((ns) => ns.metadata?.deletionTimestamp === undefined)),
    terminating: names(selected.filter((ns) => ns.metadata?.deletionTimestamp !== undefined)),
  };
}
