// Global setup of the end-to-end suite (node --test-global-setup): reuse a
// healthy running test environment, or bring one up and take it down again
// when the suite ends.
import { readTestEnv } from "../../scripts/testenv/env-file.ts";
import { down, isHealthy, up } from "../../scripts/testenv/environment.ts";

let startedHere = false;
const log = (line: string): void => {
  console.error(`testenv: ${line}`);
};

export async function globalSetup(): Promise<void> {
  const existing = readTestEnv();
  if (existing !== undefined && (await isHealthy(existing))) {
    log("reusing the running test environment");
    return;
  }
  await up(log);
  startedHere = true;
}

export async function globalTeardown(): Promise<void> {
  if (startedHere && process.env["FERRY_TESTENV_KEEP"] !== "1") await down(log);
}
