/**
 * Comparison of the range with the period of the same length just before it.
 * A percentage against a near-empty previous period ("+60,347 %") says
 * nothing, so a change is given only when the previous period had enough
 * usage to compare with. Pure and client-safe.
 */
import type { UsageTotals } from "./queries";

/**
 * The previous period is compared with only when it had at least this many
 * requests, and (for a count) its value is at least MIN_PREVIOUS_SHARE of the
 * current one. Below that, a change is null and the page shows "—".
 */
export const MIN_PREVIOUS_REQUESTS = 100;
/** 1%: a previous value under 1% of the current one would print as more than +9,900%. */
export const MIN_PREVIOUS_SHARE = 0.01;

/** The measures that get a change: counts of requests and latencies (units are per product, the error rate moves in points). */
export const COMPARED = ["requests", "errors", "p50Ms", "p95Ms"] as const;
export type ComparedKey = (typeof COMPARED)[number];
export type Changes = Record<ComparedKey, number | null> & {
  /** The error rate's change in percentage points (0.01 = 1 point), null when not comparable. */
  errorRatePoints: number | null;
};

/** Whether the previous period had enough requests for any comparison. */
export function previousComparable(previous: Pick<UsageTotals, "requests">): boolean {
  return previous.requests >= MIN_PREVIOUS_REQUESTS;
}

/** The relative change of a count, or null when the previous value is too small to compare with. */
export function relativeChange(cur: number | null, prev: number | null): number | null {
  if (cur === null || prev === null || prev <= 0) return null;
  if (prev < MIN_PREVIOUS_REQUESTS || prev < MIN_PREVIOUS_SHARE * cur) return null;
  return (cur - prev) / prev;
}

/**
 * The relative change of one unit's amount (tokens, characters, seconds): only when the previous
 * period had enough requests to compare at all, and its amount is at least 1% of the current one.
 */
export function unitChange(cur: number, prev: number | undefined, previous: Pick<UsageTotals, "requests">): number | null {
  if (!previousComparable(previous) || prev === undefined || prev <= 0 || prev < MIN_PREVIOUS_SHARE * cur) return null;
  return (cur - prev) / prev;
}

/** Every change the totals show; each is null where the previous period had too little usage. */
export function changesOf(current: UsageTotals, previous: UsageTotals): Changes {
  const ok = previousComparable(previous) && current.requests > 0;
  const ratio = (c: number | null, p: number | null) => (ok && c !== null && p !== null && p > 0 ? (c - p) / p : null);
  return {
    requests: relativeChange(current.requests, previous.requests),
    // Errors are counted against the same threshold as requests: a few errors before make no percentage.
    errors: ok ? relativeChange(current.errors, previous.errors) : null,
    p50Ms: ratio(current.p50Ms, previous.p50Ms),
    p95Ms: ratio(current.p95Ms, previous.p95Ms),
    errorRatePoints: ok && current.errorRate !== null && previous.errorRate !== null ? current.errorRate - previous.errorRate : null,
  };
}
