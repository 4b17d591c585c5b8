/**
 * Intl formatters, made once per locale and options. Constructing an
 * Intl.DateTimeFormat costs tens of microseconds; made per chart point it was
 * a tenth of a /usage render's CPU.
 */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    // Bounded by the time zones in use times the handful of option sets in the code.
    if (dateTimeFormats.size > 2000) dateTimeFormats.clear();
    f = new Intl.DateTimeFormat(locale, options);
    dateTimeFormats.set(key, f);
  }
  return f;
}

const plural = (n: number, unit: string) => `${n.toLocaleString("en-US")} ${unit}${n === 1 ? "" : "s"}`;

/**
 * A duration in the largest whole units people read: 3600 → "1 hour",
 * 90 → "1 minute 30 seconds", 0 → "0 seconds". Every page, emblem, notice
 * and email says durations this one way.
 */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s === 0) return "0 seconds";
  const units: [number, string][] = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(plural(n, unit));
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** "30 days", "1 day": a count of days. */
export function formatDays(n: number): string {
  return plural(n, "day");
}

/** A calendar date in the org's time zone: "Dec 2, 2026". */
export function formatDate(iso: string | Date, timeZone: string): string {
  return dateTimeFormat("en-US", { timeZone, year: "numeric", month: "short", day: "numeric" }).format(new Date(iso));
}

/** A moment in the org's time zone, with the zone named: "Dec 2, 2026, 09:15 AM GMT+1". The one format of pages, notices and emails. */
export function formatDateTime(iso: string | Date, timeZone: string): string {
  return dateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(iso));
}

/** The zone's offset from UTC at an instant, in milliseconds (Berlin in winter: 3,600,000). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const parts = dateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(instant);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** An instant as ISO 8601 in a time zone, with its offset: "2026-11-01T00:00:00+01:00" (machine-readable, for exports). */
export function isoInZone(instant: Date, timeZone: string): string {
  const off = zoneOffsetMs(instant, timeZone);
  const wall = new Date(Math.floor(instant.getTime() / 1000) * 1000 + off).toISOString().slice(0, 19);
  const m = Math.round(Math.abs(off) / 60_000);
  return `${wall}${off < 0 ? "-" : "+"}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** The instant a calendar day (YYYY-MM-DD) starts in a time zone. */
export function zonedDayStart(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let t = midnightUtc - zoneOffsetMs(new Date(midnightUtc), timeZone);
  // Once more at the instant found: the offset there can differ across a DST change.
  t = midnightUtc - zoneOffsetMs(new Date(t), timeZone);
  return new Date(t);
}
