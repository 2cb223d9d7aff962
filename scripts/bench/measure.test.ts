import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiserverWrites,
  deltaOf,
  parseBenchArgs,
  parsePrometheus,
  parseProcStatTicks,
  parseProcStatus,
  percentile,
  sumOf,
} from "./measure.ts";

const METRICS = `# HELP apiserver_request_total Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",group="external-secrets.io",resource="externalsecrets",scope="resource",subresource="",verb="POST",version="v1"} 1000
apiserver_request_total{code="200",component="apiserver",group="external-secrets.io",resource="externalsecrets",scope="resource",subresource="status",verb="PATCH",version="v1"} 12
apiserver_request_total{code="200",component="apiserver",group="",resource="secrets",scope="resource",subresource="",verb="APPLY",version="v1"} 7
apiserver_request_total{code="200",component="apiserver",group="",resource="secrets",scope="namespace",subresource="",verb="LIST",version="v1"} 3
ferry_externalsecret_provider_reads_total{source="provider"} 10
ferry_externalsecret_provider_reads_total{source="shared"} 1990
weird{msg="a \\"quoted\\" value"} 1.5e3
`;

describe("parsePrometheus", () => {
  it("reads names, labels and values", () => {
    const samples = parsePrometheus(METRICS);
    assert.equal(samples.length, 7);
    assert.equal(sumOf(samples, "ferry_externalsecret_provider_reads_total"), 2000);
    assert.equal(
      sumOf(samples, "ferry_externalsecret_provider_reads_total", { source: "shared" }),
      1990,
    );
    assert.equal(sumOf(samples, "weird", { msg: 'a "quoted" value' }), 1500);
  });

  it("groups mutating apiserver requests by verb and resource", () => {
    const writes = apiserverWrites(parsePrometheus(METRICS));
    assert.deepEqual(
      [...writes],
      [
        ["POST externalsecrets", 1000],
        ["PATCH externalsecrets/status", 12],
        ["APPLY secrets", 7],
      ],
    );
    const later = new Map(writes);
    later.set("APPLY secrets", 9);
    assert.deepEqual([...deltaOf(writes, later)], [["APPLY secrets", 2]]);
  });
});

describe("/proc parsing", () => {
  it("reads VmRSS and VmHWM in bytes", () => {
    const status = "Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\n";
    assert.deepEqual(parseProcStatus(status), { rss: 40960 * 1024, hwm: 81920 * 1024 });
  });

  it("reads utime + stime after a command name with spaces", () => {
    const stat = "4242 (node (main) x) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0";
    assert.equal(parseProcStatTicks(stat), 175);
  });
});

describe("percentile and arguments", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it("parses --n and --shared-keys with defaults", () => {
    assert.equal(parseBenchArgs([]).n, 1000);
    const args = parseBenchArgs(["--n", "10000", "--shared-keys", "1"]);
    assert.equal(args.n, 10000);
    assert.equal(args.sharedKeys, 1);
    assert.throws(() => parseBenchArgs(["--n", "0"]), /positive integer/);
  });
});
