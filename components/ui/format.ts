/** Formatting shared by the pages: numbers in en-US grouping, dates in the organization's time zone. */
import { LATENCY_BOUNDS_MS } from "@/lib/usage/latency";
import { unitEntries, type UnitAmounts } from "@/lib/usage/unit-order";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function formatInt(n: number): string {
  return integer.format(n);
}

export function formatCompact(n: number): string {
  return compact.format(n);
}

export function formatPercent(x: number | null, digits = 1): string {
  return x === null ? "–" : `${(x * 100).toFixed(digits)}%`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return "–";
  return ms >= 1000 ? `${(ms / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })} s` : `${ms} ms`;
}

const LAST_BOUND_MS = LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];

/**
 * A percentile read from the latency histogram: the upper bound of its bucket,
 * so exactly "at most". Past the last bound the histogram knows only "at least"
 * (lib/usage/latency.ts reports that bucket as one past the last bound).
 * `text` is what is shown ("≤ 7.5 s"), `spoken` what a screen reader says ("at most 7.5 seconds").
 */
export function formatLatencyBound(ms: number | null): { text: string; spoken: string } {
  if (ms === null) return { text: "–", spoken: "no requests" };
  const atLeast = ms > LAST_BOUND_MS;
  const v = atLeast ? LAST_BOUND_MS : ms;
  const seconds = v >= 1000;
  const n = seconds ? (v / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 }) : String(v);
  const spokenUnit = seconds ? (n === "1" ? "second" : "seconds") : n === "1" ? "millisecond" : "milliseconds";
  return {
    text: `${atLeast ? "≥" : "≤"} ${n} ${seconds ? "s" : "ms"}`,
    spoken: `${atLeast ? "at least" : "at most"} ${n} ${spokenUnit}`,
  };
}

/** Amounts per unit in one line, largest unit family first: "1.2M tokens · 340K characters · 5.1K seconds of audio"; "–" when none. */
export function formatUnitAmounts(a: UnitAmounts, format: (n: number) => string = formatCompact): string {
  const parts = unitEntries(a).map(([unit, n]) => `${format(n)} ${unit}`);
  return parts.length ? parts.join(" · ") : "–";
}

export { formatDate, formatDateTime, formatDuration, formatDays } from "@/lib/intl";

/** "26 hours", "3 days": the age of something, coarse on purpose. */
export function formatAge(fromIso: string, now: Date = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 60_000));
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"}`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}
