// From watch events to queue keys. A controller watches its primary kind
// (`forObject`) and the objects it owns (`forOwner`); anything else maps with
// a custom function.
import type { KubeObject } from "../client/index.ts";
import type { Request } from "./types.ts";

export type MapFunc<T extends KubeObject> = (obj: T) => readonly Request[];

export type WatchEventKind = "add" | "update" | "delete";

/** Decides whether an event is worth a reconcile. `old` is set for updates. */
export type Predicate<T extends KubeObject> = (kind: WatchEventKind, obj: T, old?: T) => boolean;

export function forObject<T extends KubeObject>(): MapFunc<T> {
  return (obj) => [{ namespace: obj.metadata?.namespace ?? "", name: obj.metadata?.name ?? "" }];
}

/**
 * The controlling owner of the given group and kind, in the object's
 * namespace (owner references never cross namespaces).
 */
export function forOwner<T extends KubeObject>(ownerGroup: string, ownerKind: string): MapFunc<T> {
  return (obj) => {
    const owner = obj.metadata?.ownerReferences?.find(
      (ref) =>
        ref.controller === true && ref.kind === ownerKind && groupOf(ref.apiVersion) === ownerGroup,
    );
    return owner === undefined
      ? []
      : [{ namespace: obj.metadata?.namespace ?? "", name: owner.name }];
  };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Updates pass only when metadata.generation changed (spec edits, not status writes). */
export function generationChanged<T extends KubeObject>(): Predicate<T> {
  return (kind, obj, old) =>
    kind !== "update" || old?.metadata?.generation !== obj.metadata?.generation;
}

/** Updates pass only when labels or annotations changed. */
export function labelsOrAnnotationsChanged<T extends KubeObject>(): Predicate<T> {
  return (kind, obj, old) =>
    kind !== "update" ||
    JSON.stringify(old?.metadata?.labels) !== JSON.stringify(obj.metadata?.labels) ||
    JSON.stringify(old?.metadata?.annotations) !== JSON.stringify(obj.metadata?.annotations);
}

/** Passes when any predicate passes. */
export function anyOf<T extends KubeObject>(...predicates: Predicate<T>[]): Predicate<T> {
  return (kind, obj, old) => predicates.some((p) => p(kind, obj, old));
}
