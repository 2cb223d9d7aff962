// A recorder that keeps events in memory, for unit tests of controllers.
import type { EventRecorder, EventType, ObjectReference } from "./types.ts";

export interface RecordedEvent {
  readonly object: ObjectReference;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export class FakeEventRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];

  event(object: ObjectReference, type: EventType, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }

  /** Events with `reason` (all when omitted). */
  withReason(reason?: string): RecordedEvent[] {
    return reason === undefined ? [...this.events] : this.events.filter((e) => e.reason === reason);
  }

  clear(): void {
    this.events.length = 0;
  }
}
