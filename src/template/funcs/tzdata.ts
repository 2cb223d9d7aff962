// Time zones as Go's time.LoadLocation finds them: the system's TZif files
// (the IANA tz database, which also names zone abbreviations such as "IST"
// or "CET" that Intl does not know), looked up per instant like Go's
// Location.lookup, including the POSIX TZ rule that extends the transitions.
// Reading a zone file is the engine's only I/O: it is what Go does too.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ZoneAt {
  /** Seconds east of UTC. */
  readonly offset: number;
  /** Abbreviation from the tz database ("IST", "CEST", "+04"). */
  readonly name: string;
}

interface Zone {
  readonly offset: number;
  readonly isDST: boolean;
  readonly name: string;
}

interface Transition {
  readonly when: number;
  readonly index: number;
}

interface Location {
  readonly zones: readonly Zone[];
  readonly tx: readonly Transition[];
  readonly extend: string;
}

/** Go's platformZoneSources (Linux), after $ZONEINFO when it names a directory. */
function zoneSources(): string[] {
  const env = process.env["ZONEINFO"];
  const platform = ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/"];
  platform.push("/etc/zoneinfo");
  return env === undefined || env === "" ? platform : [env, ...platform];
}

// ---- TZif (LoadLocationFromTZData) ----

class Reader {
  off = 0;
  readonly b: Buffer;
  constructor(b: Buffer) {
    this.b = b;
  }
  take(n: number): Buffer {
    if (this.off + n > this.b.length) throw new RangeError("short TZif data");
    const out = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
  u32(): number {
    return this.take(4).readUInt32BE(0);
  }
}

const N_TIME = 3;
const N_ZONE = 4;
const N_CHAR = 5;

function counts(r: Reader): number[] {
  return Array.from({ length: 6 }, () => r.u32());
}

/** Skips the 32-bit data block of a version 2+ file. */
function skipV1(r: Reader, n: readonly number[]): void {
  const [utcLocal = 0, stdWall = 0, leap = 0, time = 0, zone = 0, chars = 0] = n;
  r.take(time * 5 + zone * 6 + chars + leap * 8 + stdWall + utcLocal + 4 + 16);
}

function parseZones(data: Buffer, abbrev: Buffer): Zone[] {
  const zones: Zone[] = [];
  for (let i = 0; i + 6 <= data.length; i += 6) {
    const at = data[i + 5] ?? 0;
    if (at >= abbrev.length) throw new RangeError("bad abbreviation index");
    const end = abbrev.indexOf(0, at);
    zones.push({
      offset: data.readInt32BE(i),
      isDST: data[i + 4] !== 0,
      name: abbrev.subarray(at, end < 0 ? abbrev.length : end).toString("latin1"),
    });
  }
  return zones;
}

function parseTZif(b: Buffer): Location {
  const r = new Reader(b);
  if (r.take(4).toString("latin1") !== "TZif") throw new RangeError("not TZif");
  const version = r.take(16)[0] ?? 0;
  let n = counts(r);
  const is64 = version !== 0;
  if (is64) {
    skipV1(r, n);
    n = counts(r);
  }
  const size = is64 ? 8 : 4;
  const nTime = n[N_TIME] ?? 0;
  const times = r.take(nTime * size);
  const idx = r.take(nTime);
  const zones = parseZones(r.take((n[N_ZONE] ?? 0) * 6), r.take(n[N_CHAR] ?? 0));
  r.take((n[2] ?? 0) * (size + 4) + (n[1] ?? 0) + (n[0] ?? 0));
  const rest = b.subarray(r.off);
  const extend =
    rest.length > 2 && rest[0] === 10 && rest[rest.length - 1] === 10
      ? rest.subarray(1, -1).toString("latin1")
      : "";
  if (zones.length === 0) throw new RangeError("no zones");
  const tx: Transition[] = [];
  for (let i = 0; i < nTime; i++) {
    const when = is64 ? Number(times.readBigInt64BE(i * 8)) : times.readInt32BE(i * 4);
    const index = idx[i] ?? 0;
    if (index >= zones.length) throw new RangeError("bad zone index");
    tx.push({ when, index });
  }
  if (tx.length === 0) tx.push({ when: -Infinity, index: 0 });
  return { zones, tx, extend };
}

// ---- lookup ----

/** Go's lookupFirstZone: the zone before the first transition. */
function firstZone(l: Location): number {
  if (!l.tx.some((t) => t.index === 0)) return 0;
  const first = l.tx[0];
  if (first !== undefined && l.zones[first.index]?.isDST === true) {
    for (let zi = first.index - 1; zi >= 0; zi--) if (l.zones[zi]?.isDST === false) return zi;
  }
  const std = l.zones.findIndex((z) => !z.isDST);
  return std < 0 ? 0 : std;
}

function lookup(l: Location, sec: number): ZoneAt {
  const first = l.tx[0];
  if (first === undefined || sec < first.when) {
    const z = l.zones[firstZone(l)];
    return { offset: z?.offset ?? 0, name: z?.name ?? "UTC" };
  }
  let lo = 0;
  let hi = l.tx.length;
  while (hi - lo > 1) {
    const m = (lo + hi) >>> 1;
    if (sec < (l.tx[m]?.when ?? 0)) hi = m;
    else lo = m;
  }
  const t = l.tx[lo] ?? first;
  const z = l.zones[t.index];
  if (lo === l.tx.length - 1 && l.extend !== "") {
    const e = tzset(l.extend, sec);
    if (e !== undefined) return e;
  }
  return { offset: z?.offset ?? 0, name: z?.name ?? "UTC" };
}

// ---- POSIX TZ rules (Go's tzset) ----

interface Rule {
  readonly kind: "julian" | "doy" | "mwd";
  readonly day: number;
  readonly week: number;
  readonly mon: number;
  readonly time: number;
}

type Parsed<T> = [T, string] | undefined;

function tzName(s: string): Parsed<string> {
  if (s.startsWith("<")) {
    const end = s.indexOf(">");
    return end < 0 ? undefined : [s.slice(1, end), s.slice(end + 1)];
  }
  const m = /^[^0-9,+-]*/.exec(s)?.[0] ?? "";
  return m.length < 3 ? undefined : [m, s.slice(m.length)];
}

function tzNum(s: string, min: number, max: number): Parsed<number> {
  const m = /^[0-9]+/.exec(s)?.[0];
  if (m === undefined) return undefined;
  const n = Number(m);
  return n < min || n > max ? undefined : [n, s.slice(m.length)];
}

/** [+-]hh[:mm[:ss]] in seconds. */
function tzOffset(input: string): Parsed<number> {
  const neg = input.startsWith("-");
  const s = /^[+-]/.test(input) ? input.slice(1) : input;
  const h = tzNum(s, 0, 24 * 7);
  if (h === undefined) return undefined;
  let [off, rest] = [h[0] * 3600, h[1]];
  for (const unit of [60, 1]) {
    if (!rest.startsWith(":")) break;
    const p = tzNum(rest.slice(1), 0, 59);
    if (p === undefined) return undefined;
    off += p[0] * unit;
    rest = p[1];
  }
  return [neg ? -off : off, rest];
}

function tzRule(s: string): Parsed<Rule> {
  let rule: Rule;
  let rest: string;
  const mwd = /^M([0-9]+)\.([0-9]+)\.([0-9]+)/.exec(s);
  if (s.startsWith("J")) {
    const p = tzNum(s.slice(1), 1, 365);
    if (p === undefined) return undefined;
    [rule, rest] = [{ kind: "julian", day: p[0], week: 0, mon: 0, time: 7200 }, p[1]];
  } else if (mwd !== null) {
    const [mon, week, day] = [Number(mwd[1]), Number(mwd[2]), Number(mwd[3])];
    if (mon < 1 || mon > 12 || week < 1 || week > 5 || day > 6) return undefined;
    [rule, rest] = [{ kind: "mwd", day, week, mon, time: 7200 }, s.slice(mwd[0].length)];
  } else {
    const p = tzNum(s, 0, 365);
    if (p === undefined) return undefined;
    [rule, rest] = [{ kind: "doy", day: p[0], week: 0, mon: 0, time: 7200 }, p[1]];
  }
  if (!rest.startsWith("/")) return [rule, rest];
  const t = tzOffset(rest.slice(1));
  return t === undefined ? undefined : [{ ...rule, time: t[0] }, t[1]];
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** Seconds from the start of the year at which the rule applies (Go's tzruleTime). */
function ruleTime(year: number, r: Rule, off: number): number {
  let days: number;
  if (r.kind === "julian") days = r.day - 1 + (isLeap(year) && r.day >= 60 ? 1 : 0);
  else if (r.kind === "doy") days = r.day;
  else {
    const firstDow = new Date(Date.UTC(year, r.mon - 1, 1)).getUTCDay();
    const monthDays = new Date(Date.UTC(year, r.mon, 0)).getUTCDate();
    let d = (r.day - firstDow + 7) % 7;
    for (let i = 1; i < r.week && d + 7 < monthDays; i++) d += 7;
    days = (Date.UTC(year, r.mon - 1, 1) - Date.UTC(year, 0, 1)) / 86_400_000 + d;
  }
  return days * 86400 + r.time - off;
}

interface TzSpec {
  std: ZoneAt;
  dst: ZoneAt | undefined;
  rules: string;
}

function tzSpec(s: string): TzSpec | undefined {
  const std = tzName(s);
  const so = std && tzOffset(std[1]);
  if (std === undefined || so === undefined) return undefined;
  const stdZone = { name: std[0], offset: -so[0] };
  if (so[1] === "" || so[1].startsWith(",")) return { std: stdZone, dst: undefined, rules: "" };
  const dst = tzName(so[1]);
  if (dst === undefined) return undefined;
  if (dst[1] === "" || dst[1].startsWith(","))
    return { std: stdZone, dst: { name: dst[0], offset: stdZone.offset + 3600 }, rules: dst[1] };
  const dso = tzOffset(dst[1]);
  if (dso === undefined) return undefined;
  return { std: stdZone, dst: { name: dst[0], offset: -dso[0] }, rules: dso[1] };
}

/** The zone of sec under a POSIX TZ string, as Go's tzset computes it. */
function tzset(s: string, sec: number): ZoneAt | undefined {
  const spec = tzSpec(s);
  if (spec === undefined) return undefined;
  if (spec.dst === undefined) return spec.std;
  const rules = spec.rules === "" ? ",M3.2.0,M11.1.0" : spec.rules;
  if (!/^[,;]/.test(rules)) return undefined;
  const start = tzRule(rules.slice(1));
  if (start?.[1].startsWith(",") !== true) return undefined;
  const end = tzRule(start[1].slice(1));
  if (end?.[1] !== "") return undefined;
  const d = new Date(sec * 1000);
  const year = d.getUTCFullYear();
  const ysec = sec - Date.UTC(year, 0, 1) / 1000;
  let [a, b] = [ruleTime(year, start[0], spec.std.offset), ruleTime(year, end[0], spec.dst.offset)];
  let [outside, inside] = [spec.std, spec.dst];
  if (b < a) {
    [a, b] = [b, a];
    [outside, inside] = [inside, outside];
  }
  return ysec < a || ysec >= b ? outside : inside;
}

// ---- loading ----

const cache = new Map<string, Location | null>();
const CACHE_MAX = 1024;

function readZone(name: string): Location | null | undefined {
  let anySource = false;
  for (const dir of zoneSources()) {
    if (!existsSync(dir)) continue;
    anySource = true;
    try {
      return parseTZif(readFileSync(join(dir, name)));
    } catch {
      // not in this source (or not a TZif file): Go tries the next one
    }
  }
  return anySource ? null : undefined;
}

/**
 * The zone in effect at sec in the named location, as Go's LoadLocation and
 * Location.lookup give it. null: Go cannot load the location (sprig then
 * uses UTC). undefined: this machine has no tz database at all.
 */
export function zoneAtInstant(name: string, sec: number): ZoneAt | null | undefined {
  if (name.includes("..") || name.startsWith("/") || name.startsWith("\\") || name.includes("\0"))
    return null;
  let loc = cache.get(name);
  if (loc === undefined) {
    const read = readZone(name);
    if (read === undefined) return undefined;
    loc = read;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(name, loc);
  }
  return loc === null ? null : lookup(loc, sec);
}
