/**
 * The time ranges of the usage dashboard, resolved in the organization's time
 * zone. 24h reads the hourly rollup (UTC hours, labelled in the org's zone);
 * every other range reads the daily rollup, whose days are the org's calendar
 * days. Pure functions: no I/O.
 */
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { dateTimeFormat } from "@/lib/intl";

export const RANGE_KEYS = ["24h", "7d", "30d", "90d", "custom"] as const;
export type RangeKey = (typeof RANGE_KEYS)[number];

/** The longest custom range: the daily rollup keeps more, but a page of one year stays readable. */
export const MAX_CUSTOM_DAYS = 366;

export type RangeInput = { key: Exclude<RangeKey, "custom"> } | { key: "custom"; from: string; to: string };

type Window = { from: string; to: string };

export type ResolvedRange = {
  key: RangeKey;
  grain: "hour" | "day";
  timeZone: string;
  /** hour grain: ISO instants, `to` exclusive; day grain: calendar days, both inclusive. */
  current: Window;
  previous: Window;
  /** Every bucket of the current window, in order, so the series has no holes. */
  buckets: string[];
  /** The bucket (hour or day) that "now" falls in, still in progress: its numbers are partial. Null when the range has none. */
  inProgress: string | null;
  label: string;
};

const RangeParams = z.object({ range: z.enum(["24h", "7d", "30d", "90d"]).default("30d") });

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A calendar day for messages: "Feb 3, 2026" (the day itself, no time zone involved). */
function dayText(y: number, m: number, d: number): string {
  return `${MONTHS[m - 1]} ${d}, ${y}`;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

type DayCheck = { ok: true; day: string } | { ok: false; message: string };

/**
 * One date field of a custom range. The messages name the field and, for a
 * well-formed but impossible day, say which day ("Feb 30, 2026"): rebuilt
 * from its digits, never the raw value.
 */
function checkDay(label: "From" | "To", raw: string | undefined): DayCheck {
  if (raw === undefined || raw.trim() === "") return { ok: false, message: `${label} is empty: pick a date.` };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!m) return { ok: false, message: `${label} must be a date like 2026-01-31.` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return { ok: false, message: `${label}: there is no month ${mo}.` };
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > last) return { ok: false, message: `${label}: ${MONTHS[mo - 1]} ${d}, ${y} is not a date.` };
  return { ok: true, day: `${m[1]}-${m[2]}-${m[3]}` };
}

/** A day as the message of a range says it: "Dec 3, 2026". */
function say(day: string): string {
  return dayText(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
}

/**
 * Parses `range`, `from`, `to` from a query string. Bad input is an
 * AppError("invalid") whose message says what is wrong in plain words and
 * names the field (From, To); `details.fields` lists them. The raw values are
 * never echoed. `today` (the org's calendar day) makes a range that starts or
 * ends in the future an error.
 */
export function parseRangeParams(params: Record<string, string | string[] | undefined>, options: { today?: string } = {}): RangeInput {
  const range = first(params.range);
  if (range === "custom") {
    const from = checkDay("From", first(params.from));
    const to = checkDay("To", first(params.to));
    const bad = [from.ok ? null : { field: "from", message: from.message }, to.ok ? null : { field: "to", message: to.message }].filter((x) => x !== null);
    if (bad.length) throw new AppError("invalid", bad.map((b) => b.message).join(" "), { fields: bad.map((b) => b.field) });
    const f = (from as { day: string }).day;
    const t = (to as { day: string }).day;
    const { today } = options;
    if (today && f > today) throw new AppError("invalid", `The range starts in the future: From is after today, ${say(today)}.`, { fields: ["from"] });
    if (today && t > today) throw new AppError("invalid", `The range ends in the future: To is after today, ${say(today)}.`, { fields: ["to"] });
    if (f > t) throw new AppError("invalid", `The start is after the end: From (${say(f)}) is after To (${say(t)}).`, { fields: ["from", "to"] });
    const days = dayDiff(f, t) + 1;
    if (days > MAX_CUSTOM_DAYS) {
      throw new AppError("invalid", `The range covers ${days} days; a custom range covers at most ${MAX_CUSTOM_DAYS}. Move From or To closer.`, {
        fields: ["from", "to"],
      });
    }
    return { key: "custom", from: f, to: t };
  }
  const parsed = RangeParams.safeParse({ range });
  if (!parsed.success) throw new AppError("invalid", `The range must be one of ${RANGE_KEYS.join(", ")}.`, { fields: ["range"] });
  return { key: parsed.data.range };
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return dateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function dayDiff(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const HOUR = 3_600_000;
const DAYS: Record<"7d" | "30d" | "90d", number> = { "7d": 7, "30d": 30, "90d": 90 };

export function resolveRange(input: RangeInput, timeZone: string, now: Date = new Date()): ResolvedRange {
  if (input.key === "24h") {
    // The current hour counts, so the chart ends at "now".
    const end = Math.floor(now.getTime() / HOUR) * HOUR + HOUR;
    const start = end - 24 * HOUR;
    const buckets = Array.from({ length: 24 }, (_, i) => new Date(start + i * HOUR).toISOString());
    return {
      key: "24h",
      grain: "hour",
      timeZone,
      current: { from: new Date(start).toISOString(), to: new Date(end).toISOString() },
      previous: { from: new Date(start - 24 * HOUR).toISOString(), to: new Date(start).toISOString() },
      buckets,
      inProgress: buckets[buckets.length - 1],
      label: "Last 24 hours",
    };
  }
  let from: string;
  let to: string;
  if (input.key === "custom") {
    from = input.from;
    to = input.to;
  } else {
    to = localDate(now, timeZone);
    from = addDays(to, -(DAYS[input.key] - 1));
  }
  const days = dayDiff(from, to) + 1;
  const today = localDate(now, timeZone);
  return {
    key: input.key,
    grain: "day",
    timeZone,
    current: { from, to },
    previous: { from: addDays(from, -days), to: addDays(from, -1) },
    buckets: Array.from({ length: days }, (_, i) => addDays(from, i)),
    inProgress: today >= from && today <= to ? today : null,
    label: input.key === "custom" ? `${from} to ${to}` : `Last ${days} days`,
  };
}

/** The query string that reproduces a range (links, the CSV export). */
export function rangeSearch(input: RangeInput): string {
  const p = new URLSearchParams({ range: input.key });
  if (input.key === "custom") {
    p.set("from", input.from);
    p.set("to", input.to);
  }
  return p.toString();
}
