/**
 * The outbox worker's side of webhooks: one attempt of one delivery, signed
 * with every secret in force, recorded in the delivery log; retries through
 * the outbox's backoff with the same webhook-id; after the last attempt the
 * delivery fails, and an endpoint that fails too often in a row is disabled
 * and its org's admins are emailed.
 */
import { eq } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { env } from "@/lib/env";
import { enqueueEmail, markAbandoned, markDelivered, markFailed, orgAdmins, type WebhookMessage } from "@/lib/notify/outbox";
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

/** Counts a delivery that spent its attempts; after `disableAfter` in a row the endpoint is disabled and its org's admins are emailed. */
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
    await appendAudit(tx, {
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
    const appUrl = env().APP_URL;
    const host = new URL(appUrl).hostname || "zdr-console.local";
    for (const a of await orgAdmins(tx, e.orgId)) {
      const text =
        `Hello ${a.name},\n\nThe webhook endpoint ${e.url} was disabled: ${reason}. ` +
        `No further events are sent to it until an administrator enables it again on ${appUrl}/settings/webhooks.\n`;
      await enqueueEmail(tx, {
        to: a.email,
        recipientUserId: a.userId,
        orgId: e.orgId,
        subject: "A webhook endpoint was disabled",
        text,
        html: `<p>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/\n/g, "<br>")}</p>`,
        messageId: `<webhook-disabled-${e.id}.${a.userId}.${Date.now()}@${host}>`,
      });
    }
  });
}

// The outbox worker delivers "webhook" messages through this function; it knows no webhook code itself.
registerOutboxDeliverer("webhook", (db, msg, options) => deliverWebhookMessage(db, msg as WebhookMessage, options as WebhookDeliveryOptions));
