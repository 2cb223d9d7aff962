// Go's encoding/json output for plain JSON values (what JSON.parse returns),
// for code outside the engine: the encoder is the template engine's
// (funcs/json.ts), so toJson in a template and the JSON Ferry writes itself
// (rewrite merge, provider push bodies) are the same bytes ESO writes.
import { fromJSONValue, marshal } from "./funcs/json.ts";
import { fromBytes } from "./value.ts";

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * json.Marshal (escapeHtml true: <, > and & as \u003c, \u003e, \u0026) or an
 * Encoder with SetEscapeHTML(false), without the trailing newline. Object
 * keys are sorted by their UTF-8 bytes, floats printed as Go prints float64.
 */
export function goJsonMarshal(value: JsonValue, escapeHtml = true): string {
  return fromBytes(marshal(fromJSONValue(value), { escapeHTML: escapeHtml }));
}
