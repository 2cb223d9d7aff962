// Keys waiting for a time (`addAfter`), behind one timer. A timer per key
// cost ~0.5 KB each (Node's Timeout, a TimersList per distinct delay, the
// closure) and with jittered refresh intervals nearly every ExternalSecret
// had its own: 10,000 ExternalSecrets held 20,000 timer objects. Here a
// binary min-heap orders the due times and a single timer is armed for the
// earliest. Re-adding a key keeps its earliest time; entries superseded or
// cancelled stay in the heap and are skipped when they surface.
import type { Clock, TimerHandle } from "../clock/index.ts";

interface Entry<L> {
  readonly key: string;
  readonly readyAt: number;
  readonly lane: L;
}

export class DelayedKeys<L> {
  readonly #clock: Clock;
  readonly #onDue: (key: string, lane: L) => void;
  /** The current entry of each waiting key. */
  readonly #current = new Map<string, Entry<L>>();
  readonly #heap: Entry<L>[] = [];
  #timer: { handle: TimerHandle; at: number } | undefined;

  constructor(clock: Clock, onDue: (key: string, lane: L) => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  get size(): number {
    return this.#current.size;
  }

  /** Waits `delayMs` for `key`; a key already waiting keeps the earlier time. */
  add(key: string, delayMs: number, lane: L): void {
    const readyAt = this.#clock.now() + delayMs;
    const existing = this.#current.get(key);
    if (existing !== undefined && existing.readyAt <= readyAt) return;
    const entry = { key, readyAt, lane };
    this.#current.set(key, entry);
    this.#push(entry);
    this.#arm();
  }

  clear(): void {
    this.#current.clear();
    this.#heap.length = 0;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#dropStale();
    const top = this.#heap[0];
    if (top === undefined) return;
    if (this.#timer !== undefined) {
      if (this.#timer.at <= top.readyAt) return;
      this.#clock.clearTimeout(this.#timer.handle);
    }
    const handle = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, top.readyAt - this.#clock.now());
    this.#timer = { handle, at: top.readyAt };
  }

  #fire(): void {
    const now = this.#clock.now();
    for (;;) {
      this.#dropStale();
      const top = this.#heap[0];
      if (top === undefined || top.readyAt > now) break;
      this.#pop();
      this.#current.delete(top.key);
      this.#onDue(top.key, top.lane);
    }
    this.#arm();
  }

  /** Pops superseded entries off the top. */
  #dropStale(): void {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || this.#current.get(top.key) === top) return;
      this.#pop();
    }
  }

  #push(entry: Entry<L>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p === undefined || p.readyAt <= entry.readyAt) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const child = this.#smallerChild(i, last.readyAt);
      if (child === undefined) break;
      heap[i] = child.entry;
      i = child.index;
    }
    heap[i] = last;
  }

  /** The child of `i` to move up, if one is due earlier than `readyAt`. */
  #smallerChild(i: number, readyAt: number): { index: number; entry: Entry<L> } | undefined {
    const left = 2 * i + 1;
    const l = this.#heap[left];
    if (l === undefined) return undefined;
    const r = this.#heap[left + 1];
    const child =
      r !== undefined && r.readyAt < l.readyAt
        ? { index: left + 1, entry: r }
        : { index: left, entry: l };
    return child.entry.readyAt < readyAt ? child : undefined;
  }
}
