import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli, type Io } from "./run-cli.ts";

function capture(): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe("ferry cli", () => {
  it("prints usage with --help and exits 0", async () => {
    const io = capture();
    assert.equal(await runCli(["--help"], io), 0);
    assert.match(io.out.join(""), /Usage: ferry <command>/);
    assert.match(io.out.join(""), /version\s+print the version/);
  });

  it("prints the package version", async () => {
    const io = capture();
    assert.equal(await runCli(["version"], io), 0);
    assert.match(io.out.join(""), /^ferry \d+\.\d+\.\d+ \(node \d+/);
  });

  it("refuses an unknown command with exit code 2 and the usage on stderr", async () => {
    const io = capture();
    assert.equal(await runCli(["frobnicate"], io), 2);
    assert.match(io.err.join(""), /unknown command "frobnicate"/);
    assert.equal(io.out.length, 0);
  });
});
