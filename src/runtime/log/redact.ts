// Logs must never contain secret values. Redaction works on field names (the
// payload of Secrets and anything named like a credential) and on a few value
// shapes that are credentials whatever field carries them.

export const REDACTED = "[REDACTED]";

/** Field names whose values are never logged, whatever their type. */
const SENSITIVE_NAME =
  /^(data|stringdata|binarydata|value|values|secretvalue|secretstring|secretbinary|plaintext|ciphertext)$|pass(word|wd|phrase)?$|token|credential|secret_?key|private_?key|api_?key|access_?key|client_?secret|authorization|cookie|cert_?data|key_?data|bearer/i;

/** Credential-looking substrings inside free text (error messages, URLs). */
const SENSITIVE_TEXT: readonly RegExp[] = [
  /\bBearer\s+[\w.~+/=-]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
  /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, // JWTs
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /([?&](token|password|secret|key|signature|sig)=)[^&\s]+/gi,
  /(\/\/[^/\s:@]+:)[^@\s/]+@/g, // user:password@ in URLs
];

const MAX_DEPTH = 6;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name);
}

export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SENSITIVE_TEXT) {
    out = out.replace(pattern, (match: string, prefix: unknown) =>
      typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** A JSON-safe copy of `value` with sensitive fields replaced by a marker. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return scalar(value);
  if (depth >= MAX_DEPTH) return "[…]";
  return redactObject(value, depth);
}

function redactObject(value: object, depth: number): unknown {
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Error) return redactError(value, depth);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, depth + 1));
  if (value instanceof Map) return `[Map(${value.size})]`;
  return redactRecord(value as Record<string, unknown>, depth);
}

/** Scalars serialise as themselves, except those JSON cannot carry. */
function scalar(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  return value;
}

function redactRecord(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(record)) {
    out[name] = isSensitiveName(name) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

function redactError(err: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: scrubText(err.message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number" || typeof code === "string") out["code"] = code;
  if (err.cause !== undefined) out["cause"] = redact(err.cause, depth + 1);
  return out;
}
