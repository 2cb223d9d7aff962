// Pure helpers of the controller benchmark: Prometheus text, /proc files,
// percentiles and the command line. Unit-tested in measure.test.ts.
import { parseArgs } from "node:util";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === undefined) return labels;
  for (const m of text.matchAll(LABEL)) {
    const [, key, value] = m;
    if (key !== undefined && value !== undefined) {
      labels[key] = value.replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    }
  }
  return labels;
}

/** Parses the Prometheus text exposition format (comments and timestamps ignored). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE_LINE.exec(line);
    if (m === null) continue;
    const [, name, labels, value] = m;
    if (name === undefined || value === undefined) continue;
    samples.push({ name, labels: parseLabels(labels), value: Number(value) });
  }
  return samples;
}

/** Sum of the series of `name` whose labels match every entry of `match`. */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY", "DELETECOLLECTION"]);

/** apiserver_request_total for mutating verbs, by "VERB resource[/subresource]". */
export function apiserverWrites(samples: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== "apiserver_request_total") continue;
    const verb = s.labels["verb"] ?? "";
    if (!MUTATING.has(verb)) continue;
    const sub = s.labels["subresource"] ?? "";
    const key = `${verb} ${s.labels["resource"] ?? ""}${sub === "" ? "" : `/${sub}`}`;
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

/** after − before per key, keeping only the keys that moved. */
export function deltaOf(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of after) {
    const d = value - (before.get(key) ?? 0);
    if (d !== 0) out.set(key, d);
  }
  return out;
}

export interface ProcMemory {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size since the process started, bytes. */
  readonly hwm: number;
}

/** VmRSS and VmHWM of a /proc/<pid>/status text. */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(text);
    return m?.[1] === undefined ? 0 : Number(m[1]) * 1024;
  };
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** utime + stime of a /proc/<pid>/stat text, in clock ticks. */
export function parseProcStatTicks(text: string): number {
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11] ?? 0) + Number(rest[12] ?? 0);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export interface BenchArgs {
  readonly n: number;
  readonly sharedKeys: number;
  readonly concurrent: number;
  readonly createInFlight: number;
  readonly timeoutMs: number;
  /** Idle time after S1 before the steady RSS is read. */
  readonly settleSeconds: number;
  /** Start the controller without the recommended node flags. */
  readonly plainNode: boolean;
  /** Also run the yardstick (yardstick.ts). */
  readonly yardstick: boolean;
  readonly skipTemplate: boolean;
  readonly skipController: boolean;
  readonly loglevel: string;
  /** Write V8 CPU profiles of the S1 controller into this directory (it is then stopped with SIGTERM, not SIGKILL). */
  readonly cpuProfDir: string | undefined;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} wants a positive integer, got "${raw}"`);
  return n;
}

/** `--n N --shared-keys K --concurrent C --in-flight F --timeout S --settle S --cpu-prof DIR --plain-node --yardstick --skip-template --skip-controller`. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      n: { type: "string" },
      "shared-keys": { type: "string" },
      concurrent: { type: "string" },
      "in-flight": { type: "string" },
      timeout: { type: "string" },
      settle: { type: "string" },
      loglevel: { type: "string" },
      "cpu-prof": { type: "string" },
      yardstick: { type: "boolean" },
      "plain-node": { type: "boolean" },
      "skip-template": { type: "boolean" },
      "skip-controller": { type: "boolean" },
    },
    strict: true,
  });
  return {
    n: positiveInt("n", values.n, 1000),
    sharedKeys: positiveInt("shared-keys", values["shared-keys"], 10),
    concurrent: positiveInt("concurrent", values.concurrent, 16),
    createInFlight: positiveInt("in-flight", values["in-flight"], 32),
    timeoutMs: positiveInt("timeout", values.timeout, 600) * 1000,
    settleSeconds: positiveInt("settle", values.settle, 30),
    yardstick: values.yardstick === true,
    plainNode: values["plain-node"] === true,
    skipTemplate: values["skip-template"] === true,
    skipController: values["skip-controller"] === true,
    loglevel: values.loglevel ?? "info",
    cpuProfDir: values["cpu-prof"],
  };
}
