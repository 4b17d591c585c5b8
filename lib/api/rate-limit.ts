/**
 * Per-token rate limits: a token bucket per token and endpoint class, in the
 * memory of each app instance (a limit per instance; the fleet spreads its
 * calls, and a shared limiter would put the database on the hot path).
 */
import { AppError } from "@/lib/errors";

export type RateClass = "ingest" | "policy" | "moderation";

export type RateLimit = { perSecond: number; burst: number };

export const DEFAULT_RATE_LIMITS: Record<RateClass, RateLimit> = {
  // 1,000-event batches: 200 batches/s is 200k events/s, far above one instance's capacity.
  ingest: { perSecond: 200, burst: 400 },
  policy: { perSecond: 50_000, burst: 100_000 },
  moderation: { perSecond: 20, burst: 100 },
};

let limits: Record<RateClass, RateLimit> = { ...DEFAULT_RATE_LIMITS };
const buckets = new Map<string, { tokens: number; at: number }>();

/** Tests and operators tune the limits; resets every bucket. */
export function setRateLimits(next: Partial<Record<RateClass, RateLimit>>): void {
  limits = { ...DEFAULT_RATE_LIMITS, ...next };
  buckets.clear();
}

/** Takes one request from the token's bucket, or throws 429 with the seconds until the next one. */
export function takeRateToken(tokenId: string, cls: RateClass, now = performance.now()): void {
  const limit = limits[cls];
  const key = `${cls}:${tokenId}`;
  let b = buckets.get(key);
  if (!b) {
    b = { tokens: limit.burst, at: now };
    buckets.set(key, b);
  } else {
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return;
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
  throw new AppError("rate_limited", `Rate limit of ${limit.perSecond} requests per second for this token exceeded`, { retryAfterSeconds });
}
