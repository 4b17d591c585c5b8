/**
 * Reads of an organization's retention state for the customer app: the
 * emblem in the navigation and the /retention page. Both go through
 * effectivePolicy() on the one state row (invariant 2); nothing here decides
 * on its own whether ZDR is on.
 */
import { and, desc, eq, getTableColumns, sql } from "drizzle-orm";
import { getDb, type Tx } from "@/lib/db";
import { auditLog, organizations, retentionStates, usageEvents, users, zdrRequests } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { notFound } from "@/lib/errors";
import { PRODUCTS } from "@/lib/usage/products";
import type { ZdrScope } from "@/lib/vocabulary";
import { businessDeadline, requestAge } from "@/lib/business-time";
import { zdrRequestReference } from "@/lib/notify/compose";
import { USAGE_RECORD_FIELDS } from "./wording";
import { effectivePolicy, emblemState, type EffectivePolicy, type EmblemState, type Plan } from "./policy";

export type RetentionView = {
  orgId: string;
  orgName: string;
  timeZone: string;
  /** Raw usage events older than this are purged (lib/removal); rollups stay. */
  usageRetentionDays: number;
  policy: EffectivePolicy;
  emblem: EmblemState;
  /** The admin on whose request ZDR was enabled or asked for. */
  requestedBy: string | null;
  /** The pending request: its reference (as in the receipt and the support console), and whether support is past its one-business-day target. */
  pendingRequest: {
    id: string;
    reference: string;
    createdAt: string;
    requestedBy: string | null;
    scope: ZdrScope;
    note: string | null;
    overdue: boolean;
    answerBy: string;
  } | null;
  /** Whether an admin of this org may ask for ZDR now, and if not, why. */
  canRequest: { allowed: true } | { allowed: false; reason: "not_enterprise" | "already_active" | "already_requested" | "restricted" };
};

/** Loads the state row and plan and derives the policy: the one way the customer app learns it. */
export async function getRetentionView(actor: Principal, args: { orgId: string }, db: Tx = getDb()): Promise<RetentionView> {
  authorize(actor, "retention.read", { orgId: args.orgId });
  const [row] = await db
    .select({
      org: { name: organizations.name, plan: organizations.plan, timeZone: organizations.timeZone, usageRetentionDays: organizations.usageRetentionDays },
      state: retentionStates,
      requester: users.name,
    })
    .from(organizations)
    .innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
    .leftJoin(users, eq(users.id, retentionStates.zdrRequestedBy))
    .where(eq(organizations.id, args.orgId));
  if (!row) throw notFound("Organization not found");
  const policy = effectivePolicy(row.org.plan as Plan, row.state);

  let pendingRequest: RetentionView["pendingRequest"] = null;
  if (policy.zdr.status === "requested") {
    const [req] = await db
      .select({ id: zdrRequests.id, createdAt: zdrRequests.createdAt, scope: zdrRequests.scope, note: zdrRequests.note, requestedBy: users.name })
      .from(zdrRequests)
      .leftJoin(users, eq(users.id, zdrRequests.requestedBy))
      .where(and(eq(zdrRequests.orgId, args.orgId), eq(zdrRequests.status, "pending")))
      .limit(1);
    if (req) {
      pendingRequest = {
        id: req.id,
        reference: zdrRequestReference(req.id),
        createdAt: req.createdAt.toISOString(),
        requestedBy: req.requestedBy,
        scope: req.scope,
        note: req.note,
        overdue: requestAge(req.createdAt).overdue,
        answerBy: businessDeadline(req.createdAt).toISOString(),
      };
    }
  }

  return {
    orgId: args.orgId,
    orgName: row.org.name,
    timeZone: row.org.timeZone,
    usageRetentionDays: row.org.usageRetentionDays,
    policy,
    emblem: emblemState(policy),
    requestedBy: row.requester,
    pendingRequest,
    canRequest: requestEligibility(policy),
  };
}

export function requestEligibility(policy: EffectivePolicy): RetentionView["canRequest"] {
  if (policy.plan !== "enterprise") return { allowed: false, reason: "not_enterprise" };
  if (policy.restriction) return { allowed: false, reason: "restricted" };
  if (policy.zdr.status === "active") return { allowed: false, reason: "already_active" };
  if (policy.zdr.status === "requested") return { allowed: false, reason: "already_requested" };
  return { allowed: true };
}

/** What a usage record holds, one line per column (lib/retention/wording.ts, the one list). */
export const KEPT_FIELD_DESCRIPTIONS: Record<string, string> = Object.fromEntries(USAGE_RECORD_FIELDS.map((f) => [f.column, f.description]));

export function keptFields(): { column: string; description: string }[] {
  return Object.values(getTableColumns(usageEvents)).map((c) => ({
    column: c.name,
    description: KEPT_FIELD_DESCRIPTIONS[c.name] ?? "",
  }));
}

/** The content types no usage record can hold, from the product catalogue. */
export function neverKeptInUsage(): string[] {
  const types = new Set<string>();
  for (const p of PRODUCTS) for (const d of p.dataTypes) types.add(d.dataType);
  return [...types];
}

export type RetentionAuditEntry = {
  id: number;
  at: string;
  action: string;
  actor: string;
  actorType: "user" | "support" | "service" | "system";
  before: unknown;
  after: unknown;
  reason: string | null;
  ticketRef: string | null;
};

/** The organization's retention audit trail, newest first: admins only. */
export async function listRetentionAudit(actor: Principal, args: { orgId: string; limit?: number }, db: Tx = getDb()): Promise<RetentionAuditEntry[]> {
  authorize(actor, "retention.audit.read", { orgId: args.orgId });
  const rows = await db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      action: auditLog.action,
      actorType: auditLog.actorType,
      actorLabel: auditLog.actorLabel,
      actorName: users.name,
      before: auditLog.before,
      after: auditLog.after,
      reason: auditLog.reason,
      ticketRef: auditLog.ticketRef,
    })
    .from(auditLog)
    // actor_id is text (it may name a service token), so compare as text.
    .leftJoin(users, sql`${users.id}::text = ${auditLog.actorId}`)
    .where(eq(auditLog.orgId, args.orgId))
    .orderBy(desc(auditLog.id))
    .limit(Math.min(Math.max(args.limit ?? 100, 1), 500));
  return rows.map((r) => ({
    id: r.id,
    at: r.createdAt.toISOString(),
    action: r.action,
    actorType: r.actorType,
    actor: r.actorType === "support" ? "Provider support" : (r.actorName ?? r.actorLabel ?? r.actorType),
    before: r.before,
    after: r.after,
    reason: r.reason,
    ticketRef: r.ticketRef,
  }));
}
