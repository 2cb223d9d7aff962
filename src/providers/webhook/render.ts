// Rendering the store's templates (url, headers, body, result.jsonPath)
// with the engine ESO uses (Go text/template + sprig), and keeping secret
// values out of every message this provider produces.
//
// One difference from ESO: its webhook templates run with Go's default
// `missingkey` option, where a missing key renders "<no value>"; Ferry's
// engine only has missingkey=error, so such a template fails with an error
// that names the key instead of sending "<no value>" to the endpoint.
import { compile, TemplateError, type GoValue } from "../../template/index.ts";
import { ProviderError } from "../errors.ts";
import { TEMPLATE_NAME } from "./spec.ts";

/** Output bound of one template (a pushed Secret can approach 1 MiB, JSON-escaped). */
const MAX_OUTPUT_BYTES = 8 << 20;

/** Replaces every secret value (3 characters or more) in a message. */
export class Redactor {
  readonly #values: string[];

  constructor(values: Iterable<string> = []) {
    // longest first, so a value containing another is replaced whole
    this.#values = [...new Set(values)]
      .filter((v) => v.length >= 3)
      .sort((a, b) => b.length - a.length);
  }

  with(values: Iterable<string>): Redactor {
    return new Redactor([...this.#values, ...values]);
  }

  text(message: string): string {
    let out = message;
    for (const v of this.#values) if (out.includes(v)) out = out.replaceAll(v, "[redacted]");
    return out;
  }

  /**
   * The same error (same class and code, so a NoSecretError stays one) with
   * a redacted message and no stack, which would repeat the original text.
   */
  error(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const message = this.text(err.message);
    if (message === err.message) return err;
    const copy = Object.create(Object.getPrototypeOf(err) as object) as Error;
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(err));
    copy.message = message;
    copy.stack = `${err.name}: ${message}`;
    delete copy.cause;
    return copy;
  }
}

/** Renders `source` with `data`; "" renders "" (as ESO). `what` names the field in errors. */
export function renderTemplate(
  what: string,
  source: string | undefined,
  data: GoValue,
  redactor: Redactor,
): Uint8Array {
  if (source === undefined || source === "") return new Uint8Array();
  try {
    return compile(source, { name: TEMPLATE_NAME }).executeValue(data, {
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new ProviderError(
        "InvalidStore",
        `failed to parse ${what}: ${redactor.text(err.message)}`,
      );
    }
    throw err;
  }
}

export function renderText(
  what: string,
  source: string | undefined,
  data: GoValue,
  redactor: Redactor,
): string {
  return Buffer.from(renderTemplate(what, source, data, redactor)).toString("utf8");
}
