// moto server: AWS Secrets Manager, SSM Parameter Store and STS on loopback.
import { join } from "node:path";
import type { MotoEnv } from "./env-file.ts";
import { freePort, startProcess, waitReady, type Started } from "./processes.ts";
import { httpGet } from "./probes.ts";

export async function startMoto(
  motoServer: string,
  runDir: string,
  started: Started[],
): Promise<MotoEnv> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = startProcess({
    name: "moto",
    command: motoServer,
    args: ["-H", "127.0.0.1", "-p", String(port)],
    logFile: join(runDir, "logs", "moto.log"),
  });
  started.push(proc);
  await waitReady(proc, async () => (await httpGet(`${endpoint}/moto-api/`)).status === 200, {
    timeoutMs: 60_000,
    what: "serving (GET /moto-api/ = 200)",
  });
  // moto checks no signatures; any non-empty keys do.
  return { endpoint, region: "us-east-1", accessKeyId: "testing", secretAccessKey: "testing" };
}
