// The reconciler contract (architecture.md §5.4): level-based, keyed by
// namespace/name, throw to retry, TerminalError to give up.
import type { Logger } from "../log/index.ts";

export interface Request {
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

export interface Result {
  /** Milliseconds until the next reconcile of this key (periodic refresh). */
  readonly requeueAfter?: number;
}

export interface ReconcileContext {
  /** Aborted when the manager gives up waiting for in-flight work at shutdown. */
  readonly signal: AbortSignal;
  /** Carries controller, reconcileID, namespace and name. */
  readonly log: Logger;
  readonly reconcileId: string;
}

export interface Reconciler {
  reconcile(ctx: ReconcileContext, req: Request): Promise<Result>;
}

/** An error that retrying cannot fix: logged and counted, never requeued. */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
}

export function isTerminal(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

export function requestKey(req: Request): string {
  return req.namespace === "" ? req.name : `${req.namespace}/${req.name}`;
}

export function parseRequestKey(key: string): Request {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
