// `ferry template`: renders a template with ESO's data context, offline.
import { readFile } from "node:fs/promises";
import type { Io } from "../command.ts";
import { TemplateError, compile } from "../../template/index.ts";

const USAGE = `usage: ferry template [--values VALUES.json] [--template FILE]
                      [--left-delimiter STR] [--right-delimiter STR]

Renders FILE (standard input when --template is absent) as ESO's template
engine v2 does: Go text/template + sprig, missingkey=error, with the data
context read from VALUES.json (a JSON object of string values; default {}).
Prints the result to standard output.

  --values FILE             JSON object of strings: the data context
  --template FILE           the template (default: standard input)
  --left-delimiter STR      left action delimiter (default "{{")
  --right-delimiter STR     right action delimiter (default "}}")
  -h, --help                show this help
`;

interface Options {
  values?: string;
  template?: string;
  left?: string;
  right?: string;
  help: boolean;
}

const FLAGS: Readonly<Record<string, keyof Omit<Options, "help">>> = {
  "--values": "values",
  "--template": "template",
  "--left-delimiter": "left",
  "--template-left-delimiter": "left",
  "--right-delimiter": "right",
  "--template-right-delimiter": "right",
};

function parseArgs(args: readonly string[]): Options | string {
  const opts: Options = { help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "-h" || arg === "--help") {
      opts.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAGS[name];
    if (key === undefined) return `unknown argument: ${arg}`;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return `flag ${name} needs a value`;
    opts[key] = value;
  }
  return opts;
}

async function readValues(path: string | undefined): Promise<Record<string, string>> {
  if (path === undefined) return {};
  const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: values must be a JSON object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== "string")
      throw new Error(`${path}: value of key ${JSON.stringify(k)} is not a string`);
    out[k] = v;
  }
  return out;
}

async function readTemplate(path: string | undefined, io: Io): Promise<string> {
  if (path !== undefined) return readFile(path, "utf8");
  if (io.readStdin === undefined)
    throw new Error("no --template given and standard input is not available");
  return io.readStdin();
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const opts = parseArgs(args);
  if (typeof opts === "string") {
    io.stderr(`ferry template: ${opts}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const values = await readValues(opts.values);
    const source = await readTemplate(opts.template, io);
    const tmpl = compile(source, {
      name: "template",
      ...(opts.left === undefined ? {} : { leftDelim: opts.left }),
      ...(opts.right === undefined ? {} : { rightDelim: opts.right }),
    });
    io.stdout(tmpl.execute(values));
    return 0;
  } catch (e) {
    if (e instanceof TemplateError) io.stderr(`ferry template: ${e.message}\n`);
    else if (e instanceof SyntaxError)
      io.stderr(`ferry template: ${opts.values ?? "values"}: invalid JSON\n`);
    else io.stderr(`ferry template: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// The command itself (name, summary, lazy run) is declared in ./index.ts;
// re-exported for callers that import it from this module.
export { templateCommand } from "./index.ts";
