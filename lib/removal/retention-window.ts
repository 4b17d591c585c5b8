/**
 * The usage retention window of an org: raw usage events older than it are
 * purged by the removal jobs (./jobs.ts, scheduleRetentionPurges); the
 * hourly and daily totals stay (they hold no request). Support staff change
 * it within bounds; the change is audited in the same transaction.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db";
import { organizations } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { notFound, parseInput } from "@/lib/errors";
import { TicketRef } from "@/lib/retention/service";
import { kickRemovalRunner } from "./kick";
import { scheduleRetentionPurges } from "./jobs";

export const USAGE_RETENTION_BOUNDS = { min: 30, max: 1825, default: 400 } as const;

export const SetUsageRetentionInput = z.object({
  orgId: z.uuid(),
  days: z.coerce
    .number({ error: "must be a number of days" })
    .int("must be a whole number of days")
    .min(USAGE_RETENTION_BOUNDS.min, `must be at least ${USAGE_RETENTION_BOUNDS.min} days`)
    .max(USAGE_RETENTION_BOUNDS.max, `must be at most ${USAGE_RETENTION_BOUNDS.max} days`),
  reason: z
    .string()
    .trim()
    .min(3, "must be at least 3 characters")
    .max(1000, "must be at most 1000 characters")
    .regex(/^[^\u0000]*$/, "must not contain NUL characters"),
  ticketRef: TicketRef.nullish().or(z.literal("")),
});
export type SetUsageRetentionInput = z.input<typeof SetUsageRetentionInput>;

export async function setUsageRetentionDays(
  actor: Principal | null,
  input: SetUsageRetentionInput,
  db: Db = getDb(),
): Promise<{ before: number; after: number; orgName: string }> {
  authorize(actor, "usage.retention.manage");
  const i = parseInput(SetUsageRetentionInput, input);
  const out = await db.transaction(async (tx) => {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, i.orgId)).for("update");
    if (!org) throw notFound("Organization not found");
    await tx.update(organizations).set({ usageRetentionDays: i.days }).where(eq(organizations.id, org.id));
    await appendAudit(tx, {
      orgId: org.id,
      actorType: "support",
      actorId: actor.userId,
      actorLabel: actor.email,
      action: "usage.retention_changed",
      before: { usageRetentionDays: org.usageRetentionDays },
      after: { usageRetentionDays: i.days },
      reason: i.reason,
      ticketRef: i.ticketRef ? i.ticketRef : null,
    });
    return { before: org.usageRetentionDays, after: i.days, orgName: org.name };
  });
  // A shorter window purges now, not at the next hourly schedule.
  if (out.after < out.before) await scheduleRetentionPurges(db);
  kickRemovalRunner();
  return out;
}
