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

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-01-31")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "must be a real calendar date");

const RangeParams = z.union([
  z.object({ range: z.enum(["24h", "7d", "30d", "90d"]).default("30d") }),
  z.object({ range: z.literal("custom"), from: isoDate, to: isoDate }),
]);

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Parses `range`, `from`, `to` from a query string. Bad input is an
 * AppError("invalid") naming the fields, never echoing their values.
 */
export function parseRangeParams(params: Record<string, string | string[] | undefined>): RangeInput {
  const range = first(params.range);
  if (range === "custom") {
    const fields: string[] = [];
    const from = isoDate.safeParse(first(params.from));
    const to = isoDate.safeParse(first(params.to));
    if (!from.success) fields.push("from");
    if (!to.success) fields.push("to");
    if (fields.length) throw new AppError("invalid", `A custom range needs ${fields.join(" and ")} as a date like 2026-01-31`, { fields });
    if (from.data! > to.data!) throw new AppError("invalid", "The range must start on or before its end", { fields: ["from", "to"] });
    const days = dayDiff(from.data!, to.data!) + 1;
    if (days > MAX_CUSTOM_DAYS) throw new AppError("invalid", `A custom range can cover at most ${MAX_CUSTOM_DAYS} days`, { fields: ["from", "to"] });
    return { key: "custom", from: from.data!, to: to.data! };
  }
  const parsed = RangeParams.safeParse({ range });
  if (!parsed.success || parsed.data.range === "custom") {
    throw new AppError("invalid", `range must be one of ${RANGE_KEYS.join(", ")}`, { fields: ["range"] });
  }
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
