// A small JSON scanner that keeps the raw text of values. Go's
// json.RawMessage and gjson return nested values byte for byte as they stand
// in the source (spacing included), and ESO writes those bytes into Secrets;
// re-serialising a parsed value would change them. Errors never quote the
// input: secret values must not reach messages.

export class JsonSyntaxError extends Error {
  constructor(offset: number, expected: string) {
    super(`invalid JSON at byte offset ${offset}: expected ${expected}`);
    this.name = "JsonSyntaxError";
  }
}

/** A value found in JSON text: its raw source span. */
export interface RawValue {
  readonly start: number;
  readonly end: number;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

export function skipWhitespace(text: string, i: number): number {
  let j = i;
  while (j < text.length && WHITESPACE.has(text.charAt(j))) j++;
  return j;
}

/** Index just past the closing quote of the string starting at `i`. */
export function skipString(text: string, i: number): number {
  if (text.charAt(i) !== '"') throw new JsonSyntaxError(i, "a string");
  let j = i + 1;
  while (j < text.length) {
    const c = text.charAt(j);
    if (c === "\\") j += 2;
    else if (c === '"') return j + 1;
    else j++;
  }
  throw new JsonSyntaxError(text.length, "the end of a string");
}

function skipLiteral(text: string, i: number, literal: string): number {
  if (!text.startsWith(literal, i)) throw new JsonSyntaxError(i, "a JSON value");
  return i + literal.length;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function skipNumber(text: string, i: number): number {
  NUMBER.lastIndex = i;
  const match = NUMBER.exec(text);
  if (match === null || match[0].length === 0) throw new JsonSyntaxError(i, "a JSON value");
  return i + match[0].length;
}

function skipContainer(text: string, i: number, close: "}" | "]"): number {
  let j = skipWhitespace(text, i + 1);
  if (text.charAt(j) === close) return j + 1;
  for (;;) {
    if (close === "}") {
      j = skipWhitespace(text, skipString(text, j));
      if (text.charAt(j) !== ":") throw new JsonSyntaxError(j, "':'");
      j = skipWhitespace(text, j + 1);
    }
    j = skipWhitespace(text, skipValue(text, j));
    const c = text.charAt(j);
    if (c === close) return j + 1;
    if (c !== ",") throw new JsonSyntaxError(j, `',' or '${close}'`);
    j = skipWhitespace(text, j + 1);
  }
}

/** Index just past the JSON value that starts at `i` (no leading whitespace). */
export function skipValue(text: string, i: number): number {
  const c = text.charAt(i);
  if (c === "{") return skipContainer(text, i, "}");
  if (c === "[") return skipContainer(text, i, "]");
  if (c === '"') return skipString(text, i);
  if (c === "t") return skipLiteral(text, i, "true");
  if (c === "f") return skipLiteral(text, i, "false");
  if (c === "n") return skipLiteral(text, i, "null");
  return skipNumber(text, i);
}

/** Decodes the JSON string literal spanning [start, end). */
export function decodeString(text: string, start: number, end: number): string {
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    throw new JsonSyntaxError(start, "a valid string");
  }
}

/** The members of the object at `i`, in source order, with raw value spans. */
export function objectMembers(text: string, i: number): { key: string; value: RawValue }[] {
  if (text.charAt(i) !== "{") throw new JsonSyntaxError(i, "'{'");
  const members: { key: string; value: RawValue }[] = [];
  let j = skipWhitespace(text, i + 1);
  if (text.charAt(j) === "}") return members;
  for (;;) {
    const keyEnd = skipString(text, j);
    const key = decodeString(text, j, keyEnd);
    j = skipWhitespace(text, keyEnd);
    if (text.charAt(j) !== ":") throw new JsonSyntaxError(j, "':'");
    const start = skipWhitespace(text, j + 1);
    const end = skipValue(text, start);
    members.push({ key, value: { start, end } });
    j = skipWhitespace(text, end);
    if (text.charAt(j) === "}") return members;
    if (text.charAt(j) !== ",") throw new JsonSyntaxError(j, "',' or '}'");
    j = skipWhitespace(text, j + 1);
  }
}

/** The elements of the array at `i`, with raw spans. */
export function arrayElements(text: string, i: number): RawValue[] {
  if (text.charAt(i) !== "[") throw new JsonSyntaxError(i, "'['");
  const items: RawValue[] = [];
  let j = skipWhitespace(text, i + 1);
  if (text.charAt(j) === "]") return items;
  for (;;) {
    const end = skipValue(text, j);
    items.push({ start: j, end });
    j = skipWhitespace(text, end);
    if (text.charAt(j) === "]") return items;
    if (text.charAt(j) !== ",") throw new JsonSyntaxError(j, "',' or ']'");
    j = skipWhitespace(text, j + 1);
  }
}

/** Checks that `text` is exactly one JSON value (surrounding whitespace allowed). */
export function rootValue(text: string): RawValue {
  const start = skipWhitespace(text, 0);
  if (start >= text.length) throw new JsonSyntaxError(start, "a JSON value");
  const end = skipValue(text, start);
  if (skipWhitespace(text, end) !== text.length) throw new JsonSyntaxError(end, "the end of input");
  return { start, end };
}

/**
 * What Go's `json.Unmarshal(raw, &aString)` leaves in the string, else the
 * raw bytes: a JSON string decodes, `null` unmarshals into a string without
 * error and leaves it empty, anything else stays raw JSON.
 */
export function unquoteOrRaw(text: string, value: RawValue): string {
  const raw = text.slice(value.start, value.end);
  if (raw.startsWith('"')) return decodeString(text, value.start, value.end);
  return raw === "null" ? "" : raw;
}

/**
 * Go's `json.Unmarshal` into `map[string]json.RawMessage`, then each value
 * unquoted when it is a string (ESO's GetSecretMap): string members become
 * their decoded text, every other value its raw JSON bytes. Later duplicate
 * keys win, as in Go.
 */
export function jsonObjectToStringMap(text: string): Map<string, string> {
  const root = rootValue(text);
  if (text.charAt(root.start) !== "{") throw new JsonSyntaxError(root.start, "a JSON object");
  const result = new Map<string, string>();
  for (const { key, value } of objectMembers(text, root.start)) {
    result.set(key, unquoteOrRaw(text, value));
  }
  return result;
}
