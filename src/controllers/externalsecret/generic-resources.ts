// Which REST resource serves a generic target's apiVersion and kind, read
// from the apiserver's discovery document of that group version (the
// runtime client names resources explicitly and has no discovery). Results
// are cached; a kind that is not (yet) there is looked up again after a
// short while, so a CRD installed later is found without a restart.
import {
  describeResource,
  isForbidden,
  isNotFound,
  type KubeClient,
  type KubeObject,
  type ResourceRef,
} from "../../runtime/index.ts";
import { describeKind, type TargetKind } from "./generic-target.ts";

interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

interface ApiResourceList {
  readonly resources?: readonly ApiResource[];
}

/**
 * Why a generic target cannot be read or written, in words fit for the
 * status condition (never a value); `terminal` when retrying cannot help.
 */
export class GenericTargetError extends Error {
  override readonly name = "GenericTargetError";
  readonly terminal: boolean;

  constructor(message: string, terminal: boolean, cause?: unknown) {
    super(message, { cause });
    this.terminal = terminal;
  }
}

const REDISCOVER_MS = 10_000;

interface Cached {
  readonly resources: readonly ApiResource[];
  readonly at: number;
}

export class ResourceResolver {
  readonly #client: KubeClient;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();

  constructor(client: KubeClient, now: () => number = Date.now) {
    this.#client = client;
    this.#now = now;
  }

  /** The namespaced resource of `kind`, or a GenericTargetError that says what is wrong. */
  async resolve(kind: TargetKind): Promise<ResourceRef> {
    let found = this.#find(kind, this.#cache.get(kind.apiVersion));
    if (found === undefined && this.#stale(kind.apiVersion))
      found = this.#find(kind, await this.#discover(kind));
    if (found === undefined) {
      throw new GenericTargetError(
        `the apiserver serves no kind ${kind.kind} in ${kind.apiVersion}: check spec.target.manifest (is the CRD installed?)`,
        false,
      );
    }
    if (!found.namespaced) {
      throw new GenericTargetError(
        `${describeKind(kind)} is cluster-scoped: a generic target must be a namespaced kind, written in the ExternalSecret's namespace`,
        true,
      );
    }
    return { group: kind.group, version: kind.version, resource: found.name, namespaced: true };
  }

  #find(kind: TargetKind, cached: Cached | undefined): ApiResource | undefined {
    // Subresources (`configmaps/status`) share the kind of their parent.
    return cached?.resources.find((r) => r.kind === kind.kind && !r.name.includes("/"));
  }

  #stale(apiVersion: string): boolean {
    const cached = this.#cache.get(apiVersion);
    return cached === undefined || this.#now() - cached.at >= REDISCOVER_MS;
  }

  async #discover(kind: TargetKind): Promise<Cached> {
    let resources: readonly ApiResource[];
    try {
      const list = await this.#client.list<KubeObject>(discoveryRef(kind));
      resources = (list as unknown as ApiResourceList).resources ?? [];
    } catch (err) {
      if (isNotFound(err)) resources = [];
      else if (isForbidden(err))
        throw new GenericTargetError(
          `Ferry may not read the API discovery of ${kind.apiVersion} (HTTP 403)`,
          false,
        );
      else throw err;
    }
    const cached = { resources, at: this.#now() };
    this.#cache.set(kind.apiVersion, cached);
    return cached;
  }
}

/**
 * The discovery document `/api/v1/` or `/apis/<group>/<version>/` read as
 * a "list" of a resource with an empty name: the list answer is returned
 * as-is, `resources` included.
 */
function discoveryRef(kind: TargetKind): ResourceRef {
  return { group: kind.group, version: kind.version, resource: "", namespaced: false };
}

/** The verbs a generic target needs: reads and drift watch, writes, and delete for deletionPolicy/orphans. */
const NEEDED_VERBS = "get, list, watch, create, update and delete";

/** A clear condition message for an RBAC refusal (HTTP 403) on a generic target's resource. */
export function forbiddenMessage(verb: string, res: ResourceRef, namespace: string): string {
  const where = namespace === "" ? "in all namespaces" : `in namespace "${namespace}"`;
  const resource = describeResource(res);
  return `the controller may not ${verb} ${resource} ${where} (HTTP 403): grant its ServiceAccount ${NEEDED_VERBS} on ${resource} (Helm values genericTargets.enabled and genericTargets.resources)`;
}
