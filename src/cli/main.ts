#!/usr/bin/env node
// Entry point of the `ferry` command: the composition root of Ferry.
import { runCli } from "./run-cli.ts";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
