// Errors and limits shared by the engine and its functions.

export type TemplateErrorKind = "parse" | "exec" | "limit";

/** A template failed to parse or execute. The message never contains data values. */
export class TemplateError extends Error {
  readonly kind: TemplateErrorKind;
  constructor(kind: TemplateErrorKind, message: string) {
    super(message);
    this.name = "TemplateError";
    this.kind = kind;
  }
}

/** Thrown by a template function: becomes `error calling NAME: MESSAGE`. */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuncError";
  }
}

/** Thrown when an execution limit is hit. */
export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimitError";
  }
}

export interface Limits {
  /** Maximum bytes of output (and of any single string a function builds). */
  readonly maxOutputBytes: number;
  /** Maximum execution steps (nodes walked, commands and calls evaluated). */
  readonly maxSteps: number;
  /** Maximum nesting of {{template}} calls. */
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxOutputBytes: 1 << 20,
  maxSteps: 1_000_000,
  maxDepth: 1000,
};

let active: Limits = DEFAULT_LIMITS;

/** The limits of the execution in progress (execution is synchronous). */
export function activeLimits(): Limits {
  return active;
}

export function setActiveLimits(l: Limits): Limits {
  const prev = active;
  active = l;
  return prev;
}

/** Functions call this before building a value of n bytes or elements. */
export function checkSize(n: number): void {
  if (n > active.maxOutputBytes) {
    throw new LimitError(
      `value of ${n} bytes exceeds the output limit of ${active.maxOutputBytes} bytes`,
    );
  }
}
