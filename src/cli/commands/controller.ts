// `ferry controller`: runs the controllers until SIGTERM/SIGINT (ESO's
// `external-secrets` root command). Flags: ../controller/options.ts.
import type { Io } from "../command.ts";
import {
  CONTROLLER_USAGE,
  FlagError,
  parseControllerFlags,
  startController,
  type ParsedFlags,
} from "../controller/index.ts";
import { createLogger, shutdownSignal } from "../../runtime/index.ts";

export async function run(args: readonly string[], io: Io): Promise<number> {
  let parsed: ParsedFlags;
  try {
    parsed = parseControllerFlags(args);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr(`ferry controller: ${err.message}\n\n${CONTROLLER_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(CONTROLLER_USAGE);
    return 0;
  }
  const logger = createLogger({ level: parsed.options.logLevel, name: "ferry" });
  for (const flag of parsed.ignored)
    logger.warn("flag not implemented by Ferry; ignored", { flag });
  try {
    await startController(parsed.options, shutdownSignal(logger), { logger });
    return 0;
  } catch (err) {
    logger.error("controller failed", { err });
    return 1;
  }
}

// The command itself (name, summary, lazy run) is declared in ./index.ts;
// re-exported for callers that import it from this module.
export { controllerCommand } from "./index.ts";
