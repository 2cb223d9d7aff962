// The coordination.k8s.io/v1 Lease used as the leader lock, and the narrow
// port the elector needs (so the state machine is testable with a fake).
import {
  KubeApiError,
  LEASES,
  isNotFound,
  type KubeClient,
  type ObjectMeta,
} from "../client/index.ts";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime: RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}

export interface LeaseLock {
  /** undefined when the Lease does not exist. */
  get(namespace: string, name: string): Promise<Lease | undefined>;
  /** Fails with a 409 when it already exists. */
  create(lease: Lease): Promise<Lease>;
  /** Fails with a 409 when metadata.resourceVersion is stale (optimistic concurrency). */
  update(lease: Lease): Promise<Lease>;
}

export function kubeLeaseLock(client: KubeClient): LeaseLock {
  return {
    async get(namespace, name) {
      try {
        return await client.get<Lease>(LEASES, name, { namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) =>
      client.create<Lease>(LEASES, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        ...lease,
      }),
    update: (lease) =>
      client.replace<Lease>(LEASES, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        ...lease,
      }),
  };
}

/** Kubernetes MicroTime: `2006-01-02T15:04:05.000000Z`. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** An in-memory LeaseLock with real optimistic concurrency, for unit tests. */
export class FakeLeaseLock implements LeaseLock {
  readonly leases = new Map<string, Lease>();
  #rv = 0;
  /** When set, every call fails with this error (an unreachable apiserver). */
  failWith: Error | undefined;

  get(namespace: string, name: string): Promise<Lease | undefined> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const lease = this.leases.get(`${namespace}/${name}`);
    return Promise.resolve(lease === undefined ? undefined : structuredClone(lease));
  }

  create(lease: Lease): Promise<Lease> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const key = `${lease.metadata.namespace ?? ""}/${lease.metadata.name ?? ""}`;
    if (this.leases.has(key)) return Promise.reject(conflict("AlreadyExists"));
    return Promise.resolve(this.#store(key, lease));
  }

  update(lease: Lease): Promise<Lease> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    const key = `${lease.metadata.namespace ?? ""}/${lease.metadata.name ?? ""}`;
    const current = this.leases.get(key);
    if (current?.metadata.resourceVersion !== lease.metadata.resourceVersion)
      return Promise.reject(conflict("Conflict"));
    return Promise.resolve(this.#store(key, lease));
  }

  #store(key: string, lease: Lease): Lease {
    const stored = structuredClone({
      ...lease,
      metadata: { ...lease.metadata, resourceVersion: String(++this.#rv) },
    });
    this.leases.set(key, stored);
    return structuredClone(stored);
  }
}

function conflict(reason: string): KubeApiError {
  return new KubeApiError({ code: 409, method: "PUT", path: "leases", status: { reason } });
}
