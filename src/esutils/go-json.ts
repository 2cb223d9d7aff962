// Go's encoding/json output for the JSON Ferry builds itself (rewrite merge,
// provider push bodies). Providers reach it here; the one implementation is
// the template engine's, so these bytes and a template's toJson are ESO's.
export { goJsonMarshal, type JsonValue } from "../template/go-json.ts";
