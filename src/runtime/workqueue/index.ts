export { WorkQueue } from "./queue.ts";
export type { Lane, WorkQueueOptions } from "./queue.ts";
export {
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucketRateLimiter,
  defaultControllerRateLimiter,
} from "./rate-limiter.ts";
export type { ControllerRateLimiterOptions, RateLimiter } from "./rate-limiter.ts";
