/**
 * The outbox worker's side of webhooks: one attempt of one delivery, signed
 * with every secret in force, recorded in the delivery log; retries through
 * the outbox's backoff with the same webhook-id; after the last attempt the
 * delivery fails, and an endpoint that fails too often in a row is disabled
 * and its org's admins get a notice and its email.
 */
import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { notices, organizations, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { env } from "@/lib/env";
import { composeNotice } from "@/lib/notify/compose";
import { enqueueNoticeEmails, markAbandoned, markDelivered, markFailed, type WebhookMessage } from "@/lib/notify/outbox";
import { registerOutboxDeliverer } from "@/lib/notify/worker";
import { postWebhook } from "./deliver";
import { decryptSecret } from "./secrets";
import { webhookHeaders } from "./signature";

/** Attempts per delivery: with the outbox's backoff (2 s, 4 s, … 15 min) about 34 minutes in all. */
export const MAX_WEBHOOK_ATTEMPTS = 10;
/** Deliveries that spent every attempt, in a row, before the endpoint is disabled and its admins told. */
export const DISABLE_AFTER_FAILED_DELIVERIES = 5;

// ---------------------------------------------------------------------------

export type WebhookDeliveryOptions = { allowPrivate?: boolean; timeoutMs?: number; maxAttempts?: number; disableAfter?: number };

/** One attempt of one message; updates the delivery log, the outbox row and the endpoint's failure count. Returns whether it was accepted. */
export async function deliverWebhookMessage(db: Tx, msg: WebhookMessage, options: WebhookDeliveryOptions = {}): Promise<boolean> {
  const maxAttempts = options.maxAttempts ?? MAX_WEBHOOK_ATTEMPTS;
  const [e] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, msg.payload.endpointId));
  if (!e) {
    await markAbandoned(db, msg.id, "endpoint deleted");
    return false;
  }
  const record = (set: Partial<typeof webhookDeliveries.$inferInsert>) =>
    db.update(webhookDeliveries).set(set).where(eq(webhookDeliveries.id, msg.payload.deliveryId));
  if (e.disabledAt) {
    await record({ status: "failed", lastError: "endpoint disabled" });
    await markAbandoned(db, msg.id, "endpoint disabled");
    return false;
  }
  const secrets = [decryptSecret(e.secretEncrypted)];
  if (e.previousSecretEncrypted && e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date()) secrets.push(decryptSecret(e.previousSecretEncrypted));
  const webhookId = msg.messageId.replace(/^webhook:/, "");
  const headers = webhookHeaders(secrets, webhookId, Math.floor(Date.now() / 1000), msg.payload.body);
  const result = await postWebhook(e.url, { ...headers }, msg.payload.body, {
    allowPrivate: options.allowPrivate ?? env().WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: options.timeoutMs,
  });
  const now = new Date();
  if (result.ok) {
    await record({ status: "delivered", attempts: msg.attempts, lastStatusCode: result.statusCode, lastError: null, lastAttemptAt: now, deliveredAt: now });
    await markDelivered(db, msg.id);
    if (e.consecutiveFailures > 0) await db.update(webhookEndpoints).set({ consecutiveFailures: 0 }).where(eq(webhookEndpoints.id, e.id));
    return true;
  }
  const spent = msg.attempts >= maxAttempts || result.error === "refused address";
  await record({
    status: spent ? "failed" : "pending",
    attempts: msg.attempts,
    lastStatusCode: result.statusCode,
    lastError: result.error,
    lastAttemptAt: now,
  });
  if (!spent) {
    await markFailed(db, msg, { name: "Webhook", code: result.error ?? undefined });
    return false;
  }
  await markAbandoned(db, msg.id, `gave up: ${result.error ?? "failed"}`);
  await recordFailedDelivery(db, e.id, options.disableAfter ?? DISABLE_AFTER_FAILED_DELIVERIES);
  return false;
}

/** Counts a delivery that spent its attempts; after `disableAfter` in a row the endpoint is disabled and its org's admins get a notice and its email. */
async function recordFailedDelivery(db: Tx, endpointId: string, disableAfter: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [e] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).for("update");
    if (!e || e.disabledAt) return;
    const failures = e.consecutiveFailures + 1;
    if (failures < disableAfter) {
      await tx.update(webhookEndpoints).set({ consecutiveFailures: failures }).where(eq(webhookEndpoints.id, e.id));
      return;
    }
    const reason = `${failures} deliveries in a row failed after every retry`;
    await tx
      .update(webhookEndpoints)
      .set({ consecutiveFailures: failures, disabledAt: new Date(), disabledReason: reason })
      .where(eq(webhookEndpoints.id, e.id));
    const audit = await appendAudit(tx, {
      orgId: e.orgId,
      actorType: "system",
      actorId: null,
      actorLabel: "webhook delivery",
      action: "webhook.disabled",
      before: null,
      after: { endpointId: e.id, consecutiveFailures: failures },
      reason,
      ticketRef: null,
    });
    // The admins hear of it as of every other change: a notice in the app and its email, through the outbox.
    const [org] = await tx.select({ name: organizations.name, timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, e.orgId));
    const url = new URL(e.url);
    const notice = composeNotice("webhook_disabled", {
      orgName: org.name,
      effectiveAt: new Date(),
      timeZone: org.timeZone,
      contentRetentionDays: 0,
      trainingUse: false,
      ticketRef: null,
      webhook: { endpointId: e.id, address: `${url.origin}${url.pathname}`, consecutiveFailures: failures },
    });
    const [n] = await tx
      .insert(notices)
      .values({ orgId: e.orgId, kind: notice.kind, title: notice.title, body: notice.body, details: notice.details, auditId: audit.id })
      .returning({ id: notices.id });
    await enqueueNoticeEmails(tx, { orgId: e.orgId, noticeId: n.id, notice, appUrl: env().APP_URL });
  });
}

// The outbox worker delivers "webhook" messages through this function; it knows no webhook code itself.
registerOutboxDeliverer("webhook", (db, msg, options) => deliverWebhookMessage(db, msg as WebhookMessage, options as WebhookDeliveryOptions));
