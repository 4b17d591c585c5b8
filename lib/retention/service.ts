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
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, parseInput, notFound } from "@/lib/errors";
import { env } from "@/lib/env";
import { stateWording } from "./wording";
import { composeNotice, type NoticeContext, type NoticeKind } from "@/lib/notify/compose";
import { enqueueNoticeEmails } from "@/lib/notify/outbox";
import { kickOutbox } from "@/lib/notify/worker";
import { enqueueWebhookEvent } from "@/lib/webhooks/service";
import {
  RestrictionReasonSchema,
  WEBHOOK_EVENT_TYPES,
  ZdrScopeSchema,
  type Plan,
  type RestrictionReason,
  type WebhookEventType,
  type ZdrScope,
} from "@/lib/vocabulary";
import { effectivePolicy, type RetentionStateRow } from "./policy";

export type TransitionResult = { state: RetentionStateRow; orgName: string; auditId: number; noticeId: string; emails: number };

/**
 * The transitions support staff can make from a state, in the order the
 * console offers them. The domain functions below refuse any other, and the
 * support page renders its buttons from this list, so the two cannot differ.
 */
export type RetentionTransition = "enable" | "disable" | "decline" | "restrict" | "lift";

export function availableTransitions(plan: Plan, state: Pick<RetentionStateRow, "zdrStatus" | "restriction">): RetentionTransition[] {
  const out: RetentionTransition[] = [];
  if (state.zdrStatus !== "active" && plan === "enterprise") out.push("enable");
  if (state.zdrStatus === "requested") out.push("decline");
  if (state.zdrStatus === "active") out.push("disable");
  out.push(state.restriction === "restricted" ? "lift" : "restrict");
  return out;
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(3, "must be at least 3 characters")
    .max(max, `must be at most ${max} characters`)
    // PostgreSQL text cannot hold NUL: refused here, it would otherwise fail the transaction with a 500.
    .regex(/^[^\u0000]*$/, "must not contain NUL characters");
const TicketRef = z
  .string()
  .trim()
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._#/-]*$/, "use letters, digits and . _ # / - only");
const common = {
  orgId: z.uuid(),
  ticketRef: TicketRef.nullish().or(z.literal("")),
  /** Optimistic concurrency: the version the actor saw; a stale one is a conflict. */
  expectedVersion: z.number().int().positive().optional(),
};

/** The input of each operation; the support console's forms extend these (lib/retention/forms.ts). */
export const RestrictInput = z.object({ ...common, reason: RestrictionReasonSchema, note: text(1000) });
export const EnableInput = z.object({ ...common, reason: text(1000), scope: ZdrScopeSchema.optional() });
export const DisableInput = z.object({ ...common, reason: text(1000) });
export const LiftInput = DisableInput;
export type RestrictInput = z.input<typeof RestrictInput>;
export type EnableInput = z.input<typeof EnableInput>;
export type DisableInput = z.input<typeof DisableInput>;
export type LiftInput = z.input<typeof LiftInput>;
export type { RestrictionReason, ZdrScope };
export { TicketRef };

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

type Locked = { state: RetentionStateRow; plan: Plan; orgName: string; timeZone: string };

async function lockState(tx: Tx, orgId: string, expectedVersion: number | undefined): Promise<Locked> {
  const [row] = await tx
    .select({ state: retentionStates, plan: organizations.plan, orgName: organizations.name, timeZone: organizations.timeZone })
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
  context: Omit<NoticeContext, "orgName" | "effectiveAt" | "contentRetentionDays" | "trainingUse" | "ticketRef" | "meaning" | "timeZone" | "supportReason">;
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
    meaning: stateWording(policy).meaning,
    timeZone: locked.timeZone,
    supportReason: change.reason,
    zdrStatusBefore: locked.state.zdrStatus,
  });
  const [n] = await tx
    .insert(notices)
    .values({ orgId: state.orgId, kind: notice.kind, title: notice.title, body: notice.body, details: notice.details, auditId: audit.id, createdAt: now })
    .returning({ id: notices.id });
  const emails = await enqueueNoticeEmails(tx, { orgId: state.orgId, noticeId: n.id, notice, appUrl: env().APP_URL });
  // The org's webhooks hear of it in the same commit: ids and states, never the note typed by support.
  if ((WEBHOOK_EVENT_TYPES as readonly string[]).includes(change.action)) {
    await enqueueWebhookEvent(tx, {
      orgId: state.orgId,
      type: change.action as WebhookEventType,
      data: {
        orgId: state.orgId,
        zdrStatus: state.zdrStatus,
        zdrScope: state.zdrScope,
        restriction: state.restriction,
        restrictionReason: state.restrictionReason,
        zdrHonoured: policy.zdr.honoured,
        version: state.version,
        auditId: audit.id,
        effectiveAt: now.toISOString(),
      },
    });
  }
  return { state, orgName: locked.orgName, auditId: audit.id, noticeId: n.id, emails };
}

function ensureAvailable(locked: Locked, t: RetentionTransition, why: string): void {
  if (!availableTransitions(locked.plan, locked.state).includes(t)) throw conflict(why, locked.state);
}

/** Runs a transition in the caller's transaction `tx`; the caller commits, then kicks the outbox. */
async function transitionIn(
  tx: Tx,
  actor: Principal,
  orgId: string,
  expectedVersion: number | undefined,
  decide: (l: Locked) => Change,
): Promise<TransitionResult> {
  const locked = await lockState(tx, orgId, expectedVersion);
  return applyChange(tx, actor, locked, decide(locked));
}

/** A transition in a transaction of its own; the outbox is kicked after it commits. */
async function transition(db: Db, ...args: Parameters<typeof transitionIn> extends [Tx, ...infer R] ? R : never): Promise<TransitionResult> {
  const result = await db.transaction((tx) => transitionIn(tx, ...args));
  kickOutbox();
  return result;
}

const ticket = (t: string | null | undefined) => (t ? t : null);

function restrictChange(i: z.infer<typeof RestrictInput>): (l: Locked) => Change {
  return (locked) => {
    ensureAvailable(locked, "restrict", "This organization is already restricted.");
    return {
      action: "zdr.restricted",
      kind: "zdr_restricted",
      set: { restriction: "restricted", restrictionReason: i.reason, restrictionNote: i.note, restrictedSince: new Date() },
      reason: i.note,
      ticketRef: ticket(i.ticketRef),
      context: { restriction: { reason: i.reason, note: i.note } },
    };
  };
}

/**
 * Restricts ZDR for an organization: support staff, or a service token with
 * moderation:write (an automated flag). While restricted ZDR is not honoured.
 */
export async function restrictOrganization(actor: Principal | null, input: RestrictInput, db: Db = getDb()): Promise<TransitionResult> {
  authorize(actor, "retention.restrict");
  const i = parseInput(RestrictInput, input);
  return transition(db, actor, i.orgId, i.expectedVersion, restrictChange(i));
}

/**
 * The same restriction inside the caller's transaction (a moderation flag
 * records itself and restricts in one commit); the caller kicks the outbox
 * after its commit.
 */
export async function restrictOrganizationIn(tx: Tx, actor: Principal | null, input: RestrictInput): Promise<TransitionResult> {
  authorize(actor, "retention.restrict");
  const i = parseInput(RestrictInput, input);
  return transitionIn(tx, actor, i.orgId, i.expectedVersion, restrictChange(i));
}

/** Lifts a restriction; the ZDR state from before it applies again. */
export async function liftRestriction(actor: Principal | null, input: LiftInput, db: Db = getDb()): Promise<TransitionResult> {
  authorize(actor, "retention.lift");
  const i = parseInput(LiftInput, input);
  return transition(db, actor, i.orgId, i.expectedVersion, (locked) => {
    ensureAvailable(locked, "lift", "This organization is not restricted, so there is nothing to lift.");
    return {
      action: "zdr.restriction_lifted",
      kind: "restriction_lifted",
      // ZDR is honoured again from now: "active since" restarts after the gap, as the coverage on /retention shows.
      set: {
        restriction: "none",
        restrictionReason: null,
        restrictionNote: null,
        restrictedSince: null,
        ...(locked.state.zdrStatus === "active" ? { zdrSince: new Date() } : {}),
      },
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
export async function enableZeroRetention(actor: Principal | null, input: EnableInput, db: Db = getDb()): Promise<TransitionResult> {
  authorize(actor, "retention.enable");
  const i = parseInput(EnableInput, input);
  return transition(db, actor, i.orgId, i.expectedVersion, (locked) => {
    const { state, plan } = locked;
    if (plan !== "enterprise") {
      if (i.scope === "per_request") throw new AppError("invalid", "scope: per-request ZDR is for enterprise plans only", { fields: ["scope"] });
      throw conflict(`Zero Data Retention is for enterprise plans only; this organization is on the ${plan} plan.`, state);
    }
    ensureAvailable(locked, "enable", "Zero Data Retention is already active for this organization.");
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
export async function disableZeroRetention(actor: Principal | null, input: DisableInput, db: Db = getDb()): Promise<TransitionResult> {
  authorize(actor, "retention.disable");
  const i = parseInput(DisableInput, input);
  return transition(db, actor, i.orgId, i.expectedVersion, (locked) => {
    const { state } = locked;
    const declining = state.zdrStatus === "requested";
    ensureAvailable(locked, declining ? "decline" : "disable", "Zero Data Retention is already off for this organization.");
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
