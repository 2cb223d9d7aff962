export { sleep, systemClock, whenAborted } from "./clock.ts";
export type { Clock, TimerHandle } from "./clock.ts";
export { FakeClock, flushMicrotasks } from "./fake-clock.ts";
export { ExponentialBackoff } from "./backoff.ts";
export type { BackoffOptions } from "./backoff.ts";
