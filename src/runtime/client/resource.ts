// Which REST collection an object lives in. The runtime does not use
// discovery: callers name the resource (plural) and its scope explicitly.

export interface ResourceRef {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, e.g. "configmaps". */
  readonly resource: string;
  readonly namespaced: boolean;
}

export const CORE = {
  configMaps: { group: "", version: "v1", resource: "configmaps", namespaced: true },
  secrets: { group: "", version: "v1", resource: "secrets", namespaced: true },
  serviceAccounts: { group: "", version: "v1", resource: "serviceaccounts", namespaced: true },
  namespaces: { group: "", version: "v1", resource: "namespaces", namespaced: false },
  events: { group: "", version: "v1", resource: "events", namespaced: true },
} as const satisfies Record<string, ResourceRef>;

export const LEASES: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  namespaced: true,
};

export function apiVersionOf(res: ResourceRef): string {
  return res.group === "" ? res.version : `${res.group}/${res.version}`;
}

export interface PathParts {
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly subresource?: string | undefined;
}

/** The REST path of a collection, an object or one of its subresources. */
export function resourcePath(res: ResourceRef, parts: PathParts = {}): string {
  const base = res.group === "" ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const segments = [base];
  if (res.namespaced && parts.namespace !== undefined && parts.namespace !== "") {
    segments.push("namespaces", encodeURIComponent(parts.namespace));
  }
  segments.push(res.resource);
  if (parts.name !== undefined) {
    segments.push(encodeURIComponent(parts.name));
    if (parts.subresource !== undefined) segments.push(parts.subresource);
  }
  return segments.join("/");
}

export function describeResource(res: ResourceRef): string {
  return res.group === "" ? res.resource : `${res.resource}.${res.group}`;
}
