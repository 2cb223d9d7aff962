import { parseArgs } from "node:util";
import { newProviderRegistry } from "../../providers/all.ts";
import type { Io } from "../command.ts";
import { ManifestError, readManifests } from "../render/manifests.ts";
import { formatResults, renderAll } from "../render/render.ts";

const HELP = `Usage: ferry render -f FILE [-f FILE...] [--show-values]

Resolves every ExternalSecret in the given manifests against the
SecretStores and ClusterSecretStores declared beside them (no cluster
needed; ConfigMaps and Secrets in the files serve templateFrom and store
credentials), and prints the Secrets the controller would write.
Values are masked (length and a fingerprint valid for this run only) unless --show-values is given.

Flags:
  -f, --filename FILE          manifest file (repeatable)
      --show-values            print the real base64 data
      --template-left-delimiter / --template-right-delimiter  (default {{ and }})
  -h, --help
`;

export async function run(args: readonly string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        filename: { type: "string", short: "f", multiple: true },
        "show-values": { type: "boolean", default: false },
        "template-left-delimiter": { type: "string", default: "{{" },
        "template-right-delimiter": { type: "string", default: "}}" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (err) {
    io.stderr(`ferry render: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(HELP);
    return 0;
  }
  const files = parsed.filename ?? [];
  if (files.length === 0) {
    io.stderr(`ferry render: give at least one manifest with -f\n\n${HELP}`);
    return 2;
  }
  try {
    const manifests = readManifests(files);
    if (manifests.externalSecrets.length === 0) {
      io.stderr("ferry render: no ExternalSecret in the given manifests\n");
      return 1;
    }
    const registry = newProviderRegistry();
    const results = await renderAll(manifests, registry, {
      showValues: parsed["show-values"],
      delimiters: {
        leftDelim: parsed["template-left-delimiter"],
        rightDelim: parsed["template-right-delimiter"],
      },
    });
    await registry.close();
    io.stdout(formatResults(results));
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  } catch (err) {
    if (err instanceof ManifestError) {
      io.stderr(`ferry render: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

// The command itself (name, summary, lazy run) is declared in ./index.ts;
// re-exported for callers that import it from this module.
export { renderCommand } from "./index.ts";
