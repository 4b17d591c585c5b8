/**
 * The CSV export of the usage dashboard: the same numbers the page shows,
 * one section per widget, metadata only (counts, units, latencies, keys).
 */
import type { UsageDashboard, UsageTotals } from "./queries";

export const CSV_HEADER = ["section", "key", "label", "requests", "errors", "input_units", "output_units", "error_rate", "p50_ms", "p95_ms", "share"] as const;

/** Quotes a field; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
export function csvField(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function line(fields: (string | number | null)[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

function totalsLine(key: string, label: string, t: UsageTotals): string {
  return line(["totals", key, label, t.requests, t.errors, t.inputUnits, t.outputUnits, t.errorRate, t.p50Ms, t.p95Ms, null]);
}

export function* usageCsvLines(d: UsageDashboard): Generator<string> {
  const r = d.context.range;
  yield line([...CSV_HEADER]);
  yield totalsLine("current", `${r.label}: ${r.current.from} to ${r.current.to} (${r.timeZone})`, d.totals.current);
  yield totalsLine("previous", `Previous period: ${r.previous.from} to ${r.previous.to} (${r.timeZone})`, d.totals.previous);
  // A filtered export says so in its own line, so a file read later cannot pass for the whole org's.
  if (d.context.project) yield line(["filter", d.context.project.id, `Project: ${d.context.project.name}`, null, null, null, null, null, null, null, null]);
  for (const p of d.series) {
    yield line([
      r.grain === "hour" ? "series_hourly" : "series_daily",
      p.bucket,
      p.bucket,
      p.requests,
      p.errors,
      p.inputUnits,
      p.outputUnits,
      p.requests > 0 ? p.errors / p.requests : null,
      null,
      null,
      null,
    ]);
  }
  for (const [section, rows] of [
    ["product", d.breakdowns.product],
    ["model", d.breakdowns.model],
    ["api_key", d.breakdowns.apiKey],
    ["project", d.breakdowns.project],
  ] as const) {
    for (const b of rows) {
      yield line([section, b.key, b.label, b.requests, b.errors, b.inputUnits, b.outputUnits, b.errorRate, null, b.p95Ms, b.share]);
    }
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
