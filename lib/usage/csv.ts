/**
 * The CSV export of the usage dashboard: the same numbers the page shows,
 * metadata only (counts, amounts per unit, latencies, keys), never content.
 *
 * Layout: one section per table, as spreadsheets read it well (each section
 * pastes or filters as a table of its own, and every column keeps one meaning):
 *
 *   <Section title>            one field: "Totals", "Per day", "By API key" …
 *   <header line>              the section's own columns
 *   <rows>
 *   <blank line>               between sections
 *
 * Sections, in order: "Usage export" (organization, time zone, range,
 * project filter, notes), "Totals", "Totals by unit", "Per hour" or "Per day",
 * the same "… by unit", then "By product", "By model", "By API key",
 * "By project", each followed by its "… by unit".
 *
 * Units: each product counts in its own unit (tokens, characters, seconds of
 * audio: lib/usage/products.ts), so amounts are never summed across units.
 * The "… by unit" sections hold one row per direction (input or output) and
 * unit, with the unit in its own column. Requests and errors are counts of
 * requests and sum across products.
 *
 * Times are in the organization's time zone, ISO 8601 with the offset
 * ("2026-11-01T00:00:00+01:00"); the zone is named in the column header, as
 * in "hour_start (Europe/Berlin)". Period ends are exclusive.
 *
 * Latencies (p50_ms_at_most, p95_ms_at_most) are the upper bounds of the
 * histogram buckets they fall in: the true value is at most this. 60001 means
 * 60,000 ms or more (the last bucket has no upper bound).
 */
import { isoInZone, zonedDayStart } from "@/lib/intl";
import { LATENCY_OVERFLOW_MS } from "./latency";
import { addDays, type ResolvedRange } from "./range";
import type { BreakdownRow, UsageDashboard } from "./queries";
import { unitEntries, type UnitTotals } from "./units";

type Field = string | number | boolean | null;

/** Quotes a field; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(v: Field): string {
  if (v === null) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function line(fields: Field[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

/** The section titles, in the order the file holds them (tests and readers look sections up by these). */
export const CSV_SECTIONS = {
  about: "Usage export",
  totals: "Totals",
  totalsUnits: "Totals by unit",
  hourly: "Per hour",
  daily: "Per day",
  product: "By product",
  model: "By model",
  apiKey: "By API key",
  project: "By project",
} as const;

export const byUnit = (title: string) => `${title} by unit`;

/** The instant a bucket or period bound starts, as ISO with the zone's offset. */
function startOf(range: ResolvedRange, bound: string): string {
  return isoInZone(range.grain === "hour" ? new Date(bound) : zonedDayStart(bound, range.timeZone), range.timeZone);
}

/** The exclusive end of a window: an instant for hours, the day after the last day for days. */
function endOf(range: ResolvedRange, to: string): string {
  return range.grain === "hour" ? isoInZone(new Date(to), range.timeZone) : startOf(range, addDays(to, 1));
}

function* section(title: string, header: string[], rows: Iterable<Field[]>, first = false): Generator<string> {
  if (!first) yield "\r\n";
  yield line([title]);
  yield line(header);
  for (const r of rows) yield line(r);
}

function* unitRows(lead: Field[], u: UnitTotals): Generator<Field[]> {
  for (const direction of ["input", "output"] as const) for (const [unit, amount] of unitEntries(u[direction])) yield [...lead, direction, amount, unit];
}

const BREAKDOWNS = [
  ["product", "product"],
  ["model", "model"],
  ["apiKey", "api_key"],
  ["project", "project"],
] as const;

export function* usageCsvLines(d: UsageDashboard): Generator<string> {
  const r = d.context.range;
  const tz = r.timeZone;
  const inProgress = r.inProgress && r.buckets.includes(r.inProgress) ? r.inProgress : null;
  yield* section(
    CSV_SECTIONS.about,
    ["field", "value"],
    [
      ["organization", d.context.orgName],
      ["time_zone", tz],
      ["range", r.label],
      // A filtered export says so, so a file read later cannot pass for the whole org's.
      ["project", d.context.project ? `${d.context.project.name} (${d.context.project.id})` : "All projects"],
      ["in_progress", inProgress ? `${startOf(r, inProgress)}: the last ${r.grain} is still in progress; its numbers are partial` : "none"],
      ["units", "Each product counts in its own unit; amounts are per unit and never added across units"],
      ["latency", `p50_ms_at_most and p95_ms_at_most are latency bucket upper bounds; ${LATENCY_OVERFLOW_MS} means ${LATENCY_OVERFLOW_MS - 1} ms or more`],
    ],
    true,
  );
  const t = d.totals;
  yield* section(
    CSV_SECTIONS.totals,
    ["period", `start (${tz})`, `end_exclusive (${tz})`, "requests", "errors", "error_rate", "p50_ms_at_most", "p95_ms_at_most"],
    (["current", "previous"] as const).map((p) => [
      p,
      startOf(r, r[p].from),
      endOf(r, r[p].to),
      t[p].requests,
      t[p].errors,
      t[p].errorRate,
      t[p].p50Ms,
      t[p].p95Ms,
    ]),
  );
  yield* section(
    byUnit(CSV_SECTIONS.totals),
    ["period", "direction", "amount", "unit"],
    (function* () {
      yield* unitRows(["current"], t.current.units);
      yield* unitRows(["previous"], t.previous.units);
    })(),
  );
  const seriesTitle = r.grain === "hour" ? CSV_SECTIONS.hourly : CSV_SECTIONS.daily;
  const bucketHeader = `${r.grain === "hour" ? "hour_start" : "day_start"} (${tz})`;
  yield* section(
    seriesTitle,
    [bucketHeader, "in_progress", "requests", "errors"],
    d.series.map((p) => [startOf(r, p.bucket), p.bucket === inProgress, p.requests, p.errors]),
  );
  yield* section(
    byUnit(seriesTitle),
    [bucketHeader, "direction", "amount", "unit"],
    (function* () {
      for (const p of d.series) yield* unitRows([startOf(r, p.bucket)], p.units);
    })(),
  );
  for (const [dimension, keyHeader] of BREAKDOWNS) {
    const rows: BreakdownRow[] = d.breakdowns[dimension];
    yield* section(
      CSV_SECTIONS[dimension],
      [keyHeader, "label", "requests", "errors", "error_rate", "p95_ms_at_most", "share"],
      rows.map((b) => [b.key, b.label, b.requests, b.errors, b.errorRate, b.p95Ms, b.share]),
    );
    yield* section(
      byUnit(CSV_SECTIONS[dimension]),
      [keyHeader, "label", "direction", "amount", "unit"],
      (function* () {
        for (const b of rows) yield* unitRows([b.key, b.label], b.units);
      })(),
    );
  }
}

/** A stream of the lines, so a long custom range is sent as it is written. */
export function usageCsvStream(d: UsageDashboard): ReadableStream<Uint8Array> {
  const lines = usageCsvLines(d);
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
}

/** One line of CSV as its fields (quotes undone; a defused leading ' is kept, as a spreadsheet shows it). */
export function parseCsvLine(l: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    if (quoted) {
      if (c === '"' && l[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export type CsvSection = { header: string[]; rows: string[][] };

/** Reads an export back into its sections by title (tests, and anyone checking a file). No field of the export spans lines. */
export function readUsageCsv(text: string): Map<string, CsvSection> {
  const out = new Map<string, CsvSection>();
  for (const block of text.replace(/\r\n$/, "").split("\r\n\r\n")) {
    const [title, header, ...rows] = block.split("\r\n").map(parseCsvLine);
    out.set(title[0], { header, rows });
  }
  return out;
}
