/**
 * Moderation flags from the automated moderation system: categories and a
 * severity, never content. A flag with `restrict` restricts the org's ZDR at
 * once through the same domain function support staff use, so the audit
 * entry and the admins' notices follow from there.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, getDbHandle, type Db, type Tx } from "@/lib/db";
import { announceLocally } from "@/lib/db/listen";
import { moderationFlags, organizations, retentionStates } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, issueProblems, notFound, parseInput, ValidationError } from "@/lib/errors";
import { appendAudit } from "@/lib/audit/chain";
import { FlagReviewOutcomeSchema, type FlagReviewStatus } from "@/lib/vocabulary";
import { restrictOrganizationIn } from "@/lib/retention/service";
import { kickOutbox } from "@/lib/notify/worker";

export const MODERATION_SEVERITIES = ["low", "medium", "high", "critical"] as const;

export const ModerationFlagSchema = z
  .object({
    orgId: z.uuid(),
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,63}$/)
      .meta({ description: "A category of the moderation system's taxonomy (lower-case identifier, e.g. `self_harm`), never content." }),
    severity: z.enum(MODERATION_SEVERITIES),
    restrict: z.boolean().meta({ description: "Restrict the organization's ZDR at once (reason `automated_flag`)." }),
  })
  .strict()
  .meta({ id: "ModerationFlag" });

export const ModerationFlagResultSchema = z
  .object({
    id: z.uuid(),
    orgId: z.uuid(),
    restricted: z.boolean().meta({ description: "Whether the organization is restricted after this flag." }),
    restrictedByThisFlag: z.boolean(),
  })
  .strict()
  .meta({ id: "ModerationFlagResult" });

export type ModerationFlagResult = z.infer<typeof ModerationFlagResultSchema>;

export async function recordModerationFlag(actor: Principal | null, body: unknown, db: Db = getDb()): Promise<ModerationFlagResult> {
  authorize(actor, "moderation.write");
  const parsed = ModerationFlagSchema.safeParse(body);
  if (!parsed.success) {
    const errors = issueProblems(parsed.error, "json", "unknown field: a flag carries categories only, never content");
    throw new ValidationError("The flag was rejected: invalid field(s). Nothing was stored.", errors);
  }
  const flag = parsed.data;
  const principal = actor;
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, flag.orgId));
  if (!org)
    throw new ValidationError("The flag was rejected: unknown organization. Nothing was stored.", [{ path: "$.orgId", problem: "unknown organization" }]);

  const result = await db.transaction(async (tx: Tx) => {
    const [row] = await tx
      .insert(moderationFlags)
      .values({
        orgId: flag.orgId,
        category: flag.category,
        severity: flag.severity,
        restrict: flag.restrict,
        tokenId: principal.kind === "service" ? principal.tokenId : null,
      })
      .returning({ id: moderationFlags.id });
    const [state] = await tx.select({ restriction: retentionStates.restriction }).from(retentionStates).where(eq(retentionStates.orgId, flag.orgId));
    const already = state?.restriction === "restricted";
    let restrictedByThisFlag = false;
    if (flag.restrict && !already) {
      await restrictOrganizationIn(tx, principal, {
        orgId: flag.orgId,
        reason: "automated_flag",
        note: `Automated moderation flag: ${flag.category} (severity ${flag.severity}).`,
        ticketRef: `flag-${row.id}`,
      });
      restrictedByThisFlag = true;
    }
    return { id: row.id, orgId: flag.orgId, restricted: already || restrictedByThisFlag, restrictedByThisFlag };
  });
  // After the commit: the admins' mail goes out now, and this instance's policy cache drops the org (the others hear the trigger's NOTIFY).
  if (result.restrictedByThisFlag) {
    kickOutbox();
    announceLocally(getDbHandle(), `org:${flag.orgId}`);
  }
  return result;
}

/** Support's review of a flag: it stands (reviewed) or was a false positive (dismissed), with the reason typed. */
export const FlagReviewForm = z.object({
  flagId: z.uuid({ error: "Unknown flag" }),
  outcome: FlagReviewOutcomeSchema,
  note: z
    .string()
    .trim()
    .min(1, "Say why, for the audit trail")
    .max(500, "At most 500 characters")
    .regex(/^[^\u0000]*$/, "No NUL characters"),
});
export type FlagReviewInput = z.input<typeof FlagReviewForm>;

/**
 * Closes an open flag, audited in the same transaction. A flag is reviewed
 * once: a second review is a conflict, so two agents cannot both decide. A
 * dismissal does not lift a restriction the flag caused: that stays a
 * decision of its own on the account page (lift, with a reason and ticket).
 */
export async function reviewModerationFlag(actor: Principal | null, raw: FlagReviewInput, db: Db = getDb()) {
  authorize(actor, "moderation.review");
  const input = parseInput(FlagReviewForm, raw);
  return db.transaction(async (tx: Tx) => {
    const [flag] = await tx.select().from(moderationFlags).where(eq(moderationFlags.id, input.flagId));
    if (!flag) throw notFound("Moderation flag not found");
    const [row] = await tx
      .update(moderationFlags)
      .set({ reviewStatus: input.outcome, reviewedBy: actor.userId, reviewedAt: new Date(), reviewNote: input.note })
      .where(and(eq(moderationFlags.id, input.flagId), eq(moderationFlags.reviewStatus, "open")))
      .returning();
    if (!row) throw new AppError("conflict", "This flag was already reviewed; the page now shows who decided.");
    const view = (status: FlagReviewStatus) => ({ flagId: flag.id, category: flag.category, severity: flag.severity, reviewStatus: status });
    await appendAudit(tx, {
      orgId: flag.orgId,
      actorType: "support",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: input.outcome === "dismissed" ? "moderation.flag_dismissed" : "moderation.flag_reviewed",
      before: view("open"),
      after: view(input.outcome),
      reason: input.note,
      ticketRef: `flag-${flag.id}`,
    });
    return row;
  });
}
