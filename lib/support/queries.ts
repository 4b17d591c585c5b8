/**
 * What the support console reads: accounts, the request queue, one account
 * with its audit trail, moderation flags. Support staff only; everyone else
 * gets 404 (authorize "support.read"), whatever page or action asked.
 */
import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { getDb, type Tx } from "@/lib/db";
import { auditLog, memberships, moderationFlags, notices, organizations, retentionStates, users, zdrRequests } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { isUuid, notFound } from "@/lib/errors";
import { effectivePolicy, emblemState } from "@/lib/retention/policy";
import { requestAge } from "@/lib/business-time";
import { auditGroup, auditSentence, peopleOf, type Person } from "@/lib/audit/sentence";
import type { Plan, ZdrStatus } from "@/lib/vocabulary";

export type ZdrFilter = ZdrStatus | "restricted";
export type PlanFilter = Plan;

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function listAccounts(actor: Principal, filters: { q?: string; zdr?: ZdrFilter; plan?: PlanFilter } = {}, db: Tx = getDb()) {
  authorize(actor, "support.read");
  const where: SQL[] = [];
  // A search for a NUL character finds nothing, and PostgreSQL refuses one in a query parameter (a 500): it is dropped.
  const q = filters.q?.replace(/\u0000/g, "");
  if (q) {
    const p = likePattern(q);
    where.push(
      or(
        ilike(organizations.name, p),
        ilike(organizations.slug, p),
        sql`exists (select 1 from ${memberships} m join ${users} u on u.id = m.user_id where m.org_id = ${organizations.id} and (u.email ilike ${p} or u.name ilike ${p}))`,
      )!,
    );
  }
  if (filters.plan) where.push(eq(organizations.plan, filters.plan));
  if (filters.zdr === "restricted") where.push(eq(retentionStates.restriction, "restricted"));
  else if (filters.zdr) where.push(and(eq(retentionStates.zdrStatus, filters.zdr), eq(retentionStates.restriction, "none"))!);
  return db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      plan: organizations.plan,
      zdrStatus: retentionStates.zdrStatus,
      zdrScope: retentionStates.zdrScope,
      restriction: retentionStates.restriction,
      members: sql<number>`(select count(*)::int from ${memberships} m where m.org_id = ${organizations.id})`,
    })
    .from(organizations)
    .innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(organizations.name))
    .limit(200);
}

/** Pending ZDR requests, oldest first, each with its age in business time. */
export async function listPendingRequests(actor: Principal, now: Date = new Date(), db: Tx = getDb()) {
  authorize(actor, "support.read");
  const rows = await db
    .select({
      id: zdrRequests.id,
      orgId: zdrRequests.orgId,
      orgName: organizations.name,
      plan: organizations.plan,
      scope: zdrRequests.scope,
      note: zdrRequests.note,
      createdAt: zdrRequests.createdAt,
      requesterName: users.name,
      requesterEmail: users.email,
    })
    .from(zdrRequests)
    .innerJoin(organizations, eq(organizations.id, zdrRequests.orgId))
    .leftJoin(users, eq(users.id, zdrRequests.requestedBy))
    .where(eq(zdrRequests.status, "pending"))
    .orderBy(asc(zdrRequests.createdAt));
  return rows.map((r) => ({ ...r, age: requestAge(r.createdAt, now) }));
}

/** How many pending ZDR requests are past their one-business-day target (the count in the console's navigation). */
export async function countOverdueRequests(actor: Principal, now: Date = new Date(), db: Tx = getDb()): Promise<number> {
  authorize(actor, "support.read");
  const rows = await db.select({ createdAt: zdrRequests.createdAt }).from(zdrRequests).where(eq(zdrRequests.status, "pending"));
  return rows.filter((r) => requestAge(r.createdAt, now).overdue).length;
}

export async function getAccount(actor: Principal, orgId: string, db: Tx = getDb()) {
  authorize(actor, "support.read");
  if (!isUuid(orgId)) throw notFound("Organization not found");
  const [row] = await db
    .select({ org: organizations, state: retentionStates })
    .from(organizations)
    .innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
    .where(eq(organizations.id, orgId));
  if (!row) throw notFound("Organization not found");
  const policy = effectivePolicy(row.org.plan, row.state);
  const [people, audit, requests, flags, recentNotices] = await Promise.all([
    db
      .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, disabledAt: users.disabledAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, orgId))
      .orderBy(desc(memberships.role), asc(users.email)),
    db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(desc(auditLog.id)).limit(100),
    db
      .select({
        id: zdrRequests.id,
        status: zdrRequests.status,
        scope: zdrRequests.scope,
        note: zdrRequests.note,
        createdAt: zdrRequests.createdAt,
        resolvedAt: zdrRequests.resolvedAt,
        requesterEmail: users.email,
      })
      .from(zdrRequests)
      .leftJoin(users, eq(users.id, zdrRequests.requestedBy))
      .where(eq(zdrRequests.orgId, orgId))
      .orderBy(desc(zdrRequests.createdAt))
      .limit(20),
    db.select().from(moderationFlags).where(eq(moderationFlags.orgId, orgId)).orderBy(desc(moderationFlags.createdAt)).limit(20),
    db
      .select({
        id: notices.id,
        kind: notices.kind,
        title: notices.title,
        createdAt: notices.createdAt,
        acknowledgedAt: notices.acknowledgedAt,
        acknowledgedBy: users.email,
      })
      .from(notices)
      .leftJoin(users, eq(users.id, notices.acknowledgedBy))
      .where(eq(notices.orgId, orgId))
      .orderBy(desc(notices.createdAt))
      .limit(20),
  ]);
  // Audit rows as sentences: the people they name (actors, members acted on) resolved in one query.
  const ids = peopleOf(audit);
  const named = new Map<string, Person>(
    ids.length ? (await db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, ids))).map((u) => [u.id, u]) : [],
  );
  return {
    org: row.org,
    state: row.state,
    policy,
    emblem: emblemState(policy),
    admins: people.filter((p) => p.role === "admin"),
    members: people.filter((p) => p.role === "member"),
    audit: audit.map((e) => ({ ...e, group: auditGroup(e.action), sentence: auditSentence(e, named) })),
    requests,
    pendingRequest: requests.find((r) => r.status === "pending") ?? null,
    flags,
    notices: recentNotices,
  };
}

/** Moderation flags, newest first, with what each did to the org's ZDR. */
export async function listModerationFlags(actor: Principal, db: Tx = getDb()) {
  authorize(actor, "support.read");
  const rows = await db
    .select({
      id: moderationFlags.id,
      orgId: moderationFlags.orgId,
      orgName: organizations.name,
      category: moderationFlags.category,
      severity: moderationFlags.severity,
      restrict: moderationFlags.restrict,
      createdAt: moderationFlags.createdAt,
      restriction: retentionStates.restriction,
      restrictionReason: retentionStates.restrictionReason,
      reviewStatus: moderationFlags.reviewStatus,
      reviewedAt: moderationFlags.reviewedAt,
      reviewNote: moderationFlags.reviewNote,
      reviewedByName: users.name,
    })
    .from(moderationFlags)
    .innerJoin(organizations, eq(organizations.id, moderationFlags.orgId))
    .innerJoin(retentionStates, eq(retentionStates.orgId, moderationFlags.orgId))
    .leftJoin(users, eq(users.id, moderationFlags.reviewedBy))
    // Open flags first: they are the work; then the decided ones, newest first.
    .orderBy(sql`${moderationFlags.reviewStatus} = 'open' desc`, desc(moderationFlags.createdAt))
    .limit(200);
  return rows.map((r) => ({
    ...r,
    effect: r.restrict
      ? r.restriction === "restricted"
        ? "Restricted ZDR (restriction still in force)"
        : "Restricted ZDR (since lifted)"
      : "Recorded for review; ZDR unchanged",
  }));
}
