/**
 * Age of a request against a one-business-day target: Saturdays and Sundays
 * (UTC) do not count, so a request filed on Friday evening is not overdue on
 * Monday morning.
 */
const DAY = 24 * 3600 * 1000;
export const BUSINESS_DAY_TARGET_MS = DAY;

function isWeekend(t: number): boolean {
  const d = new Date(t).getUTCDay();
  return d === 0 || d === 6;
}

/** Milliseconds between two instants that fall on weekdays (UTC). */
export function businessMsBetween(start: Date, end: Date): number {
  let t = start.getTime();
  const stop = end.getTime();
  let total = 0;
  while (t < stop) {
    const nextMidnight = Math.floor(t / DAY) * DAY + DAY;
    const segmentEnd = Math.min(nextMidnight, stop);
    if (!isWeekend(t)) total += segmentEnd - t;
    t = segmentEnd;
  }
  return total;
}

export type RequestAge = { businessMs: number; overdue: boolean; label: string; remainingMs: number };

export function requestAge(createdAt: Date, now: Date = new Date()): RequestAge {
  const businessMs = businessMsBetween(createdAt, now);
  const hours = Math.floor(businessMs / 3600_000);
  const minutes = Math.floor((businessMs % 3600_000) / 60_000);
  return {
    businessMs,
    overdue: businessMs > BUSINESS_DAY_TARGET_MS,
    remainingMs: BUSINESS_DAY_TARGET_MS - businessMs,
    label: hours >= 1 ? `${hours} h ${minutes} min` : `${minutes} min`,
  };
}

/** The instant a request filed at `start` becomes overdue: one business day of weekday time later. */
export function businessDeadline(start: Date, target = BUSINESS_DAY_TARGET_MS): Date {
  let t = start.getTime();
  let left = target;
  while (left > 0) {
    const nextMidnight = Math.floor(t / DAY) * DAY + DAY;
    if (isWeekend(t)) {
      t = nextMidnight;
      continue;
    }
    const step = Math.min(nextMidnight - t, left);
    t += step;
    left -= step;
  }
  return new Date(t);
}
