// The golden template cases (test/golden/template): their shape, how Ferry
// renders one, and how error messages are compared with Go's. Shared by the
// golden unit test and scripts/template-oracle/compare.ts.
import { join } from "node:path";
import { TemplateError, compile, dataContext, fromJSON } from "../index.ts";

export interface GoldenCase {
  name: string;
  template: string;
  data?: unknown;
  delims?: [string, string];
  jsonData?: boolean;
}

export interface GoldenResult {
  name: string;
  output?: string;
  error?: string;
}

export const GOLDEN_DIR = join(import.meta.dirname, "..", "..", "..", "test", "golden", "template");

/** Renders a case as Go would see it: ESO's string map, or decoded JSON when jsonData is set. */
export function renderCase(c: GoldenCase): GoldenResult {
  try {
    const t = compile(c.template, {
      name: c.name,
      ...(c.delims === undefined ? {} : { leftDelim: c.delims[0], rightDelim: c.delims[1] }),
    });
    const dot =
      c.jsonData === true
        ? fromJSON(c.data)
        : dataContext((c.data ?? {}) as Record<string, string>);
    return { name: c.name, output: Buffer.from(t.executeValue(dot)).toString("utf8") };
  } catch (e) {
    if (e instanceof TemplateError) return { name: c.name, error: e.message };
    throw e;
  }
}

/** Error messages must agree on kind and location: "template: NAME:LINE[:COL]: ...". */
export function errorLocation(msg: string): string {
  return /^template: [^:]*:(\d+(?::\d+)?):/.exec(msg)?.[1] ?? msg;
}
