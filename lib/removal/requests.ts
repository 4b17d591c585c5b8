/**
 * Removal requests, the customer's and support's side of the machine:
 *
 *   pending → approved → running → completed | failed
 *   pending → rejected | cancelled
 *
 * Every transition commits its new state, an audit entry, an in-app notice
 * and one email per admin (outbox) in one transaction (`transitionIn`). The
 * job side (approved → running → completed | failed) lives in ./jobs.ts and
 * goes through the same `transitionIn`.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, queryRows, type Db, type Tx } from "@/lib/db";
import { notices, organizations, projects, removalJobs, removalOrders, removalRequests } from "@/lib/db/schema";
import { appendAudit, type AuditInput } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound, parseInput, ValidationError } from "@/lib/errors";
import { env } from "@/lib/env";
import { composeNotice, type RemovalNoticeContext } from "@/lib/notify/compose";
import { enqueueNoticeEmails } from "@/lib/notify/outbox";
import { kickOutbox } from "@/lib/notify/worker";
import { enqueueWebhookEvent } from "@/lib/webhooks/service";
import { kickRemovalRunner } from "./kick";
import { TicketRef } from "@/lib/retention/service";
import { addDays, dayDiff, localDate } from "@/lib/usage/range";
import { RemovalScopeSchema, type NoticeKind, type RemovalStatus } from "@/lib/vocabulary";

export type RemovalRequest = typeof removalRequests.$inferSelect;

/** The states a request is "under way" in: a second request overlapping one of these is refused. */
export const UNDER_WAY: RemovalStatus[] = ["pending", "approved", "running"];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-01-31")
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), "must be a real calendar date");
const identifier = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$/, "must be an API key id (letters, digits and . _ : / @ + -)");
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === "" ? undefined : v), s.optional());
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/**
 * What a customer admin asks for. The range is /usage's: `7d`, `30d`, `90d`
 * (ending today in the org's time zone) or `custom` with `from` and `to`
 * (calendar days, both inclusive).
 */
export const RequestRemovalInput = z.object({
  orgId: z.uuid(),
  scope: RemovalScopeSchema,
  projectId: optional(z.uuid("must be a project id")),
  apiKeyId: optional(identifier),
  range: z.enum(["7d", "30d", "90d", "custom"], { error: "Choose 7d, 30d, 90d or custom" }),
  from: optional(isoDate),
  to: optional(isoDate),
  includeContent: checkbox.default(false),
});
export type RequestRemovalInput = z.input<typeof RequestRemovalInput>;

const reason = z
  .string()
  .trim()
  .min(3, "must be at least 3 characters")
  .max(1000, "must be at most 1000 characters")
  .regex(/^[^\u0000]*$/, "must not contain NUL characters");
export const ReviewRemovalInput = z.object({
  requestId: z.uuid(),
  reason,
  ticketRef: TicketRef.nullish().or(z.literal("")),
});
export type ReviewRemovalInput = z.input<typeof ReviewRemovalInput>;
/** Support's review form: the button pressed is the decision. */
export const ReviewRemovalForm = ReviewRemovalInput.extend({ decision: z.enum(["approve", "reject"], { error: "Choose approve or reject" }) });
export const CancelRemovalInput = z.object({ orgId: z.uuid(), requestId: z.uuid() });
export type CancelRemovalInput = z.input<typeof CancelRemovalInput>;

const DAYS = { "7d": 7, "30d": 30, "90d": 90 } as const;

/**
 * The days a range covers, checked against today and the data kept; each
 * refusal names the field it is about.
 */
export function resolveRemovalDays(
  i: { range: "7d" | "30d" | "90d" | "custom"; from?: string; to?: string },
  timeZone: string,
  retentionDays: number,
  now: Date = new Date(),
): { fromDay: string; toDay: string } {
  const today = localDate(now, timeZone);
  let fromDay: string;
  let toDay: string;
  if (i.range === "custom") {
    const missing = [!i.from && "from", !i.to && "to"].filter(Boolean) as string[];
    if (missing.length)
      throw new ValidationError(
        "The range is empty: a custom range needs a first and a last day.",
        missing.map((path) => ({ path, problem: "is required for a custom range" })),
      );
    fromDay = i.from!;
    toDay = i.to!;
    if (fromDay > toDay) throw new ValidationError("The range is reversed.", [{ path: "to", problem: "must be on or after the first day" }]);
  } else {
    toDay = today;
    fromDay = addDays(today, -(DAYS[i.range] - 1));
  }
  if (toDay > today) throw new ValidationError("The range is in the future.", [{ path: "to", problem: `must not be after today (${today} in ${timeZone})` }]);
  const oldest = addDays(today, -(retentionDays - 1));
  if (dayDiff(fromDay, toDay) + 1 > retentionDays || fromDay < oldest) {
    throw new ValidationError("The range is longer than the data kept.", [
      { path: i.range === "custom" ? "from" : "range", problem: `must not start before ${oldest}: raw usage events are kept for ${retentionDays} days` },
    ]);
  }
  return { fromDay, toDay };
}

function auditActor(actor: Principal): Pick<AuditInput, "actorType" | "actorId" | "actorLabel"> {
  if (actor.kind === "user") return { actorType: actor.isSupport ? "support" : "user", actorId: actor.userId, actorLabel: actor.email };
  if (actor.kind === "service") return { actorType: "service", actorId: actor.tokenId, actorLabel: actor.name };
  return { actorType: "system", actorId: null, actorLabel: actor.name };
}

/** What the audit trail records of a request. */
export function removalAuditView(r: RemovalRequest) {
  return {
    requestId: r.id,
    status: r.status,
    scope: r.scope,
    projectId: r.projectId,
    apiKeyId: r.apiKeyId,
    fromDay: r.fromDay,
    toDay: r.toDay,
    includeContent: r.includeContent,
    counts: r.counts ?? null,
  };
}

export function scopeLabel(r: Pick<RemovalRequest, "scope" | "projectId" | "apiKeyId">, projectName?: string | null): string {
  if (r.scope === "organization") return "the whole organization";
  if (r.scope === "project") return `project ${projectName ?? r.projectId}`;
  return `API key ${r.apiKeyId}`;
}

const NOTICE_OF: Partial<Record<RemovalStatus, NoticeKind>> = {
  pending: "removal_requested",
  approved: "removal_approved",
  rejected: "removal_rejected",
  cancelled: "removal_cancelled",
  running: "removal_running",
  completed: "removal_completed",
  failed: "removal_failed",
};

export type RemovalTransition = {
  action: string;
  reason?: string | null;
  ticketRef?: string | null;
  notice?: Partial<RemovalNoticeContext>;
};

/**
 * Records a request's new state (already written by the caller in `tx`):
 * audit entry, notice and admin emails, in the caller's transaction. The
 * caller kicks the outbox after its commit.
 */
export async function recordTransitionIn(
  tx: Tx,
  actor: Principal,
  before: RemovalRequest | null,
  after: RemovalRequest,
  t: RemovalTransition,
): Promise<{ auditId: number }> {
  const [org] = await tx.select({ name: organizations.name, timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, after.orgId));
  const [project] = after.projectId ? await tx.select({ name: projects.name }).from(projects).where(eq(projects.id, after.projectId)) : [];
  const audit = await appendAudit(tx, {
    orgId: after.orgId,
    ...auditActor(actor),
    action: t.action,
    before: before ? removalAuditView(before) : null,
    after: removalAuditView(after),
    reason: t.reason ?? null,
    ticketRef: t.ticketRef ?? null,
  });
  await tx.update(removalRequests).set({ lastAuditId: audit.id }).where(eq(removalRequests.id, after.id));
  const kind = NOTICE_OF[after.status]!;
  const now = new Date();
  const notice = composeNotice(kind, {
    orgName: org.name,
    effectiveAt: now,
    timeZone: org.timeZone,
    contentRetentionDays: 0,
    trainingUse: false,
    ticketRef: t.ticketRef ?? null,
    removal: {
      requestId: after.id,
      scopeLabel: scopeLabel(after, project?.name),
      fromDay: after.fromDay,
      toDay: after.toDay,
      includeContent: after.includeContent,
      ...t.notice,
    },
  });
  const [n] = await tx
    .insert(notices)
    .values({ orgId: after.orgId, kind, title: notice.title, body: notice.body, details: notice.details, auditId: audit.id, createdAt: now })
    .returning({ id: notices.id });
  await enqueueNoticeEmails(tx, { orgId: after.orgId, noticeId: n.id, notice, appUrl: env().APP_URL });
  // The org's webhooks hear of a completed removal in the same commit: ids, states and counts (an API key's id may hold
  // characters a webhook value does not carry, so the scope is named by kind and project; the request id leads to the rest).
  if (t.action === "removal.completed") {
    await enqueueWebhookEvent(tx, {
      orgId: after.orgId,
      type: "removal.completed",
      data: {
        requestId: after.id,
        orgId: after.orgId,
        status: after.status,
        scope: after.scope,
        projectId: after.projectId,
        fromDay: after.fromDay,
        toDay: after.toDay,
        includeContent: after.includeContent,
        eventsRemoved: typeof t.notice?.eventsRemoved === "number" ? t.notice.eventsRemoved : null,
        fleetItemsRemoved: typeof t.notice?.fleetItemsRemoved === "number" ? t.notice.fleetItemsRemoved : null,
        auditId: audit.id,
        completedAt: (after.finishedAt ?? now).toISOString(),
      },
    });
  }
  return { auditId: audit.id };
}

/** Whether a project belongs to the org; another org's project is as unknown as a missing one (404). */
async function projectInOrg(tx: Tx, orgId: string, projectId: string): Promise<boolean> {
  const [p] = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, orgId)));
  return !!p;
}

/** A customer admin asks for usage data to be removed. */
export async function requestRemoval(
  actor: Principal | null,
  input: RequestRemovalInput,
  db: Db = getDb(),
  options: { now?: Date } = {},
): Promise<RemovalRequest> {
  const i = parseInput(RequestRemovalInput, input);
  authorize(actor, "removal.request", { orgId: i.orgId });
  if (i.scope === "project" && !i.projectId)
    throw new ValidationError("Choose the project.", [{ path: "projectId", problem: "is required for a project removal" }]);
  if (i.scope === "api_key" && !i.apiKeyId)
    throw new ValidationError("Name the API key.", [{ path: "apiKeyId", problem: "is required for an API key removal" }]);

  const result = await db.transaction(async (tx) => {
    // The org row lock orders concurrent requests of one org, so two overlapping ones cannot both pass the check.
    const [org] = await tx
      .select({ id: organizations.id, timeZone: organizations.timeZone, retentionDays: organizations.usageRetentionDays })
      .from(organizations)
      .where(eq(organizations.id, i.orgId))
      .for("update");
    if (!org) throw notFound("Organization not found");
    if (i.scope === "project" && !(await projectInOrg(tx, org.id, i.projectId!))) throw notFound("Project not found");
    const { fromDay, toDay } = resolveRemovalDays(i, org.timeZone, org.retentionDays, options.now);

    const [overlap] = await tx
      .select({ id: removalRequests.id, status: removalRequests.status, fromDay: removalRequests.fromDay, toDay: removalRequests.toDay })
      .from(removalRequests)
      .where(
        and(
          eq(removalRequests.orgId, org.id),
          inArray(removalRequests.status, UNDER_WAY),
          sql`${removalRequests.fromDay} <= ${toDay}::date and ${removalRequests.toDay} >= ${fromDay}::date`,
        ),
      )
      .limit(1);
    if (overlap) {
      throw new AppError(
        "conflict",
        `This range overlaps a removal request that is under way (${overlap.status}, ${overlap.fromDay} to ${overlap.toDay}); wait until it finishes or cancel it first.`,
        {
          fields: ["range"],
        },
      );
    }

    const [row] = await tx
      .insert(removalRequests)
      .values({
        orgId: org.id,
        scope: i.scope,
        projectId: i.scope === "project" ? i.projectId! : null,
        apiKeyId: i.scope === "api_key" ? i.apiKeyId! : null,
        fromDay,
        toDay,
        // The instants of the org's calendar days, derived by PostgreSQL as ingest derives an event's day.
        fromAt: sql`(${fromDay}::date::timestamp at time zone ${org.timeZone})`,
        toAt: sql`((${toDay}::date + 1)::timestamp at time zone ${org.timeZone})`,
        timeZone: org.timeZone,
        includeContent: i.includeContent,
        status: "pending",
        requestedBy: actor.kind === "user" ? actor.userId : null,
        requestedByLabel: actor.kind === "user" ? actor.email : null,
      })
      .returning();
    await recordTransitionIn(tx, actor, null, row, { action: "removal.requested" });
    return row;
  });
  kickOutbox();
  return result;
}

async function lockRequest(tx: Tx, requestId: string): Promise<RemovalRequest | undefined> {
  const [row] = await tx.select().from(removalRequests).where(eq(removalRequests.id, requestId)).for("update");
  return row;
}

function refuseTransition(r: RemovalRequest, to: string): AppError {
  return new AppError("conflict", `This request is ${r.status}, so it cannot be ${to}.`, { current: { status: r.status } });
}

/** A customer admin cancels a pending request. */
export async function cancelRemoval(actor: Principal | null, input: CancelRemovalInput, db: Db = getDb()): Promise<RemovalRequest> {
  const i = parseInput(CancelRemovalInput, input);
  authorize(actor, "removal.request", { orgId: i.orgId });
  const out = await db.transaction(async (tx) => {
    const r = await lockRequest(tx, i.requestId);
    // Another org's request is as unknown as a missing one.
    if (!r || r.orgId !== i.orgId) throw notFound("Removal request not found");
    if (r.status !== "pending") throw refuseTransition(r, "cancelled");
    const [after] = await tx.update(removalRequests).set({ status: "cancelled", finishedAt: new Date() }).where(eq(removalRequests.id, r.id)).returning();
    await recordTransitionIn(tx, actor, r, after, { action: "removal.cancelled" });
    return after;
  });
  kickOutbox();
  return out;
}

type Review = "approve" | "reject";

/** Support approves (a job and, with content, a fleet order are created) or rejects a pending request. */
async function review(actor: Principal | null, decision: Review, input: ReviewRemovalInput, db: Db): Promise<RemovalRequest> {
  authorize(actor, "removal.review");
  const i = parseInput(ReviewRemovalInput, input);
  const ticketRef = i.ticketRef ? i.ticketRef : null;
  const out = await db.transaction(async (tx) => {
    const r = await lockRequest(tx, i.requestId);
    if (!r) throw notFound("Removal request not found");
    if (r.status !== "pending") throw refuseTransition(r, decision === "approve" ? "approved" : "rejected");
    const now = new Date();
    const [after] = await tx
      .update(removalRequests)
      .set({
        status: decision === "approve" ? "approved" : "rejected",
        reviewedBy: actor.kind === "user" ? actor.userId : null,
        reviewedByLabel: actor.kind === "user" ? actor.email : null,
        reviewReason: i.reason,
        ticketRef,
        reviewedAt: now,
        ...(decision === "reject" ? { finishedAt: now } : {}),
      })
      .where(eq(removalRequests.id, r.id))
      .returning();
    if (decision === "approve") {
      await tx.insert(removalJobs).values({
        kind: "request",
        requestId: r.id,
        orgId: r.orgId,
        projectId: r.projectId,
        apiKeyId: r.apiKeyId,
        fromAt: r.fromAt,
        toAt: r.toAt,
        adjustRollups: true,
      });
      if (r.includeContent) await tx.insert(removalOrders).values({ requestId: r.id, orgId: r.orgId });
    }
    await recordTransitionIn(tx, actor, r, after, {
      action: decision === "approve" ? "removal.approved" : "removal.rejected",
      reason: i.reason,
      ticketRef,
      notice: { reason: i.reason },
    });
    return after;
  });
  kickOutbox();
  if (decision === "approve") kickRemovalRunner();
  return out;
}

export const approveRemoval = (actor: Principal | null, input: ReviewRemovalInput, db: Db = getDb()) => review(actor, "approve", input, db);
export const rejectRemoval = (actor: Principal | null, input: ReviewRemovalInput, db: Db = getDb()) => review(actor, "reject", input, db);

export type RemovalProgress = {
  eventsDeleted: number;
  rowsRemaining: number | null;
  batches: number;
  maxBatchMs: number;
  jobStatus: string;
};

export type RemovalRequestView = RemovalRequest & { progress: RemovalProgress | null; order: typeof removalOrders.$inferSelect | null };

async function withProgress(db: Tx, rows: RemovalRequest[]): Promise<RemovalRequestView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const jobs = await db.select().from(removalJobs).where(inArray(removalJobs.requestId, ids));
  const orders = await db.select().from(removalOrders).where(inArray(removalOrders.requestId, ids));
  return rows.map((r) => {
    const j = jobs.find((x) => x.requestId === r.id);
    return {
      ...r,
      progress: j
        ? { eventsDeleted: j.eventsDeleted, rowsRemaining: j.rowsRemaining, batches: j.batches, maxBatchMs: j.maxBatchMs, jobStatus: j.status }
        : null,
      order: orders.find((o) => o.requestId === r.id) ?? null,
    };
  });
}

/** An org's requests, newest first (customer admins, support). */
export async function listRemovalRequests(actor: Principal | null, input: { orgId: string }, db: Tx = getDb()): Promise<RemovalRequestView[]> {
  authorize(actor, "removal.read", { orgId: input.orgId });
  const rows = await db.select().from(removalRequests).where(eq(removalRequests.orgId, input.orgId)).orderBy(desc(removalRequests.createdAt)).limit(100);
  return withProgress(db, rows);
}

/** One request of an org; another org's is 404. */
export async function getRemovalRequest(actor: Principal | null, input: { orgId: string; requestId: string }, db: Tx = getDb()): Promise<RemovalRequestView> {
  authorize(actor, "removal.read", { orgId: input.orgId });
  if (!z.uuid().safeParse(input.requestId).success) throw notFound("Removal request not found");
  const [row] = await db
    .select()
    .from(removalRequests)
    .where(and(eq(removalRequests.id, input.requestId), eq(removalRequests.orgId, input.orgId)));
  if (!row) throw notFound("Removal request not found");
  return (await withProgress(db, [row]))[0];
}

export type SupportRemovalRow = RemovalRequestView & { orgName: string };

/** Support's queue: pending first (oldest first), then the recent others. */
export async function listRemovalsForSupport(actor: Principal | null, db: Tx = getDb()): Promise<SupportRemovalRow[]> {
  authorize(actor, "removal.review");
  const rows = await queryRows<{ id: string; org_name: string }>(
    db,
    sql`select r.id, o.name as org_name from removal_requests r join organizations o on o.id = r.org_id
        order by (r.status = 'pending') desc, case when r.status = 'pending' then r.created_at end asc, r.created_at desc limit 200`,
  );
  if (rows.length === 0) return [];
  const full = await db
    .select()
    .from(removalRequests)
    .where(
      inArray(
        removalRequests.id,
        rows.map((r) => r.id),
      ),
    );
  const views = await withProgress(db, full);
  return rows.map((r) => ({ ...views.find((v) => v.id === r.id)!, orgName: r.org_name }));
}
