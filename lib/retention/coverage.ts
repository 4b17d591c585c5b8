/**
 * ZDR coverage as /retention tells it: the intervals of lib/audit/coverage.ts
 * (derived from the org's audit log, the same derivation the export carries
 * and the verifier rechecks), each with the requests served in it and how
 * many of them ran without zero retention (the usage events' own
 * `zero_retention` flag, as the fleet reported it).
 */
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { auditLog } from "@/lib/db/schema";
import { honouredSince, zdrCoverage, type CoverageInterval } from "@/lib/audit/coverage";

export type CoverageRow = CoverageInterval & { requests: number; withoutZdr: number };
export type ZdrCoverageView = { intervals: CoverageRow[]; honouredSince: string | null };

/** The org's audit entries that the coverage reads, oldest first. */
export async function orgCoverage(db: Tx, orgId: string): Promise<CoverageInterval[]> {
  const rows = await db
    .select({ orgSeq: auditLog.orgSeq, action: auditLog.action, after: auditLog.after, createdAt: auditLog.createdAt })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), isNotNull(auditLog.orgSeq)))
    .orderBy(asc(auditLog.orgSeq));
  return zdrCoverage(rows.map((r) => ({ orgSeq: Number(r.orgSeq), action: r.action, after: r.after, createdAt: r.createdAt.toISOString() })));
}

/** Requests in [from, to) and those served without zero retention; one indexed range count. */
export async function countRequests(db: Tx, orgId: string, from: string, to: string): Promise<{ requests: number; withoutZdr: number }> {
  const [row] = await queryRows<{ requests: string | number; without_zdr: string | number }>(
    db,
    sql`select count(*) as requests, count(*) filter (where not zero_retention) as without_zdr
        from usage_events where org_id = ${orgId} and occurred_at >= ${from}::timestamptz and occurred_at < ${to}::timestamptz`,
  );
  return { requests: Number(row?.requests ?? 0), withoutZdr: Number(row?.without_zdr ?? 0) };
}

/** The newest `limit` intervals, newest first, with their request counts (members and admins of the org). */
export async function getZdrCoverage(actor: Principal, args: { orgId: string; limit?: number }, db: Tx = getDb()): Promise<ZdrCoverageView> {
  authorize(actor, "retention.read", { orgId: args.orgId });
  const intervals = await orgCoverage(db, args.orgId);
  const now = new Date().toISOString();
  const newest = intervals.slice(-(args.limit ?? 12)).reverse();
  const rows: CoverageRow[] = [];
  for (const i of newest) rows.push({ ...i, ...(await countRequests(db, args.orgId, i.from, i.to ?? now)) });
  return { intervals: rows, honouredSince: honouredSince(intervals) };
}
