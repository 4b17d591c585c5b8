/**
 * The transactional outbox of notification emails and webhook deliveries
 * (kind "webhook": lib/webhooks/).
 *
 * Why a table and not pg-boss: the app must run on embedded PGlite as well as
 * PostgreSQL, and the message must commit in the same transaction as the
 * change that owes it; a plain table drained with FOR UPDATE SKIP LOCKED does
 * both with the one database handle we already have, and no extra schema.
 *
 * Delivery is at least once: a worker leases a batch (locked_until), sends,
 * then marks each message delivered. A worker that dies mid-batch leaves only
 * a lease that expires within seconds; another worker (or the same one
 * restarted) then resends. The Message-ID is fixed when the row is written,
 * so a duplicate is recognisable by the receiver.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { queryRows } from "@/lib/db";
import { memberships, outbox, supportStaff, users } from "@/lib/db/schema";
import { composeEmail, type EmailContent, type NoticeContent } from "./compose";

export type EmailPayload = {
  to: string;
  recipientUserId: string;
  orgId: string;
  /** Absent for mail that announces no notice (an invitation). */
  noticeId?: string;
  subject: string;
  text: string;
  html: string;
};

/** A webhook delivery's message points at its row in webhook_deliveries, which holds the event. */
export type WebhookPayload = { deliveryId: string; endpointId: string; orgId: string; body: string };

type Message<K extends string, P> = { id: number; kind: K; messageId: string; payload: P; attempts: number };
export type EmailMessage = Message<"email", EmailPayload>;
export type WebhookMessage = Message<"webhook", WebhookPayload>;
export type OutboxMessage = EmailMessage | WebhookMessage;

/** Lease of a claimed batch: a crashed worker's messages are retried after this. */
export const DEFAULT_LEASE_MS = 10_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/** Exponential backoff with jitter: 2 s, 4 s, 8 s, … capped at 15 minutes. */
export function backoffMs(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(1, attempts));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** A stable Message-ID per message and recipient: `<notice-…>` for a notice's email, `<support-…>` for mail to support staff, `<account-…>` for mail about one's own account, `<receipt-…>` for the receipt of a request. */
export function messageIdFor(key: string, userId: string, appUrl: string, kind: "notice" | "support" | "account" | "receipt" = "notice"): string {
  let host = "zdr-console.local";
  try {
    host = new URL(appUrl).hostname || host;
  } catch {
    /* keep the default */
  }
  return `<${kind}-${key}.${userId}@${host}>`;
}

/** The org's administrators who can receive mail (disabled users excluded). */
export async function orgAdmins(tx: Tx, orgId: string): Promise<{ userId: string; email: string; name: string }[]> {
  return tx
    .select({ userId: users.id, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin"), isNull(users.disabledAt)))
    .orderBy(users.email);
}

/**
 * One email per administrator of the org, written inside the caller's
 * transaction so it commits with the change it announces.
 */
export async function enqueueNoticeEmails(tx: Tx, input: { orgId: string; noticeId: string; notice: NoticeContent; appUrl: string }): Promise<number> {
  const admins = await orgAdmins(tx, input.orgId);
  if (admins.length === 0) return 0;
  await tx.insert(outbox).values(
    admins.map((a) => {
      const email = composeEmail(input.notice, a.name, input.appUrl, { orgId: input.orgId, noticeId: input.noticeId });
      const payload: EmailPayload = { to: a.email, recipientUserId: a.userId, orgId: input.orgId, noticeId: input.noticeId, ...email };
      return { kind: "email", messageId: messageIdFor(input.noticeId, a.userId, input.appUrl), payload };
    }),
  );
  return admins.length;
}

/**
 * One email per support staff member (disabled users excluded), written inside
 * the caller's transaction; `key` makes each Message-ID stable (a request id).
 */
export async function enqueueSupportEmails(
  tx: Tx,
  input: { orgId: string; key: string; appUrl: string; compose: (recipientName: string) => EmailContent },
): Promise<number> {
  const staff = await tx
    .select({ userId: users.id, email: users.email, name: users.name })
    .from(supportStaff)
    .innerJoin(users, eq(users.id, supportStaff.userId))
    .where(isNull(users.disabledAt))
    .orderBy(users.email);
  if (staff.length === 0) return 0;
  await tx.insert(outbox).values(
    staff.map((s) => {
      const payload: EmailPayload = { to: s.email, recipientUserId: s.userId, orgId: input.orgId, ...input.compose(s.name) };
      return { kind: "email", messageId: messageIdFor(input.key, s.userId, input.appUrl, "support"), payload };
    }),
  );
  return staff.length;
}

/** Leases up to `limit` due messages; rows another worker holds are skipped, not waited for. */
export async function claimOutbox(db: Tx, options: { limit?: number; leaseMs?: number } = {}): Promise<OutboxMessage[]> {
  const limit = options.limit ?? 10;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const rows = await queryRows<{ id: number | string; kind: string; message_id: string; payload: object | string; attempts: number }>(
    db,
    sql`
      update outbox set locked_until = now() + ${`${leaseMs} milliseconds`}::interval, attempts = attempts + 1
      where id in (
        select id from outbox
        where delivered_at is null and abandoned_at is null and available_at <= now() and (locked_until is null or locked_until < now())
        order by id
        limit ${limit}
        for update skip locked
      )
      returning id, kind, message_id, payload, attempts`,
  );
  return rows
    .map(
      (r) =>
        ({
          id: Number(r.id),
          kind: r.kind === "webhook" ? "webhook" : "email",
          messageId: r.message_id,
          payload: typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload,
          attempts: r.attempts,
        }) as OutboxMessage,
    )
    .sort((a, b) => a.id - b.id);
}

/** An email's attempts before it becomes a dead letter (about three hours with the backoff): support staff see it and can retry. */
export const MAX_EMAIL_ATTEMPTS = 12;
/** Delivered messages are kept this long (for a duplicate's Message-ID and the outbox's figures), then purged. */
export const DELIVERED_RETENTION_DAYS = 7;

/**
 * Marks a message delivered. An email's body goes with it: it may hold a
 * single-use link (an invitation), and nothing needs it once sent; the
 * recipient, subject and Message-ID stay until the row is purged.
 */
export async function markDelivered(db: Tx, id: number): Promise<void> {
  await db
    .update(outbox)
    .set({
      deliveredAt: sql`now()`,
      lockedUntil: null,
      lastError: null,
      payload: sql`case when ${outbox.kind} = 'email' then ${outbox.payload} - 'text' - 'html' else ${outbox.payload} end`,
    })
    .where(eq(outbox.id, id));
}

/** Deletes messages delivered more than `days` ago; dead letters stay until retried. Returns how many went. */
export async function purgeDelivered(db: Tx, days = DELIVERED_RETENTION_DAYS): Promise<number> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`delete from outbox where delivered_at is not null and delivered_at < now() - ${`${days} days`}::interval returning id`,
  );
  return rows.length;
}

/** Gives up on a message whose retries are spent; it is never claimed again. */
export async function markAbandoned(db: Tx, id: number, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ abandonedAt: sql`now()`, lockedUntil: null, lastError: error.slice(0, 120) })
    .where(eq(outbox.id, id));
}

/** Puts a message back with a backoff; the error kept is a short class of failure, never message text. */
export async function markFailed(db: Tx, msg: OutboxMessage, error: unknown): Promise<void> {
  const e = error as { code?: string; responseCode?: number; name?: string };
  const summary = [e?.name ?? "Error", e?.code, e?.responseCode].filter(Boolean).join(" ").slice(0, 120);
  await db
    .update(outbox)
    .set({
      lockedUntil: null,
      lastError: summary,
      availableAt: sql`now() + ${`${backoffMs(msg.attempts)} milliseconds`}::interval`,
    })
    .where(eq(outbox.id, msg.id));
}

export type OutboxStats = { pending: number; delivered: number; failing: number };

export async function outboxStats(db: Tx): Promise<OutboxStats> {
  const [row] = await queryRows<{ pending: string | number; delivered: string | number; failing: string | number }>(
    db,
    sql`select count(*) filter (where delivered_at is null and abandoned_at is null) as pending,
               count(*) filter (where delivered_at is not null) as delivered,
               count(*) filter (where delivered_at is null and abandoned_at is null and last_error is not null) as failing
        from outbox`,
  );
  return { pending: Number(row.pending), delivered: Number(row.delivered), failing: Number(row.failing) };
}

/**
 * One email that announces no notice (an invitation), written inside the
 * caller's transaction like every other message.
 */
export async function enqueueEmail(
  tx: Tx,
  input: { to: string; orgId: string; subject: string; text: string; html: string; messageId: string; recipientUserId?: string },
): Promise<void> {
  const payload: EmailPayload = {
    to: input.to,
    recipientUserId: input.recipientUserId ?? "",
    orgId: input.orgId,
    subject: input.subject,
    text: input.text,
    html: input.html,
  };
  await tx.insert(outbox).values({ kind: "email", messageId: input.messageId, payload });
}
