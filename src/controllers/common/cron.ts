// Cron schedules as ESO's sync windows read them (robfig/cron's standard
// parser): five fields (minute hour day-of-month month day-of-week) with
// `*`, `?`, lists, ranges, steps and month/day names, the descriptors
// @yearly @annually @monthly @weekly @daily @midnight @hourly, and
// `@every <duration>`. Times are UTC.
import { parseGoDuration } from "../../esutils/go-duration.ts";

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  {
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export class CronError extends Error {
  constructor(expr: string, detail: string) {
    super(`invalid schedule ${JSON.stringify(expr)}: ${detail}`);
    this.name = "CronError";
  }
}

/** A parsed schedule: `next(t)` is the first activation strictly after t (ms). */
export interface Schedule {
  next(after: number): number;
}

interface FieldSet {
  readonly values: ReadonlySet<number>;
  /** `*` or `?` (robfig's star bit): matters for the day-of-month/day-of-week rule. */
  readonly star: boolean;
}

function parseValue(text: string, field: Field, expr: string): number {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = named >= 0 ? named + field.min : Number(text);
  if (!/^\d+$/.test(text) && named < 0) throw new CronError(expr, `bad value "${text}"`);
  if (value < field.min || value > field.max) {
    throw new CronError(expr, `value ${value} out of range [${field.min}, ${field.max}]`);
  }
  return value;
}

/** [start, end] of a range part: `*`, `N`, `N-M`, or `N` with a step (N to max). */
function bounds(rangeText: string, hasStep: boolean, field: Field, expr: string): [number, number] {
  if (rangeText === "*" || rangeText === "?") return [field.min, field.max];
  const [low = "", high] = rangeText.split("-");
  const start = parseValue(low, field, expr);
  if (high !== undefined) return [start, parseValue(high, field, expr)];
  return [start, hasStep ? field.max : start];
}

function parseRange(part: string, field: Field, expr: string): FieldSet {
  const [rangeText = "", stepText] = part.split("/");
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new CronError(expr, `bad step in "${part}"`);
  const [start, end] = bounds(rangeText, stepText !== undefined, field, expr);
  if (end < start) throw new CronError(expr, `range "${part}" ends before it starts`);
  const values = new Set<number>();
  for (let v = start; v <= end; v += step) values.add(v);
  const star = rangeText === "*" || rangeText === "?";
  return { values, star: star && step === 1 };
}

function parseField(text: string, field: Field, expr: string): FieldSet {
  const sets = text.split(",").map((part) => parseRange(part, field, expr));
  return { values: new Set(sets.flatMap((s) => [...s.values])), star: sets.some((s) => s.star) };
}

class CronSchedule implements Schedule {
  readonly #fields: readonly FieldSet[];

  constructor(fields: readonly FieldSet[]) {
    this.#fields = fields;
  }

  #field(i: number): FieldSet {
    const field = this.#fields[i];
    if (field === undefined) throw new Error("cron: missing field");
    return field;
  }

  #dayMatches(d: Date): boolean {
    const dom = this.#field(2);
    const dow = this.#field(4);
    const domMatch = dom.values.has(d.getUTCDate());
    const dowMatch = dow.values.has(d.getUTCDay());
    return dom.star || dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(after: number): number {
    const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
    const limit = after + 5 * 366 * 86_400_000;
    while (d.getTime() <= limit) {
      if (!this.#field(3).values.has(d.getUTCMonth() + 1)) {
        d.setUTCMonth(d.getUTCMonth() + 1, 1);
        d.setUTCHours(0, 0, 0, 0);
      } else if (!this.#dayMatches(d)) {
        d.setUTCDate(d.getUTCDate() + 1);
        d.setUTCHours(0, 0, 0, 0);
      } else if (!this.#field(1).values.has(d.getUTCHours())) {
        d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      } else if (!this.#field(0).values.has(d.getUTCMinutes())) {
        d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      } else {
        return d.getTime();
      }
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** robfig's ConstantDelaySchedule: every `delay` from the (second-truncated) time asked about. */
class EverySchedule implements Schedule {
  readonly #delay: number;

  constructor(delay: number) {
    this.#delay = Math.max(1000, Math.floor(delay / 1000) * 1000);
  }

  next(after: number): number {
    return Math.floor(after / 1000) * 1000 + this.#delay;
  }
}

export function parseCron(expr: string): Schedule {
  const trimmed = expr.trim();
  if (trimmed.startsWith("@every ")) {
    try {
      return new EverySchedule(parseGoDuration(trimmed.slice(7).trim()));
    } catch (err) {
      throw new CronError(expr, (err as Error).message);
    }
  }
  const spec = DESCRIPTORS[trimmed] ?? trimmed;
  const parts = spec.split(/\s+/);
  if (parts.length !== 5) throw new CronError(expr, `expected 5 fields, found ${parts.length}`);
  return new CronSchedule(
    parts.map((part, i) => parseField(part, FIELDS[i] ?? { min: 0, max: 0 }, expr)),
  );
}
