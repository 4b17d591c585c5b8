/**
 * ZDR coverage, derived from an org's audit log alone: the intervals when
 * Zero Data Retention was honoured (active and not restricted) and when it
 * was not. Pure and browser-safe: the server shows it on /retention and puts
 * it in the audit export; the verifier recomputes it from the verified
 * entries, so a coverage that does not follow from the log is caught.
 */

/** The part of an audit entry the coverage reads. */
export type CoverageEntry = { orgSeq: number; action: string; after: unknown; createdAt: string };

export type CoverageInterval = {
  /** Inclusive start (ISO time of the entry that opened it). */
  from: string;
  /** Exclusive end, or null while it lasts. */
  to: string | null;
  honoured: boolean;
  /** The audit action that opened the interval, and its leaf index in the org's tree. */
  openedBy: { action: string; orgSeq: number };
};

type RetentionView = { zdrStatus: string; restriction: string };

/** The retention state an entry records, if it records one (the retention service's `auditView`). */
function stateOf(after: unknown, prev: RetentionView): RetentionView | null {
  if (!after || typeof after !== "object") return null;
  const a = after as Record<string, unknown>;
  if (typeof a.zdrStatus !== "string") return null;
  return { zdrStatus: a.zdrStatus, restriction: typeof a.restriction === "string" ? a.restriction : prev.restriction };
}

/**
 * The coverage intervals, oldest first, from the first entry that records a
 * retention state. Entries that record something else (removals, projects)
 * are skipped. Honoured means ZDR active and no restriction.
 */
export function zdrCoverage(entries: readonly CoverageEntry[]): CoverageInterval[] {
  const out: CoverageInterval[] = [];
  let state: RetentionView = { zdrStatus: "off", restriction: "none" };
  for (const e of [...entries].sort((a, b) => a.orgSeq - b.orgSeq)) {
    const next = stateOf(e.after, state);
    if (!next) continue;
    state = next;
    const honoured = next.zdrStatus === "active" && next.restriction !== "restricted";
    const last = out.at(-1);
    if (last && last.honoured === honoured) continue;
    if (last) last.to = e.createdAt;
    out.push({ from: e.createdAt, to: null, honoured, openedBy: { action: e.action, orgSeq: e.orgSeq } });
  }
  return out;
}

/** The intervals clipped to [from, to): what a month's statement states. */
export function coverageWithin(intervals: readonly CoverageInterval[], from: string, to: string): CoverageInterval[] {
  const f = Date.parse(from);
  const t = Date.parse(to);
  return intervals
    .filter((i) => Date.parse(i.from) < t && (i.to === null || Date.parse(i.to) > f))
    .map((i) => ({
      ...i,
      from: Date.parse(i.from) < f ? new Date(f).toISOString() : i.from,
      to: i.to === null || Date.parse(i.to) > t ? new Date(t).toISOString() : i.to,
    }));
}

/** The start of the honoured interval under way, or null when ZDR is not honoured now. */
export function honouredSince(intervals: readonly CoverageInterval[]): string | null {
  const last = intervals.at(-1);
  return last && last.honoured && last.to === null ? last.from : null;
}
