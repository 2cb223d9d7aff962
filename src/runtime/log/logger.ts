// Structured JSON logs, one object per line: level, ts, logger, msg, then the
// caller's key/values (redacted, see redact.ts). Child loggers carry fixed
// fields such as the controller name and reconcile ID.
import { redact } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger with `fields` added to every line; `name` is appended to the logger name with a dot. */
  child(fields: LogFields, name?: string): Logger;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly name?: string;
  /** Where lines go; stderr by default. Each call receives one complete line with its newline. */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/** Fields the logger writes itself; callers' keys with these names are prefixed to avoid clobbering. */
const RESERVED = new Set(["level", "ts", "logger", "msg"]);

export function createLogger(options: LoggerOptions = {}): Logger {
  const write =
    options.write ??
    ((line: string): void => {
      process.stderr.write(line);
    });
  return new JsonLogger({
    minLevel: LEVEL_ORDER[options.level ?? "info"],
    name: options.name ?? "",
    fixed: {},
    write,
    now: options.now ?? Date.now,
  });
}

/** A logger that drops everything (tests, optional logging). */
export function discardLogger(): Logger {
  return createLogger({ level: "error", write: () => undefined });
}

interface JsonLoggerState {
  readonly minLevel: number;
  readonly name: string;
  readonly fixed: LogFields;
  readonly write: (line: string) => void;
  readonly now: () => number;
}

class JsonLogger implements Logger {
  readonly #s: JsonLoggerState;

  constructor(state: JsonLoggerState) {
    this.#s = state;
  }

  debug(msg: string, fields?: LogFields): void {
    this.#log("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.#log("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.#log("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.#log("error", msg, fields);
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_ORDER[level] >= this.#s.minLevel;
  }

  child(fields: LogFields, name?: string): Logger {
    const childName = name === undefined ? this.#s.name : joinName(this.#s.name, name);
    return new JsonLogger({ ...this.#s, name: childName, fixed: { ...this.#s.fixed, ...fields } });
  }

  #log(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (!this.enabled(level)) return;
    const line: Record<string, unknown> = {
      level,
      ts: new Date(this.#s.now()).toISOString(),
      logger: this.#s.name,
      msg: redact(msg),
    };
    addFields(line, this.#s.fixed);
    if (fields !== undefined) addFields(line, fields);
    this.#s.write(`${safeStringify(line)}\n`);
  }
}

function joinName(parent: string, name: string): string {
  return parent === "" ? name : `${parent}.${name}`;
}

function addFields(line: Record<string, unknown>, fields: LogFields): void {
  const redacted = redact(fields) as Record<string, unknown>;
  for (const [k, v] of Object.entries(redacted)) {
    line[RESERVED.has(k) ? `field.${k}` : k] = v;
  }
}

function safeStringify(line: Record<string, unknown>): string {
  try {
    return JSON.stringify(line);
  } catch {
    // Cycles or exotic values: never let logging throw.
    return JSON.stringify({ level: line["level"], ts: line["ts"], msg: line["msg"] });
  }
}
