/** Reads of an organization's notices, for the navigation badge and /notices. */
import { and, count, desc, eq, isNull } from "drizzle-orm";
import { getDb, type Db, type Tx } from "@/lib/db";
import { notices, users } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { appendAudit } from "@/lib/audit/chain";
import { notFound } from "@/lib/errors";
import { z } from "zod";

export const AcknowledgeNoticeSchema = z.object({ noticeId: z.uuid({ error: "This notice could not be found" }) });

/** Notices not yet acknowledged by an admin: the count in the navigation. */
export async function countUnacknowledgedNotices(actor: Principal, orgId: string, db: Tx = getDb()): Promise<number> {
  authorize(actor, "notices.read", { orgId });
  const [row] = await db
    .select({ n: count() })
    .from(notices)
    .where(and(eq(notices.orgId, orgId), isNull(notices.acknowledgedAt)));
  return row.n;
}

export async function listNotices(actor: Principal, orgId: string, db: Tx = getDb()) {
  authorize(actor, "notices.read", { orgId });
  return db.select().from(notices).where(eq(notices.orgId, orgId)).orderBy(desc(notices.createdAt)).limit(200);
}

/**
 * An admin acknowledges a notice: who and when are kept on the notice, and
 * the acknowledgement enters the audit trail in the same transaction.
 * Acknowledging twice keeps the first acknowledgement.
 */
export async function acknowledgeNotice(actor: Principal, input: { orgId: string; noticeId: string }, db: Db = getDb()) {
  authorize(actor, "notices.acknowledge", { orgId: input.orgId });
  if (!AcknowledgeNoticeSchema.safeParse({ noticeId: input.noticeId }).success) throw notFound("Notice not found");
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(notices)
      .where(and(eq(notices.id, input.noticeId), eq(notices.orgId, input.orgId)))
      .for("update");
    if (!existing) throw notFound("Notice not found");
    if (existing.acknowledgedAt) return existing;
    const [row] = await tx.update(notices).set({ acknowledgedAt: new Date(), acknowledgedBy: actor.userId }).where(eq(notices.id, existing.id)).returning();
    await appendAudit(tx, {
      orgId: input.orgId,
      actorType: "user",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "notice.acknowledged",
      before: { noticeId: existing.id, kind: existing.kind, acknowledgedAt: null },
      after: { noticeId: existing.id, kind: existing.kind, acknowledgedAt: row.acknowledgedAt },
      reason: null,
      ticketRef: null,
    });
    return row;
  });
}

/** Notices with the acknowledging admin's name, newest first. */
export async function listNoticesWithAcknowledger(actor: Principal, orgId: string, db: Tx = getDb()) {
  authorize(actor, "notices.read", { orgId });
  return db
    .select({ notice: notices, acknowledgedByName: users.name, acknowledgedByEmail: users.email })
    .from(notices)
    .leftJoin(users, eq(users.id, notices.acknowledgedBy))
    .where(eq(notices.orgId, orgId))
    .orderBy(desc(notices.createdAt))
    .limit(200);
}
