/**
 * A customer admin asks for Zero Data Retention: off → requested. The state,
 * the request row support works from, and the audit entry commit together or
 * not at all. Support's side of the machine lives in ./service.ts.
 */
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { organizations, retentionStates, zdrRequests } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound, parseInput } from "@/lib/errors";
import { effectivePolicy, type Plan } from "./policy";
import { requestEligibility } from "./queries";
import { ZDR_SCOPE_LABELS, ZdrScopeSchema } from "@/lib/vocabulary";
import { env } from "@/lib/env";
import { composeZdrRequestEmail } from "@/lib/notify/compose";
import { enqueueSupportEmails } from "@/lib/notify/outbox";
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
    return { state, request };
  });
  kickOutbox();
  return result;
}
