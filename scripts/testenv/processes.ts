// Starting, watching and stopping the background processes of the test
// environment. Each component runs detached in its own process group, logs to
// a file, and is stopped by its recorded PID.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export class ComponentError extends Error {
  readonly component: string;

  constructor(component: string, message: string) {
    super(`${component}: ${message}`);
    this.name = "ComponentError";
    this.component = component;
  }
}

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
}

export interface StartSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a detached process whose output goes to a log file. */
export function startProcess(spec: StartSpec): Started {
  const log = openSync(spec.logFile, "a");
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ["ignore", log, log],
      env: spec.env ?? process.env,
    });
    if (child.pid === undefined) {
      throw new ComponentError(spec.name, `could not start ${spec.command}`);
    }
    child.unref();
    return { name: spec.name, pid: child.pid, logFile: spec.logFile };
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** What "ready" means, for the error message. */
  readonly what: string;
}

/**
 * Polls `probe` until it returns true. Fails as soon as the process exits, or
 * when the timeout passes, with the tail of the component's log.
 */
export async function waitReady(
  proc: Started,
  probe: () => Promise<boolean>,
  opts: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(proc.pid)) {
      throw new ComponentError(
        proc.name,
        `exited before ${opts.what}. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new ComponentError(
    proc.name,
    `not ${opts.what} after ${opts.timeoutMs / 1000}s. Last lines of ${proc.logFile}:\n${logTail(proc.logFile)}`,
  );
}

/** Stops a process group: SIGTERM, then SIGKILL after a grace period. */
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (!isAlive(pid)) return;
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal("SIGKILL");
}

/** A free TCP port on 127.0.0.1 (the OS picks it; we release it right away). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}
