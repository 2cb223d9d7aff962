export { EventBroadcaster, MAX_MESSAGE_BYTES, truncateUtf8 } from "./broadcaster.ts";
export type { EventBroadcasterOptions, EventBroadcasterStats } from "./broadcaster.ts";
export { FakeEventRecorder } from "./fake.ts";
export type { RecordedEvent } from "./fake.ts";
export { clientEventSink, referenceOf } from "./types.ts";
export type {
  CoreEvent,
  EventPatch,
  EventRecorder,
  EventSink,
  EventType,
  ObjectReference,
} from "./types.ts";
