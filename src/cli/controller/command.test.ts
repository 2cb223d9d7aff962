import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { controllerCommand } from "../commands/controller.ts";

function io(): {
  out: string[];
  err: string[];
  stdout: (t: string) => void;
  stderr: (t: string) => void;
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe("ferry controller command", () => {
  it("--help prints the flags and exits 0", async () => {
    const x = io();
    assert.equal(await controllerCommand.run(["--help"], x), 0);
    assert.match(x.out.join(""), /--store-requeue-interval/);
  });

  it("an invalid flag value exits 2 with the reason", async () => {
    const x = io();
    assert.equal(await controllerCommand.run(["--concurrent=zero"], x), 2);
    assert.match(x.err.join(""), /--concurrent/);
  });
});
