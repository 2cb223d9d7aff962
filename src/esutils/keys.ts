// Secret key handling of ESO: conversion of remote names into valid Secret
// keys (`conversionStrategy`), its reverse for PushSecret, validation after
// rewrites, and `nullBytePolicy`. Messages name keys (which are not secret)
// but never values.

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyError";
  }
}

const ALLOWED_RUNE = /^[\p{L}\p{N}._-]$/u;

function convertRune(rune: string, strategy: string | undefined): string {
  if (ALLOWED_RUNE.test(rune)) return rune;
  if (strategy === "Unicode") {
    return `_U${(rune.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}_`;
  }
  return "_";
}

/** One key under `Default` ("" and unset mean Default) or `Unicode`. */
export function convertKey(key: string, strategy: string | undefined): string {
  return Array.from(key, (rune) => convertRune(rune, strategy)).join("");
}

/** Converts every key; two remote names mapping to one key is an error. */
export function convertKeys<V>(
  data: ReadonlyMap<string, V>,
  strategy: string | undefined,
): Map<string, V> {
  const out = new Map<string, V>();
  for (const [key, value] of data) {
    const converted = convertKey(key, strategy);
    if (out.has(converted))
      throw new KeyError(`secret name collision during conversion: ${converted}`);
    out.set(converted, value);
  }
  return out;
}

/** PushSecret `ReverseUnicode`: `_U0024_` back to `$`. */
export function reverseUnicodeKey(key: string): string {
  return key.replace(/_U([0-9a-fA-F]{4,6})_/g, (_m, hex: string) =>
    String.fromCodePoint(parseInt(hex, 16)),
  );
}

export const MAX_KEY_LENGTH = 253;
const KEY_TIP = "invalid secret keys (TIP: use rewrite or conversionStrategy to change keys)";

function keyProblem(key: string): string | undefined {
  const length = Buffer.byteLength(key, "utf8");
  if (length > MAX_KEY_LENGTH) {
    return `key has length ${length} but max is ${MAX_KEY_LENGTH}: (following is truncated): ${key.slice(0, MAX_KEY_LENGTH)}`;
  }
  const bad = Array.from(key).find((rune) => !ALLOWED_RUNE.test(rune));
  if (bad !== undefined) {
    return `key has invalid character ${bad}, only alphanumeric, '-', '.' and '_' are allowed: ${key}`;
  }
  return undefined;
}

/**
 * ESO's ValidateKeys after rewrites: empty keys are dropped (a rewrite that
 * maps a name to nothing removes it); a key longer than 253 bytes or with a
 * character other than a letter, digit, `-`, `.` or `_` is an error.
 */
export function validateKeys<V>(data: ReadonlyMap<string, V>): Map<string, V> {
  const out = new Map<string, V>();
  for (const [key, value] of data) {
    if (key === "") continue;
    const problem = keyProblem(key);
    if (problem !== undefined) throw new KeyError(`${KEY_TIP}: ${problem}`);
    out.set(key, value);
  }
  return out;
}

/** `nullBytePolicy: Fail`: refuses values that contain a NUL byte. */
export function checkNullBytes(
  data: ReadonlyMap<string, Uint8Array>,
  policy: string | undefined,
  source: string,
): void {
  if (policy !== "Fail") return;
  for (const [key, value] of data) {
    if (value.includes(0)) {
      throw new KeyError(
        `${source}: the value of key ${JSON.stringify(key)} contains a null byte (nullBytePolicy=Fail)`,
      );
    }
  }
}
