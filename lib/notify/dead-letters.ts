/**
 * Dead letters: outbox messages whose retries are spent (an email after
 * MAX_EMAIL_ATTEMPTS, a webhook after its last attempt or a refused
 * address). Support staff see them in the console and can send one again:
 * the retry puts the same row back with the same Message-ID or webhook-id,
 * so a receiver that did get an earlier attempt still recognises it.
 */
import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Tx } from "@/lib/db";
import { organizations, outbox } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { notFound, parseInput } from "@/lib/errors";
import { outboxStats, type OutboxStats } from "./outbox";
import { kickOutbox } from "./worker";

export type DeadLetter = {
  id: number;
  kind: "email" | "webhook";
  orgId: string | null;
  orgName: string | null;
  /** An email's subject; a webhook's event is in its endpoint's delivery log. */
  subject: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  abandonedAt: Date;
};

/** The newest dead letters first, at most `limit`. */
export async function listDeadLetters(actor: Principal | null, db: Tx = getDb(), limit = 200): Promise<DeadLetter[]> {
  authorize(actor, "outbox.read");
  const rows = await db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      orgId: organizations.id,
      orgName: organizations.name,
      subject: sql<string | null>`${outbox.payload} ->> 'subject'`,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      abandonedAt: outbox.abandonedAt,
    })
    .from(outbox)
    .leftJoin(organizations, sql`${organizations.id}::text = ${outbox.payload} ->> 'orgId'`)
    .where(and(isNull(outbox.deliveredAt), isNotNull(outbox.abandonedAt)))
    .orderBy(desc(outbox.abandonedAt), desc(outbox.id))
    .limit(limit);
  return rows.map((r) => ({
    ...r,
    kind: r.kind === "webhook" ? "webhook" : "email",
    subject: r.kind === "email" ? r.subject : null,
    abandonedAt: r.abandonedAt!,
  }));
}

/** The support console's outbox page: the queue's figures and its dead letters. */
export async function outboxOverview(actor: Principal | null, db: Tx = getDb()): Promise<{ stats: OutboxStats; letters: DeadLetter[] }> {
  authorize(actor, "outbox.read");
  const [stats, letters] = await Promise.all([outboxStats(db), listDeadLetters(actor, db)]);
  return { stats, letters };
}

export const RetryDeadLetterInput = z.object({ messageId: z.coerce.number({ error: "Unknown message" }).int().positive("Unknown message") }).strict();
export type RetryDeadLetterInput = z.input<typeof RetryDeadLetterInput>;

/** Puts a dead letter back in the queue, due now, with its attempts counted from zero. */
export async function retryDeadLetter(actor: Principal | null, input: RetryDeadLetterInput, db: Tx = getDb()): Promise<{ id: number; kind: string }> {
  authorize(actor, "outbox.retry");
  const { messageId } = parseInput(RetryDeadLetterInput, input);
  const [row] = await db
    .update(outbox)
    .set({ abandonedAt: null, attempts: 0, lastError: null, lockedUntil: null, availableAt: sql`now()` })
    .where(and(eq(outbox.id, messageId), isNull(outbox.deliveredAt), isNotNull(outbox.abandonedAt)))
    .returning({ id: outbox.id, kind: outbox.kind });
  if (!row) throw notFound("That message is not a dead letter (already retried or delivered)");
  kickOutbox();
  return row;
}
