// sprig date functions with Go's time layouts. "Local" is UTC; other zones come from
// the system's tz database like Go's LoadLocation (tzdata.ts), or Intl without one.
import { FuncError } from "../errors.ts";
import { GoNum, GoObject } from "../value.ts";
import type { GoValue } from "../value.ts";
import { fn } from "./conv.ts";
import { register } from "./index.ts";
import { zoneAtInstant } from "./tzdata.ts";

interface GoTime {
  /** Unix seconds and nanoseconds (UTC instant). */
  sec: number;
  nsec: number;
  /** Zone offset in seconds east of UTC and abbreviation ("" = numeric). */
  offset: number;
  zone: string;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

interface Fields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  min: number;
  sec: number;
  wday: number;
  yday: number;
}

function fields(t: GoTime): Fields {
  const d = new Date((t.sec + t.offset) * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    min: d.getUTCMinutes(),
    sec: d.getUTCSeconds(),
    wday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 86400000) + 1,
  };
}

const pad = (n: number, w: number, c = "0"): string => String(n).padStart(w, c);

function zoneOffset(t: GoTime, colon: boolean, secs: boolean, zulu: boolean): string {
  if (zulu && t.offset === 0) return "Z";
  const sign = t.offset < 0 ? "-" : "+";
  const a = Math.abs(t.offset);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor(a / 60) % 60, 2);
  const ss = pad(a % 60, 2);
  const sep = colon ? ":" : "";
  return secs ? `${sign}${hh}${sep}${mm}${sep}${ss}` : `${sign}${hh}${sep}${mm}`;
}

function fraction(nsec: number, digits: number, trim: boolean): string {
  let f = pad(nsec, 9).slice(0, digits);
  if (trim) f = f.replace(/0+$/, "");
  return f;
}

type Chunk = (t: GoTime, f: Fields) => string;

const CHUNKS: readonly [string, Chunk][] = [
  ["January", (_t, f) => MONTHS[f.month - 1] ?? ""],
  ["Jan", (_t, f) => (MONTHS[f.month - 1] ?? "").slice(0, 3)],
  ["Monday", (_t, f) => DAYS[f.wday] ?? ""],
  ["Mon", (_t, f) => (DAYS[f.wday] ?? "").slice(0, 3)],
  ["MST", (t) => (t.zone !== "" ? t.zone : zoneOffset(t, false, false, false))],
  ["002", (_t, f) => pad(f.yday, 3)],
  ["01", (_t, f) => pad(f.month, 2)],
  ["02", (_t, f) => pad(f.day, 2)],
  ["03", (_t, f) => pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2)],
  ["04", (_t, f) => pad(f.min, 2)],
  ["05", (_t, f) => pad(f.sec, 2)],
  ["06", (_t, f) => pad(f.year % 100, 2)],
  ["15", (_t, f) => pad(f.hour, 2)],
  ["1", (_t, f) => String(f.month)],
  ["2006", (_t, f) => pad(f.year, 4)],
  ["2", (_t, f) => String(f.day)],
  ["__2", (_t, f) => pad(f.yday, 3, " ")],
  ["_2", (_t, f) => pad(f.day, 2, " ")],
  ["3", (_t, f) => String(f.hour % 12 === 0 ? 12 : f.hour % 12)],
  ["4", (_t, f) => String(f.min)],
  ["5", (_t, f) => String(f.sec)],
  ["PM", (_t, f) => (f.hour >= 12 ? "PM" : "AM")],
  ["pm", (_t, f) => (f.hour >= 12 ? "pm" : "am")],
  ["-07:00:00", (t) => zoneOffset(t, true, true, false)],
  ["-070000", (t) => zoneOffset(t, false, true, false)],
  ["-07:00", (t) => zoneOffset(t, true, false, false)],
  ["-0700", (t) => zoneOffset(t, false, false, false)],
  ["-07", (t) => zoneOffset(t, false, false, false).slice(0, 3)],
  ["Z07:00:00", (t) => zoneOffset(t, true, true, true)],
  ["Z070000", (t) => zoneOffset(t, false, true, true)],
  ["Z07:00", (t) => zoneOffset(t, true, false, true)],
  ["Z0700", (t) => zoneOffset(t, false, false, true)],
  ["Z07", (t) => (t.offset === 0 ? "Z" : zoneOffset(t, false, false, false).slice(0, 3))],
];

const FRACTION = /^[.,](0+|9+)(?![0-9])/;

/** time.Time.Format. */
export function formatTime(t: GoTime, layout: string): string {
  const f = fields(t);
  let out = "";
  let i = 0;
  outer: while (i < layout.length) {
    const rest = layout.slice(i);
    const frac = FRACTION.exec(rest);
    if (frac !== null) {
      const digits = (frac[1] ?? "").length;
      const trim = (frac[1] ?? "").startsWith("9");
      const fr = fraction(t.nsec, digits, trim);
      if (!trim || fr !== "") out += (rest[0] ?? ".") + fr;
      i += frac[0].length;
      continue;
    }
    for (const [tok, chunk] of CHUNKS) {
      if (rest.startsWith(tok)) {
        out += chunk(t, f);
        i += tok.length;
        continue outer;
      }
    }
    out += rest[0] ?? "";
    i++;
  }
  return out;
}

export function timeString(t: GoTime): string {
  let s = formatTime(t, "2006-01-02 15:04:05.999999999 -0700 MST");
  if (t.zone === "" && t.offset !== 0) s = s.replace(/ ([+-]\d{4}) \1$/, " $1 $1");
  return s;
}

function timeObject(t: GoTime): GoObject {
  const f = fields(t);
  return new GoObject({
    typeName: "time.Time",
    kind: "struct",
    payload: t,
    str: () => timeString(t),
    json: () => formatTime(t, "2006-01-02T15:04:05.999999999Z07:00"),
    methods: {
      Year: () => f.year,
      Month: () =>
        new GoObject({
          typeName: "time.Month",
          kind: "int",
          payload: f.month,
          str: () => MONTHS[f.month - 1] ?? "",
          json: () => f.month,
          methods: {},
        }),
      Day: () => f.day,
      Hour: () => f.hour,
      Minute: () => f.min,
      Second: () => f.sec,
      Nanosecond: () => t.nsec,
      YearDay: () => f.yday,
      Unix: () => new GoNum("int64", t.sec),
      UnixNano: () => new GoNum("int64", t.sec * 1e9 + t.nsec),
      Format: (layout) => formatTime(t, layout as string),
      UTC: () => timeObject({ ...t, offset: 0, zone: "UTC" }),
      String: () => timeString(t),
      IsZero: () => t.sec === ZERO_SEC && t.nsec === 0,
    },
  });
}

const ZERO_SEC = -62135596800;
const ZERO: GoTime = { sec: ZERO_SEC, nsec: 0, offset: 0, zone: "UTC" };

function nowTime(): GoTime {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6, offset: 0, zone: "UTC" };
}

/** The zone of time.LoadLocation(zone) at sec: the tz database when the system has one, else Intl. */
function zoneAt(sec: number, zone: string): { offset: number; zone: string } {
  if (zone === "UTC" || zone === "Local" || zone === "") return { offset: 0, zone: "UTC" };
  const tz = zoneAtInstant(zone, sec);
  if (tz === null) return { offset: 0, zone: "UTC" }; // sprig: an unknown location is UTC
  if (tz !== undefined) return { offset: tz.offset, zone: tz.name };
  return intlZoneAt(sec, zone);
}

/** Without a tz database: offsets from Intl, abbreviations only where en-US has one. */
function intlZoneAt(sec: number, zone: string): { offset: number; zone: string } {
  try {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      timeZoneName: "longOffset",
    }).formatToParts(sec * 1000);
    const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    const offset =
      m === null ? 0 : (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
    const short =
      new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
        .formatToParts(sec * 1000)
        .find((p) => p.type === "timeZoneName")?.value ?? "";
    const abbrev = /^[A-Z]{3,5}$/.test(short)
      ? short
      : zoneOffset({ sec, nsec: 0, offset, zone: "" }, false, false, false).replace(/00$/, "");
    return { offset, zone: abbrev };
  } catch {
    return { offset: 0, zone: "UTC" };
  }
}

function toTime(date: GoValue): GoTime {
  if (date instanceof GoObject && date.typeName === "time.Time") return date.payload as GoTime;
  if (typeof date === "number") return { sec: date, nsec: 0, offset: 0, zone: "UTC" };
  if (date instanceof GoNum && (date.t === "int64" || date.t === "int32"))
    return { sec: date.v, nsec: 0, offset: 0, zone: "UTC" };
  return nowTime();
}

function formatDate(date: GoValue, layout: string, zone: string): string {
  const t = toTime(date);
  const z = zoneAt(t.sec, zone);
  return formatTime({ ...t, ...z }, layout);
}

// ---- parsing ----

interface ParseState {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  pm: boolean | undefined;
  offset: number | undefined;
  zone: string;
}

function num(s: string, i: number, min: number, max: number): [number, number] | undefined {
  let j = i;
  while (j < s.length && j - i < max && /[0-9]/.test(s[j] ?? "")) j++;
  if (j - i < min) return undefined;
  return [Number(s.slice(i, j)), j];
}

type Parser = (s: string, i: number, st: ParseState) => number | undefined;

const numField =
  (min: number, max: number, set: (st: ParseState, n: number) => void): Parser =>
  (s, i, st) => {
    const r = num(s, i, min, max);
    if (r === undefined) return undefined;
    set(st, r[0]);
    return r[1];
  };

const nameField =
  (
    names: readonly string[],
    len: number | undefined,
    set?: (st: ParseState, n: number) => void,
  ): Parser =>
  (s, i, st) => {
    const idx = names.findIndex((n) => s.startsWith(len === undefined ? n : n.slice(0, len), i));
    if (idx < 0) return undefined;
    set?.(st, idx + 1);
    return i + (len ?? names[idx]?.length ?? 0);
  };

function offsetParser(colon: boolean, zulu: boolean, hoursOnly: boolean): Parser {
  return (s, i, st) => {
    if (zulu && s[i] === "Z") {
      st.offset = 0;
      return i + 1;
    }
    const re = hoursOnly
      ? /^([+-])(\d{2})/
      : colon
        ? /^([+-])(\d{2}):(\d{2})/
        : /^([+-])(\d{2})(\d{2})/;
    const m = re.exec(s.slice(i));
    if (m === null) return undefined;
    st.offset = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60);
    return i + m[0].length;
  };
}

const PARSERS: readonly [string, Parser][] = [
  ["January", nameField(MONTHS, undefined, (st, n) => (st.month = n))],
  ["Jan", nameField(MONTHS, 3, (st, n) => (st.month = n))],
  ["Monday", nameField(DAYS, undefined)],
  ["Mon", nameField(DAYS, 3)],
  [
    "MST",
    (s, i, st) => {
      const m = /^[A-Z]{3,5}|^UTC/.exec(s.slice(i));
      if (m === null) return undefined;
      st.zone = m[0];
      if (m[0] === "UTC" || m[0] === "GMT") st.offset = 0;
      return i + m[0].length;
    },
  ],
  ["01", numField(2, 2, (st, n) => (st.month = n))],
  ["02", numField(2, 2, (st, n) => (st.day = n))],
  ["03", numField(2, 2, (st, n) => (st.hour = n))],
  ["04", numField(2, 2, (st, n) => (st.min = n))],
  ["05", numField(2, 2, (st, n) => (st.sec = n))],
  ["06", numField(2, 2, (st, n) => (st.year = n >= 69 ? 1900 + n : 2000 + n))],
  ["15", numField(1, 2, (st, n) => (st.hour = n))],
  ["1", numField(1, 2, (st, n) => (st.month = n))],
  ["2006", numField(4, 4, (st, n) => (st.year = n))],
  ["2", numField(1, 2, (st, n) => (st.day = n))],
  ["_2", (s, i, st) => numField(1, 2, (x, n) => (x.day = n))(s, s[i] === " " ? i + 1 : i, st)],
  ["3", numField(1, 2, (st, n) => (st.hour = n))],
  ["4", numField(1, 2, (st, n) => (st.min = n))],
  ["5", numField(1, 2, (st, n) => (st.sec = n))],
  [
    "PM",
    (s, i, st) =>
      /^(AM|PM)/.test(s.slice(i)) ? ((st.pm = s.startsWith("PM", i)), i + 2) : undefined,
  ],
  [
    "pm",
    (s, i, st) =>
      /^(am|pm)/.test(s.slice(i)) ? ((st.pm = s.startsWith("pm", i)), i + 2) : undefined,
  ],
  ["-07:00", offsetParser(true, false, false)],
  ["-0700", offsetParser(false, false, false)],
  ["-07", offsetParser(false, false, true)],
  ["Z07:00", offsetParser(true, true, false)],
  ["Z0700", offsetParser(false, true, false)],
  ["Z07", offsetParser(false, true, true)],
];

function parseFraction(s: string, i: number, st: ParseState): number {
  if ((s[i] === "." || s[i] === ",") && /[0-9]/.test(s[i + 1] ?? "")) {
    const r = num(s, i + 1, 1, 9) ?? [0, i + 1];
    const digits = r[1] - i - 1;
    st.nsec = r[0] * 10 ** (9 - digits);
    return r[1];
  }
  return i;
}

function parseTime(layout: string, value: string): GoTime {
  const st: ParseState = {
    year: 1,
    month: 1,
    day: 1,
    hour: 0,
    min: 0,
    sec: 0,
    nsec: 0,
    pm: undefined,
    offset: undefined,
    zone: "",
  };
  let li = 0;
  let vi = 0;
  const fail = (): never => {
    throw new FuncError(`parsing time: the value does not match the layout "${layout}"`);
  };
  outer: while (li < layout.length) {
    const rest = layout.slice(li);
    const frac = FRACTION.exec(rest);
    if (frac !== null) {
      li += frac[0].length;
      vi = parseFraction(value, vi, st);
      continue;
    }
    for (const [tok, p] of PARSERS) {
      if (rest.startsWith(tok)) {
        vi = p(value, vi, st) ?? fail();
        li += tok.length;
        vi = tok === "05" || tok === "5" ? parseFraction(value, vi, st) : vi;
        continue outer;
      }
    }
    if (value[vi] !== layout[li]) fail();
    li++;
    vi++;
  }
  if (vi !== value.length) fail();
  if (st.pm === true && st.hour < 12) st.hour += 12;
  if (st.pm === false && st.hour === 12) st.hour = 0;
  const ms = Date.UTC(st.year, st.month - 1, st.day, st.hour, st.min, st.sec);
  const check = new Date(ms);
  if (
    st.month < 1 ||
    st.month > 12 ||
    check.getUTCDate() !== st.day ||
    st.hour > 23 ||
    st.min > 59 ||
    st.sec > 59
  )
    fail();
  const sec = Math.floor(ms / 1000);
  const offset = st.offset ?? 0;
  const zone = st.offset === undefined || st.offset === 0 ? "UTC" : "";
  return { sec: sec - offset, nsec: st.nsec, offset, zone };
}

// ---- durations ----

function durationString(ns: number): string {
  if (ns === 0) return "0s";
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${u / 1e3}µs`;
    else out = `${u / 1e6}ms`;
  } else {
    const h = Math.floor(u / 3.6e12);
    u -= h * 3.6e12;
    const m = Math.floor(u / 6e10);
    u -= m * 6e10;
    const s = u / 1e9;
    out = `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${String(Math.round(s * 1e9) / 1e9)}s`;
  }
  return (neg ? "-" : "") + out;
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};

/** time.ParseDuration; undefined on error. */
function parseDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest.startsWith("-")) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  const re = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== "") {
    const m = re.exec(rest);
    if (m === null || m[1] === "" || m[1] === ".") return undefined;
    total += Number(m[1]) * (UNITS[m[2] ?? ""] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

function duration(sec: GoValue): GoValue {
  let n = 0;
  if (typeof sec === "string") n = /^[+-]?\d+$/.test(sec) ? Number(sec) : 0;
  else if (sec instanceof GoNum && sec.t === "int64") n = sec.v;
  return durationString(n * 1e9);
}

function durationRound(d: GoValue): GoValue {
  let ns = 0;
  if (typeof d === "string") ns = parseDuration(d) ?? 0;
  else if (d instanceof GoNum && d.t === "int64") ns = d.v;
  else if (d instanceof GoObject && d.typeName === "time.Time")
    ns = (nowTime().sec - (d.payload as GoTime).sec) * 1e9;
  const u = Math.abs(ns);
  const steps: [number, string][] = [
    [3.6e12 * 24 * 365, "y"],
    [3.6e12 * 24 * 30, "mo"],
    [3.6e12 * 24, "d"],
    [3.6e12, "h"],
    [6e10, "m"],
    [1e9, "s"],
  ];
  for (const [size, unit] of steps) if (u > size) return `${Math.floor(u / size)}${unit}`;
  return "0s";
}

function dateModify(fmt: GoValue, date: GoValue): GoValue {
  const d = parseDuration(fmt as string);
  if (d === undefined) return date;
  return addDuration(date, d);
}

function addDuration(date: GoValue, ns: number): GoValue {
  const t = (date as GoObject).payload as GoTime;
  const total = t.nsec + ns;
  const sec = t.sec + Math.floor(total / 1e9);
  return timeObject({ ...t, sec, nsec: ((total % 1e9) + 1e9) % 1e9 });
}

const S = "string" as const;
const A = "any" as const;

const dateInZone = fn([S, A, S], (f, d, z) => formatDate(d, f as string, z as string));

register({
  now: fn([], () => timeObject(nowTime())),
  date: fn([S, A], (f, d) => formatDate(d, f as string, "Local")),
  dateInZone,
  date_in_zone: dateInZone,
  htmlDate: fn([A], (d) => formatDate(d, "2006-01-02", "Local")),
  htmlDateInZone: fn([A, S], (d, z) => formatDate(d, "2006-01-02", z as string)),
  dateModify: fn([S, "time"], dateModify),
  date_modify: fn([S, "time"], dateModify),
  mustDateModify: fn([S, "time"], (f, d) => {
    const n = parseDuration(f as string);
    if (n === undefined) throw new FuncError(`time: invalid duration ${JSON.stringify(f)}`);
    return addDuration(d, n);
  }),
  must_date_modify: fn([S, "time"], (f, d) => {
    const n = parseDuration(f as string);
    if (n === undefined) throw new FuncError(`time: invalid duration ${JSON.stringify(f)}`);
    return addDuration(d, n);
  }),
  toDate: fn([S, S], (f, s) => {
    try {
      return timeObject(parseTime(f as string, s as string));
    } catch {
      return timeObject(ZERO);
    }
  }),
  mustToDate: fn([S, S], (f, s) => timeObject(parseTime(f as string, s as string))),
  unixEpoch: fn(["time"], (d) => String(((d as GoObject).payload as GoTime).sec)),
  duration: fn([A], duration),
  durationRound: fn([A], durationRound),
  ago: fn([A], (d) => {
    const t = toTime(d);
    const secs = nowTime().sec - t.sec;
    return durationString(Math.round(secs) * 1e9);
  }),
});
