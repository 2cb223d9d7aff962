// npm run bench [-- --n 10000 --shared-keys 10 --concurrent 16 --timeout 600 --yardstick]
// (builds dist/ first: the controller under test is dist/cli/main.js)
// The controller benchmark against the test environment (controller.ts),
// then (--yardstick) the same writes from a plain client without a
// controller (yardstick.ts), then the template engine's renders/s (template.ts).
// --skip-controller / --skip-template run only one of them.
import { parseBenchArgs } from "./measure.ts";
import { connect, leftoversGone, runControllerBench } from "./controller.ts";
import { runYardstick } from "./yardstick.ts";

const args = parseBenchArgs(process.argv.slice(2));

if (!args.skipController) {
  const result = await runControllerBench(args);
  const s1 = result.s1;
  const restart = result.restart;
  console.log("\nsummary vs targets (performance.md §4.5):");
  const rows: [string, string, string][] = [
    ["time to all Ready", `${s1.seconds.toFixed(1)} s`, "≤ 60 s at N=10k"],
    ["writes per ES during S1 (etcd)", (s1.etcdWrites / result.n).toFixed(2), "≈ 3"],
    ["etcd writes during restart", String(restart.etcdWrites), "0 (plus cluster noise)"],
    ["provider reads during restart", String(restart.providerReads), "0 when refreshTime recent"],
    ["provider reads per key (S1)", result.providerReadsPerKeyS1.toFixed(2), "≈ 1 per window"],
    [
      "controller peak RSS (S1)",
      `${s1.controllerPeakRssMiB.toFixed(1)} MiB`,
      "≤ 100 MB steady at 10k",
    ],
    [
      "controller RSS at the end (S1)",
      `${s1.controllerRssEndMiB.toFixed(1)} MiB`,
      "≤ 100 MB steady at 10k",
    ],
    [
      `controller RSS after ${String(result.settled.seconds)} s idle`,
      `${result.settled.rssMiB.toFixed(1)} MiB`,
      "≤ 100 MB steady at 10k",
    ],
  ];
  for (const [k, v, t] of rows) console.log(`  ${k.padEnd(34)} ${v.padStart(12)}   target ${t}`);
  console.log(
    `load average after: ${result.load.after.map((l) => l.toFixed(2)).join(" ")} on ${String(result.load.cpus)} CPUs`,
  );
  console.log(`BENCH_JSON ${JSON.stringify(result)}`);
}

if (args.yardstick) {
  const cluster = await connect();
  try {
    await leftoversGone(cluster);
    await runYardstick(cluster.client, cluster.env.kubernetes.etcdUrl, args);
  } finally {
    cluster.transport.close();
  }
}

if (!args.skipTemplate) {
  console.log("");
  await import("./template.ts");
}
