// Value decoding strategies of ESO (`decodingStrategy`, and templateFrom's
// `valuesDecodingStrategy`), with Go's encoding/base64 rules: padding is
// required, `\r` and `\n` are ignored, any other stray character is an
// error. Node's Buffer decoder is lenient and would silently drop bad
// characters, turning a plain value into garbage under `Auto`.

export type DecodingStrategy = "Auto" | "Base64" | "Base64URL" | "None";

export class DecodingError extends Error {
  constructor(strategy: string, detail: string) {
    super(`could not decode the value with decodingStrategy ${strategy}: ${detail}`);
    this.name = "DecodingError";
  }
}

const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL = /^[A-Za-z0-9_-]*={0,2}$/;

function strictBase64(value: Uint8Array, alphabet: RegExp, name: string): Uint8Array {
  const text = Buffer.from(value)
    .toString("latin1")
    .replace(/[\r\n]/g, "");
  if (text.length % 4 !== 0 || !alphabet.test(text)) {
    throw new DecodingError(name, "not valid base64 (wrong alphabet, length or padding)");
  }
  const body = text.replace(/=+$/, "");
  if (text.length - body.length > 0 && body.length % 4 === 1) {
    throw new DecodingError(name, "not valid base64 (wrong alphabet, length or padding)");
  }
  return new Uint8Array(Buffer.from(body, name === "Base64URL" ? "base64url" : "base64"));
}

/** Decodes `value` as `strategy` says; unknown strategies are an error, as in ESO. */
export function decode(strategy: string | undefined, value: Uint8Array): Uint8Array {
  switch (strategy) {
    case undefined:
    case "":
    case "None":
      return value;
    case "Base64":
      return strictBase64(value, STD, "Base64");
    case "Base64URL":
      return strictBase64(value, URL, "Base64URL");
    case "Auto":
      return decodeAuto(value);
    default:
      throw new DecodingError(strategy, "unsupported strategy");
  }
}

/** Auto: base64, else base64url, else the value unchanged. */
function decodeAuto(value: Uint8Array): Uint8Array {
  for (const strategy of ["Base64", "Base64URL"] as const) {
    try {
      return decode(strategy, value);
    } catch {
      // try the next alphabet
    }
  }
  return value;
}

/** Applies `decode` to every value of a map. */
export function decodeMap(
  strategy: string | undefined,
  data: ReadonlyMap<string, Uint8Array>,
): Map<string, Uint8Array> {
  return new Map([...data].map(([k, v]) => [k, decode(strategy, v)]));
}
