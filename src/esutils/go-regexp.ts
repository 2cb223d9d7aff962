// Go/RE2 regular expressions as ESO users write them (`rewrite.regexp`,
// `find.name.regexp`). Compilation errors name the pattern; matching and
// Go's replacement semantics are the template engine's (src/template/go-regexp.ts),
// the one implementation in Ferry.
import type { RE2JS } from "re2js";
import { re2js } from "../template/go-regexp.ts";

export { expandTemplate, replaceAllGo, replaceAllGoFunc } from "../template/go-regexp.ts";

export class RegexpError extends Error {
  constructor(pattern: string, cause: unknown) {
    super(
      `invalid regular expression ${JSON.stringify(pattern)}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "RegexpError";
  }
}

/** Compiles a Go/RE2 regular expression; a syntax error names the pattern. */
export function compileGoRegexp(pattern: string): RE2JS {
  try {
    // re2js loads on the first compile (start-up memory; see template/go-regexp.ts).
    return re2js().RE2JS.compile(pattern);
  } catch (err) {
    throw new RegexpError(pattern, err);
  }
}
