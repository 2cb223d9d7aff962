// npm run testenv -- up|down|status
//
// up:     builds or installs what is missing, starts etcd, kube-apiserver,
//         kube-controller-manager, OpenBao and moto on 127.0.0.1, and writes
//         .testenv/env.json (for tests) and .testenv/env.sh (for people).
// down:   stops them and removes the run directory.
// status: health of each component; exit code 1 when anything is unhealthy.
import { ComponentError } from "./processes.ts";
import { envFilePath, readTestEnv } from "./env-file.ts";
import { down, status, up } from "./environment.ts";

const log = (line: string): void => {
  console.error(`testenv: ${line}`);
};

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up":
      await up(log);
      console.log(envFilePath());
      return 0;
    case "down":
      await down(log);
      return 0;
    case "status": {
      const env = readTestEnv();
      if (env === undefined) {
        console.log("not running (no .testenv/env.json)");
        return 1;
      }
      const rows = await status(env);
      for (const row of rows)
        console.log(`${row.healthy ? "ok  " : "FAIL"} ${row.name}: ${row.detail}`);
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    case undefined:
    default:
      console.error("usage: npm run testenv -- up|down|status");
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv[2]);
} catch (err) {
  const component = err instanceof ComponentError ? err.component : "testenv";
  console.error(`testenv: FAILED to start ${component}\n${(err as Error).message}`);
  process.exitCode = 1;
}
