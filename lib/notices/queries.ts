/** Reads of an organization's notices, for the navigation badge and /notices. */
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { getDb, type Tx } from "@/lib/db";
import { notices } from "@/lib/db/schema";
import { assertOrgAccess } from "@/lib/auth/authorize";
import type { Principal } from "@/lib/auth/principal";

/** Notices not yet acknowledged by an admin: the count in the navigation. */
export async function countUnacknowledgedNotices(actor: Principal, orgId: string, db: Tx = getDb()): Promise<number> {
  assertOrgAccess(actor, orgId);
  const [row] = await db.select({ n: count() }).from(notices).where(and(eq(notices.orgId, orgId), isNull(notices.acknowledgedAt)));
  return row.n;
}

export async function listNotices(actor: Principal, orgId: string, db: Tx = getDb()) {
  assertOrgAccess(actor, orgId);
  return db.select().from(notices).where(eq(notices.orgId, orgId)).orderBy(desc(notices.createdAt)).limit(200);
}
