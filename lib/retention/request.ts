/**
 * A customer admin asks for Zero Data Retention: off → requested, and may
 * withdraw the request while it is pending: requested → off. The state, the
 * request row support works from, the audit entry and the emails (support's,
 * and the receipt to the org's admins) commit together or not at all.
 * Support's side of the machine lives in ./service.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { organizations, retentionStates, users, zdrRequests } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound, parseInput } from "@/lib/errors";
import { effectivePolicy, type Plan } from "./policy";
import { requestEligibility } from "./queries";
import { ZDR_REQUEST_STATUS_LABELS, ZDR_SCOPE_LABELS, ZdrScopeSchema } from "@/lib/vocabulary";
import { env } from "@/lib/env";
import { composeZdrReceiptEmail, composeZdrRequestEmail, composeZdrWithdrawnEmail, zdrRequestReference } from "@/lib/notify/compose";
import { enqueueEmail, enqueueSupportEmails, messageIdFor, orgAdmins } from "@/lib/notify/outbox";
import { kickOutbox } from "@/lib/notify/worker";

export const RequestZeroRetentionInput = z
  .object({
    orgId: z.uuid(),
    scope: ZdrScopeSchema.default("all_requests"),
    /** Why the org needs it (e.g. "HIPAA"), for support's verification; never request content. */
    note: z
      .string()
      .trim()
      .max(500, "At most 500 characters")
      .regex(/^[^\u0000]*$/, "No NUL characters")
      .optional(),
  })
  .strict();
export type RequestZeroRetentionInput = z.input<typeof RequestZeroRetentionInput>;

const WHY_NOT: Record<string, string> = {
  not_enterprise: "Zero Data Retention is available on the enterprise plan",
  restricted: "Zero Data Retention access is restricted for this organization",
  already_active: "Zero Data Retention is already active",
  already_requested: "A request for Zero Data Retention is already pending",
};

export async function requestZeroRetention(actor: Principal | null, input: RequestZeroRetentionInput, db: Db = getDb()) {
  const { orgId, scope, note } = parseInput(RequestZeroRetentionInput, input);
  authorize(actor, "retention.request", { orgId });

  const result = await db.transaction(async (tx) => {
    // The row lock orders this against support's transitions on the same org.
    const [row] = await tx
      .select({ plan: organizations.plan, orgName: organizations.name, state: retentionStates })
      .from(retentionStates)
      .innerJoin(organizations, eq(organizations.id, retentionStates.orgId))
      .where(eq(retentionStates.orgId, orgId))
      .for("update", { of: retentionStates });
    if (!row) throw notFound("Organization not found");
    const eligibility = requestEligibility(effectivePolicy(row.plan as Plan, row.state));
    if (!eligibility.allowed) {
      throw new AppError(eligibility.reason === "not_enterprise" ? "forbidden" : "conflict", WHY_NOT[eligibility.reason]);
    }

    const [state] = await tx
      .update(retentionStates)
      .set({
        zdrStatus: "requested",
        zdrScope: scope,
        zdrRequestedBy: actor.userId,
        version: sql`${retentionStates.version} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(retentionStates.orgId, orgId))
      .returning();
    const [request] = await tx
      .insert(zdrRequests)
      .values({ orgId, requestedBy: actor.userId, scope, note: note || null, status: "pending" })
      .returning();
    await appendAudit(tx, {
      orgId,
      actorType: "user",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "zdr.requested",
      before: { zdrStatus: row.state.zdrStatus, zdrScope: row.state.zdrScope },
      after: { zdrStatus: "requested", zdrScope: scope },
      reason: note || null,
      ticketRef: null,
    });
    // Support staff hear of it at once: the one-business-day target needs someone to know.
    const appUrl = env().APP_URL;
    await enqueueSupportEmails(tx, {
      orgId,
      key: `zdr-request-${request.id}`,
      appUrl,
      compose: (name) =>
        composeZdrRequestEmail({ orgName: row.orgName, orgId, scopeLabel: ZDR_SCOPE_LABELS[scope], requestedAt: request.createdAt }, name, appUrl),
    });
    // The receipt: to the admin who asked and the org's other admins (never members, never support).
    const [requester] = await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
    for (const admin of await orgAdmins(tx, orgId)) {
      const email = composeZdrReceiptEmail(
        {
          orgName: row.orgName,
          requestId: request.id,
          scopeLabel: ZDR_SCOPE_LABELS[scope],
          requestedAt: request.createdAt,
          requesterName: requester?.name ?? actor.email,
          note: request.note,
        },
        { name: admin.name, isRequester: admin.userId === actor.userId },
        appUrl,
      );
      await enqueueEmail(tx, {
        to: admin.email,
        recipientUserId: admin.userId,
        orgId,
        ...email,
        messageId: messageIdFor(`zdr-request-${request.id}`, admin.userId, appUrl, "receipt"),
      });
    }
    return { state, request: { ...request, reference: zdrRequestReference(request.id) } };
  });
  kickOutbox();
  return result;
}

export const WithdrawZeroRetentionInput = z.object({
  orgId: z.uuid(),
  requestId: z.uuid({ error: "Unknown request" }),
});
export type WithdrawZeroRetentionInput = z.input<typeof WithdrawZeroRetentionInput>;

/**
 * An admin of the org withdraws its pending request: the request is closed
 * as withdrawn (support's console shows it so) and the state goes back to
 * off, audited. Another organization's request is not found.
 */
export async function withdrawZeroRetentionRequest(actor: Principal | null, input: WithdrawZeroRetentionInput, db: Db = getDb()) {
  const { orgId, requestId } = parseInput(WithdrawZeroRetentionInput, input);
  authorize(actor, "retention.request.withdraw", { orgId });
  const result = await db.transaction(async (tx) => {
    // The same lock as the request and support's transitions: a withdrawal and an enable cannot cross.
    const [state] = await tx.select().from(retentionStates).where(eq(retentionStates.orgId, orgId)).for("update");
    if (!state) throw notFound("Organization not found");
    const [request] = await tx
      .select()
      .from(zdrRequests)
      .where(and(eq(zdrRequests.id, requestId), eq(zdrRequests.orgId, orgId)));
    if (!request) throw notFound("ZDR request not found");
    const reference = zdrRequestReference(request.id);
    if (request.status !== "pending") {
      throw new AppError(
        "conflict",
        `The request ${reference} is no longer pending (${ZDR_REQUEST_STATUS_LABELS[request.status].toLowerCase()}); nothing was changed.`,
      );
    }
    const now = new Date();
    await tx
      .update(zdrRequests)
      .set({ status: "withdrawn", resolvedBy: actor.userId, resolvedAt: now })
      .where(and(eq(zdrRequests.id, request.id), eq(zdrRequests.status, "pending")));
    const [after] = await tx
      .update(retentionStates)
      .set({ zdrStatus: "off", version: sql`${retentionStates.version} + 1`, updatedAt: now })
      .where(and(eq(retentionStates.orgId, orgId), eq(retentionStates.zdrStatus, "requested")))
      .returning();
    await appendAudit(tx, {
      orgId,
      actorType: "user",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "zdr.request_withdrawn",
      before: { zdrStatus: state.zdrStatus, zdrScope: state.zdrScope, requestId: request.id },
      after: { zdrStatus: after?.zdrStatus ?? state.zdrStatus, zdrScope: state.zdrScope, requestId: request.id },
      reason: null,
      ticketRef: null,
    });
    // Support staff hear of it too, so nobody reviews a request that is gone.
    const [org] = await tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId));
    const appUrl = env().APP_URL;
    await enqueueSupportEmails(tx, {
      orgId,
      key: `zdr-withdrawn-${request.id}`,
      appUrl,
      compose: (name) =>
        composeZdrWithdrawnEmail({ orgName: org.name, orgId, requestId: request.id, withdrawnBy: actor.name || actor.email, withdrawnAt: now }, name, appUrl),
    });
    return { reference, state: after ?? state };
  });
  kickOutbox();
  return result;
}
