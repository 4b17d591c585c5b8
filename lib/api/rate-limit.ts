/**
 * Per-token rate limits: a token bucket per token and endpoint class, in the
 * memory of each app instance (a limit per instance; the fleet spreads its
 * calls, and a shared limiter would put the database on the hot path).
 */
import { AppError } from "@/lib/errors";
import { processState } from "@/lib/process-state";

export type RateClass = "ingest" | "policy" | "moderation" | "removal";

export type RateLimit = { perSecond: number; burst: number };

export const DEFAULT_RATE_LIMITS: Record<RateClass, RateLimit> = {
  // 1,000-event batches: 200 batches/s is 200k events/s, far above one instance's capacity.
  ingest: { perSecond: 200, burst: 400 },
  policy: { perSecond: 50_000, burst: 100_000 },
  moderation: { perSecond: 20, burst: 100 },
  // The fleet polls for removal orders and reports each once: a few calls a minute.
  removal: { perSecond: 20, burst: 100 },
};

type RateState = { limits: Record<RateClass, RateLimit>; buckets: Map<string, { tokens: number; at: number }> };

// On globalThis, as the caches are: the production server's fast path (server.ts) and Next's bundle each load this
// module, and a token must have one bucket per instance, not one per copy of the module.
const g = processState("rateLimits", (): { value?: RateState } => ({}));
const state = (g.value ??= { limits: { ...DEFAULT_RATE_LIMITS }, buckets: new Map() });
const buckets = state.buckets;

/** Tests and operators tune the limits; resets every bucket. */
export function setRateLimits(next: Partial<Record<RateClass, RateLimit>>): void {
  state.limits = { ...DEFAULT_RATE_LIMITS, ...next };
  buckets.clear();
}

/** Takes one request from the token's bucket, or throws 429 with the seconds until the next one. */
export function takeRateToken(tokenId: string, cls: RateClass, now = performance.now()): void {
  const limit = state.limits[cls];
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
