export { createLogger, discardLogger } from "./logger.ts";
export type { LogFields, LogLevel, Logger, LoggerOptions } from "./logger.ts";
export { REDACTED, isSensitiveName, redact, scrubText } from "./redact.ts";
