/**
 * The retention state machine of the design as domain functions. Each takes
 * the acting principal, a reason and a ticket reference, and commits the new
 * state, its audit entry, the org's in-app notice and one email per admin (in
 * the outbox) in one transaction: nothing is announced that did not happen,
 * and nothing happens unannounced.
 *
 * Concurrency: the state row is locked (FOR UPDATE) and its version checked
 * against the one the actor saw; a second writer on the same org gets a
 * conflict carrying the current state, never a silent overwrite.
 *
 * `requestZeroRetention` (a customer admin's request) lives in ./request.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db, type Tx } from "@/lib/db";
import { notices, organizations, retentionStates, zdrRequests } from "@/lib/db/schema";
import { appendAudit, type AuditInput } from "@/lib/audit/chain";
import { assertScope, assertSupport } from "@/lib/auth/authorize";
import type { Principal } from "@/lib/auth/principal";
import { AppError, parseInput, notFound } from "@/lib/errors";
import { env } from "@/lib/env";
import { composeNotice, type NoticeContext, type NoticeKind } from "@/lib/notify/compose";
import { enqueueNoticeEmails } from "@/lib/notify/outbox";
import { kickOutbox } from "@/lib/notify/worker";
import { effectivePolicy, type Plan, type RetentionStateRow } from "./policy";

export type RestrictionReason = "high_risk_use_case" | "automated_flag" | "provider_discretion";
export const RESTRICTION_REASONS = ["high_risk_use_case", "automated_flag", "provider_discretion"] as const;
export type ZdrScope = "all_requests" | "per_request";

type Common = {
  orgId: string;
  ticketRef?: string | null;
  /** Optimistic concurrency: the version the actor saw; a stale one is a conflict. */
  expectedVersion?: number;
};

export type RestrictInput = Common & { reason: RestrictionReason; note: string };
export type EnableInput = Common & { reason: string; scope?: ZdrScope };
export type DisableInput = Common & { reason: string };
export type LiftInput = Common & { reason: string };

export type TransitionResult = { state: RetentionStateRow; auditId: number; noticeId: string; emails: number };

const uuid = z.uuid();
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(3, "must be at least 3 characters")
    .max(max, `must be at most ${max} characters`)
    // PostgreSQL text cannot hold NUL: refused here, it would otherwise fail the transaction with a 500.
    .regex(/^[^\u0000]*$/, "must not contain NUL characters");
const common = {
  orgId: uuid,
  ticketRef: z.string().trim().max(64, "must be at most 64 characters").regex(/^[A-Za-z0-9][A-Za-z0-9._#/-]*$/, "use letters, digits and . _ # / -").nullish().or(z.literal("")),
  expectedVersion: z.number().int().positive().optional(),
};
const RestrictSchema = z.object({ ...common, reason: z.enum(RESTRICTION_REASONS), note: text(1000) });
const EnableSchema = z.object({ ...common, reason: text(1000), scope: z.enum(["all_requests", "per_request"]).optional() });
const ReasonSchema = z.object({ ...common, reason: text(1000) });


/** The audit actor of a principal allowed to change retention. */
function auditActor(actor: Principal): Pick<AuditInput, "actorType" | "actorId" | "actorLabel"> {
  if (actor.kind === "user") return { actorType: "support", actorId: actor.userId, actorLabel: actor.email };
  if (actor.kind === "service") return { actorType: "service", actorId: actor.tokenId, actorLabel: actor.name };
  return { actorType: "system", actorId: null, actorLabel: actor.name };
}

/** What the audit trail records of a state: the retention fields, not timestamps of bookkeeping. */
export function auditView(s: RetentionStateRow) {
  return {
    zdrStatus: s.zdrStatus,
    zdrScope: s.zdrScope,
    restriction: s.restriction,
    restrictionReason: s.restrictionReason,
    restrictionNote: s.restrictionNote,
    version: s.version,
  };
}

type Locked = { state: RetentionStateRow; plan: Plan; orgName: string };

async function lockState(tx: Tx, orgId: string, expectedVersion: number | undefined): Promise<Locked> {
  const [row] = await tx
    .select({ state: retentionStates, plan: organizations.plan, orgName: organizations.name })
    .from(retentionStates)
    .innerJoin(organizations, eq(organizations.id, retentionStates.orgId))
    .where(eq(retentionStates.orgId, orgId))
    .for("update", { of: retentionStates });
  if (!row) throw notFound("Organization not found");
  if (expectedVersion !== undefined && row.state.version !== expectedVersion) {
    throw conflict(
      `Someone else changed this organization's retention state (you saw version ${expectedVersion}, it is now ${row.state.version}). Review the current state and try again.`,
      row.state,
    );
  }
  return row;
}

function conflict(message: string, current: RetentionStateRow): AppError {
  return new AppError("conflict", message, { current: auditView(current) });
}

type Change = {
  action: string;
  kind: NoticeKind;
  set: Partial<typeof retentionStates.$inferInsert>;
  reason: string;
  ticketRef: string | null;
  context: Omit<NoticeContext, "orgName" | "effectiveAt" | "contentRetentionDays" | "trainingUse" | "ticketRef">;
  after?: (tx: Tx, now: Date) => Promise<void>;
};

/** State, audit, notice and outbox in the caller's transaction. */
async function applyChange(tx: Tx, actor: Principal, locked: Locked, change: Change): Promise<TransitionResult> {
  const now = new Date();
  const [state] = await tx
    .update(retentionStates)
    .set({ ...change.set, version: sql`${retentionStates.version} + 1`, updatedAt: now })
    .where(and(eq(retentionStates.orgId, locked.state.orgId), eq(retentionStates.version, locked.state.version)))
    .returning();
  // The row is locked, so this cannot happen; the check keeps a lost update impossible by construction.
  if (!state) throw conflict("The retention state changed while this change was applied; try again.", locked.state);
  await change.after?.(tx, now);

  const audit = await appendAudit(tx, {
    orgId: state.orgId,
    ...auditActor(actor),
    action: change.action,
    before: auditView(locked.state),
    after: auditView(state),
    reason: change.reason,
    ticketRef: change.ticketRef,
  });

  const policy = effectivePolicy(locked.plan, state);
  const notice = composeNotice(change.kind, {
    ...change.context,
    orgName: locked.orgName,
    effectiveAt: now,
    contentRetentionDays: policy.contentRetentionDays,
    trainingUse: policy.trainingUse,
    ticketRef: change.ticketRef,
    zdrHonouredAfter: policy.zdr.honoured,
  });
  const [n] = await tx
    .insert(notices)
    .values({ orgId: state.orgId, kind: notice.kind, title: notice.title, body: notice.body, details: notice.details, auditId: audit.id, createdAt: now })
    .returning({ id: notices.id });
  const emails = await enqueueNoticeEmails(tx, { orgId: state.orgId, noticeId: n.id, notice, appUrl: env().APP_URL });
  return { state, auditId: audit.id, noticeId: n.id, emails };
}

async function transition(db: Db, actor: Principal, orgId: string, expectedVersion: number | undefined, decide: (l: Locked) => Change): Promise<TransitionResult> {
  const result = await db.transaction(async (tx) => {
    const locked = await lockState(tx, orgId, expectedVersion);
    return applyChange(tx, actor, locked, decide(locked));
  });
  kickOutbox();
  return result;
}

const ticket = (t: string | null | undefined) => (t ? t : null);

/**
 * Restricts ZDR for an organization: support staff, or a service token with
 * moderation:write (an automated flag). While restricted ZDR is not honoured.
 */
export async function restrictOrganization(actor: Principal, input: RestrictInput, db: Db = getDb()): Promise<RetentionStateRow> {
  return (await restrictOrganizationDetailed(actor, input, db)).state;
}

export async function restrictOrganizationDetailed(actor: Principal, input: RestrictInput, db: Db = getDb()): Promise<TransitionResult> {
  if (actor.kind === "service") assertScope(actor, "moderation:write");
  else assertSupport(actor);
  const i = parseInput(RestrictSchema, input);
  return transition(db, actor, i.orgId, i.expectedVersion, ({ state }) => {
    if (state.restriction === "restricted") throw conflict("This organization is already restricted.", state);
    return {
      action: "zdr.restricted",
      kind: "zdr_restricted",
      set: { restriction: "restricted", restrictionReason: i.reason, restrictionNote: i.note, restrictedSince: new Date() },
      reason: i.note,
      ticketRef: ticket(i.ticketRef),
      context: { restriction: { reason: i.reason, note: i.note } },
    };
  });
}

/** Lifts a restriction; the ZDR state from before it applies again. */
export async function liftRestriction(actor: Principal, input: LiftInput, db: Db = getDb()): Promise<TransitionResult> {
  assertSupport(actor);
  const i = parseInput(ReasonSchema, input);
  return transition(db, actor, i.orgId, i.expectedVersion, ({ state }) => {
    if (state.restriction !== "restricted") throw conflict("This organization is not restricted, so there is nothing to lift.", state);
    return {
      action: "zdr.restriction_lifted",
      kind: "restriction_lifted",
      set: { restriction: "none", restrictionReason: null, restrictionNote: null, restrictedSince: null },
      reason: i.reason,
      ticketRef: ticket(i.ticketRef),
      context: {},
    };
  });
}

/**
 * Turns ZDR on (support verified the requester, or enables it directly).
 * Enterprise plans only; resolves a pending request as approved.
 */
export async function enableZeroRetention(actor: Principal, input: EnableInput, db: Db = getDb()): Promise<TransitionResult> {
  assertSupport(actor);
  const i = parseInput(EnableSchema, input);
  return transition(db, actor, i.orgId, i.expectedVersion, ({ state, plan }) => {
    if (plan !== "enterprise") {
      if (i.scope === "per_request") throw new AppError("invalid", "scope: per-request ZDR is for enterprise plans only", { fields: ["scope"] });
      throw conflict(`Zero Data Retention is for enterprise plans only; this organization is on the ${plan} plan.`, state);
    }
    if (state.zdrStatus === "active") throw conflict("Zero Data Retention is already active for this organization.", state);
    const scope = i.scope ?? state.zdrScope;
    return {
      action: "zdr.enabled",
      kind: "zdr_enabled",
      set: { zdrStatus: "active", zdrScope: scope, zdrSince: new Date() },
      reason: i.reason,
      ticketRef: ticket(i.ticketRef),
      context: { zdrScope: scope },
      after: async (tx, now) => {
        await tx
          .update(zdrRequests)
          .set({ status: "approved", resolvedBy: actor.kind === "user" ? actor.userId : null, resolvedAt: now })
          .where(and(eq(zdrRequests.orgId, i.orgId), eq(zdrRequests.status, "pending")));
      },
    };
  });
}

/** Turns ZDR off (on the customer's request), or declines a pending request. */
export async function disableZeroRetention(actor: Principal, input: DisableInput, db: Db = getDb()): Promise<TransitionResult> {
  assertSupport(actor);
  const i = parseInput(ReasonSchema, input);
  return transition(db, actor, i.orgId, i.expectedVersion, ({ state }) => {
    if (state.zdrStatus === "off") throw conflict("Zero Data Retention is already off for this organization.", state);
    const declining = state.zdrStatus === "requested";
    return {
      action: declining ? "zdr.request_declined" : "zdr.disabled",
      kind: "zdr_disabled",
      set: { zdrStatus: "off", zdrSince: null },
      reason: i.reason,
      ticketRef: ticket(i.ticketRef),
      context: { declined: declining },
      after: async (tx, now) => {
        await tx
          .update(zdrRequests)
          .set({ status: "rejected", resolvedBy: actor.kind === "user" ? actor.userId : null, resolvedAt: now })
          .where(and(eq(zdrRequests.orgId, i.orgId), eq(zdrRequests.status, "pending")));
      },
    };
  });
}
