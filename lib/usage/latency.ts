/**
 * Latency histogram kept in every rollup row, so p50/p95 come from rollups.
 * Bucket i counts latencies in [BOUNDS[i-1], BOUNDS[i]) ms; bucket 0 is below
 * the first bound, the last is at or above the last bound.
 */
export const LATENCY_BOUNDS_MS = [
  10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 30000, 60000,
] as const;
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;
/** What a percentile in the last, unbounded bucket reports: one past the last bound ("60 s or more"). */
export const LATENCY_OVERFLOW_MS = LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] + 1;

/** The same bucket PostgreSQL's width_bucket(latency, bounds) gives. */
export function latencyBucket(ms: number): number {
  let lo = 0;
  let hi: number = LATENCY_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms >= LATENCY_BOUNDS_MS[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A percentile from a histogram: the upper bound of the bucket where the
 * cumulative count crosses q, so the true percentile is at most this value.
 * The last bucket has no upper bound: it reports LATENCY_OVERFLOW_MS, one past
 * the last bound, read as "at least the last bound" (components/ui/format.ts).
 */
export function percentileFromHistogram(hist: readonly number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= target) return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : LATENCY_OVERFLOW_MS;
  }
  return LATENCY_OVERFLOW_MS;
}
