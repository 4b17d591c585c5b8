/**
 * Webhooks of an organization: endpoints its admins manage on
 * /settings/webhooks, events enqueued in the transaction of the change that
 * owes them (enqueueWebhookEvent), and the outbox worker's delivery of each
 * (deliverWebhookMessage), signed per the Standard Webhooks specification.
 *
 * Bodies are `{ type, timestamp, data }` where data holds ids and states
 * only: never request content, free text typed by people, or email
 * addresses (assertIdsAndStates refuses anything else).
 */
import crypto from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db, type Tx } from "@/lib/db";
import { outbox, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal, UserPrincipal } from "@/lib/auth/principal";
import { env } from "@/lib/env";
import { AppError, notFound, parseInput, ValidationError } from "@/lib/errors";
import { kickOutbox } from "@/lib/notify/worker";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, WebhookEventTypeSchema, type WebhookEventType } from "@/lib/vocabulary";
import { resolveWebhookTarget, WebhookAddressError } from "./address";
import { encryptSecret, generateWebhookSecret } from "./secrets";

/** How long the previous secret still signs after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
export const MAX_ENDPOINTS_PER_ORG = 10;

const asList = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

export const WebhookEndpointInput = z.object({
  orgId: z.uuid(),
  url: z.string().trim().min(1, "is required").max(2000, "must be at most 2000 characters"),
  description: z
    .string()
    .trim()
    .max(200, "must be at most 200 characters")
    .regex(/^[^\u0000]*$/, "must not contain NUL characters")
    .default(""),
  eventTypes: z.preprocess(asList, z.array(WebhookEventTypeSchema).min(1, "choose at least one event")),
});
export const WebhookEndpointRef = z.object({ orgId: z.uuid(), endpointId: z.uuid() });
export type WebhookEndpointInput = z.input<typeof WebhookEndpointInput>;
export type WebhookEndpointRef = z.input<typeof WebhookEndpointRef>;

export type WebhookEndpointView = {
  id: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  disabledAt: Date | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  rotationOverlapUntil: Date | null;
  createdAt: Date;
};

export type WebhookDeliveryView = {
  id: string;
  endpointId: string;
  webhookId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

function auditActor(actor: UserPrincipal) {
  return { actorType: actor.isSupport ? ("support" as const) : ("user" as const), actorId: actor.userId, actorLabel: actor.email };
}

function view(e: typeof webhookEndpoints.$inferSelect): WebhookEndpointView {
  const overlap = e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date() ? e.previousSecretExpiresAt : null;
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes as WebhookEventType[],
    disabledAt: e.disabledAt,
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    rotationOverlapUntil: overlap,
    createdAt: e.createdAt,
  };
}

async function checkUrl(raw: string): Promise<string> {
  try {
    const target = await resolveWebhookTarget(raw, { allowPrivate: env().WEBHOOK_ALLOW_PRIVATE });
    return target.url.toString();
  } catch (err) {
    if (err instanceof WebhookAddressError) {
      const problem = err.message.replace(/^url: /, "");
      throw new ValidationError(`url: ${problem}`, [{ path: "url", problem }]);
    }
    throw err;
  }
}

/** Adds an endpoint; the secret is returned this once and stored only encrypted. */
export async function createWebhookEndpoint(
  actor: Principal | null,
  input: WebhookEndpointInput,
  db: Db = getDb(),
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const i = parseInput(WebhookEndpointInput, input);
  const url = await checkUrl(i.url);
  const secret = generateWebhookSecret();
  const row = await db.transaction(async (tx) => {
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.orgId, i.orgId));
    if (n >= MAX_ENDPOINTS_PER_ORG)
      throw new AppError("conflict", `An organization can have at most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints; delete one first.`);
    const [e] = await tx
      .insert(webhookEndpoints)
      .values({
        orgId: i.orgId,
        url,
        description: i.description,
        eventTypes: [...new Set(i.eventTypes)],
        secretEncrypted: encryptSecret(secret),
        createdBy: actor.userId,
      })
      .returning();
    await appendAudit(tx, {
      orgId: i.orgId,
      ...auditActor(actor),
      action: "webhook.created",
      before: null,
      after: { endpointId: e.id, url, eventTypes: e.eventTypes },
      reason: null,
      ticketRef: null,
    });
    return e;
  });
  return { endpoint: view(row), secret };
}

async function lockEndpoint(tx: Tx, orgId: string, endpointId: string) {
  const [e] = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.orgId, orgId)))
    .for("update");
  // Another org's endpoint is not found, like an unknown one.
  if (!e) throw notFound("Webhook endpoint not found");
  return e;
}

/**
 * A new secret; the old one keeps signing for ROTATION_OVERLAP_MS, so every
 * delivery meanwhile carries both signatures and receivers can switch over.
 */
export async function rotateWebhookSecret(
  actor: Principal | null,
  input: WebhookEndpointRef,
  db: Db = getDb(),
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const i = parseInput(WebhookEndpointRef, input);
  const secret = generateWebhookSecret();
  const row = await db.transaction(async (tx) => {
    const e = await lockEndpoint(tx, i.orgId, i.endpointId);
    const [u] = await tx
      .update(webhookEndpoints)
      .set({
        secretEncrypted: encryptSecret(secret),
        previousSecretEncrypted: e.secretEncrypted,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
      })
      .where(eq(webhookEndpoints.id, e.id))
      .returning();
    await appendAudit(tx, {
      orgId: i.orgId,
      ...auditActor(actor),
      action: "webhook.secret_rotated",
      before: null,
      after: { endpointId: e.id },
      reason: null,
      ticketRef: null,
    });
    return u;
  });
  return { endpoint: view(row), secret };
}

export async function deleteWebhookEndpoint(actor: Principal | null, input: WebhookEndpointRef, db: Db = getDb()): Promise<void> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const i = parseInput(WebhookEndpointRef, input);
  await db.transaction(async (tx) => {
    const e = await lockEndpoint(tx, i.orgId, i.endpointId);
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, e.id));
    await appendAudit(tx, {
      orgId: i.orgId,
      ...auditActor(actor),
      action: "webhook.deleted",
      before: { endpointId: e.id, url: e.url, eventTypes: e.eventTypes },
      after: null,
      reason: null,
      ticketRef: null,
    });
  });
}

/** Turns a disabled endpoint back on (its URL is checked again). */
export async function enableWebhookEndpoint(actor: Principal | null, input: WebhookEndpointRef, db: Db = getDb()): Promise<WebhookEndpointView> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const i = parseInput(WebhookEndpointRef, input);
  // The address is checked (a DNS lookup, up to its timeout) before the row is locked, not while
  // holding it: an endpoint's URL never changes after creation, so the check stays true under the lock.
  const [current] = await db
    .select({ url: webhookEndpoints.url })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, i.endpointId), eq(webhookEndpoints.orgId, i.orgId)));
  if (!current) throw notFound("Webhook endpoint not found");
  await checkUrl(current.url);
  const row = await db.transaction(async (tx) => {
    const e = await lockEndpoint(tx, i.orgId, i.endpointId);
    const [u] = await tx
      .update(webhookEndpoints)
      .set({ disabledAt: null, disabledReason: null, consecutiveFailures: 0 })
      .where(eq(webhookEndpoints.id, e.id))
      .returning();
    await appendAudit(tx, {
      orgId: i.orgId,
      ...auditActor(actor),
      action: "webhook.enabled",
      before: null,
      after: { endpointId: e.id },
      reason: null,
      ticketRef: null,
    });
    return u;
  });
  return view(row);
}

/** Queues a `webhook.test` event for one endpoint and delivers it now. */
export async function sendTestWebhook(actor: Principal | null, input: WebhookEndpointRef, db: Db = getDb()): Promise<{ webhookId: string }> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const i = parseInput(WebhookEndpointRef, input);
  const webhookId = await db.transaction(async (tx) => {
    const e = await lockEndpoint(tx, i.orgId, i.endpointId);
    if (e.disabledAt) throw new AppError("conflict", "This endpoint is disabled; enable it first.");
    const [id] = await enqueueFor(tx, [e], WEBHOOK_TEST_EVENT, { orgId: i.orgId, endpointId: e.id });
    return id;
  });
  kickOutbox();
  return { webhookId };
}

export async function listWebhooks(
  actor: Principal | null,
  input: { orgId: string; deliveries?: number },
  db: Db = getDb(),
): Promise<{ endpoints: WebhookEndpointView[]; deliveries: WebhookDeliveryView[] }> {
  authorize(actor, "webhooks.manage", { orgId: input.orgId });
  const [endpoints, deliveries] = await Promise.all([
    db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, input.orgId)).orderBy(webhookEndpoints.createdAt),
    db
      .select({
        id: webhookDeliveries.id,
        endpointId: webhookDeliveries.endpointId,
        webhookId: webhookDeliveries.webhookId,
        eventType: webhookDeliveries.eventType,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        lastStatusCode: webhookDeliveries.lastStatusCode,
        lastError: webhookDeliveries.lastError,
        lastAttemptAt: webhookDeliveries.lastAttemptAt,
        deliveredAt: webhookDeliveries.deliveredAt,
        createdAt: webhookDeliveries.createdAt,
      })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.orgId, input.orgId))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(input.deliveries ?? 50),
  ]);
  return { endpoints: endpoints.map(view), deliveries };
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

type Scalar = string | number | boolean | null;
export type WebhookData = Record<string, Scalar | Scalar[]>;

const SAFE_VALUE = /^[A-Za-z0-9_.:-]{0,100}$/;

/**
 * Ids and states only: scalar values, strings limited to identifier
 * characters (a UUID, an enum value, a timestamp), so no sentence, content
 * or email address can ride along.
 */
export function assertIdsAndStates(data: WebhookData): void {
  for (const [k, v] of Object.entries(data)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x === null || typeof x === "number" || typeof x === "boolean") continue;
      if (typeof x === "string" && SAFE_VALUE.test(x)) continue;
      throw new Error(`webhook data field ${k} must be an id or a state`);
    }
  }
}

function newWebhookId(): string {
  return `msg_${crypto.randomBytes(16).toString("base64url")}`;
}

async function enqueueFor(tx: Tx, endpoints: { id: string; orgId: string }[], type: string, data: WebhookData): Promise<string[]> {
  if (endpoints.length === 0) return [];
  assertIdsAndStates(data);
  const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
  const rows = endpoints.map((e) => ({ id: crypto.randomUUID(), endpointId: e.id, orgId: e.orgId, webhookId: newWebhookId(), eventType: type }));
  await tx.insert(webhookDeliveries).values(rows);
  await tx.insert(outbox).values(
    rows.map((r) => ({
      kind: "webhook",
      messageId: `webhook:${r.webhookId}`,
      payload: { deliveryId: r.id, endpointId: r.endpointId, orgId: r.orgId, body },
    })),
  );
  return rows.map((r) => r.webhookId);
}

/**
 * One delivery per enabled endpoint of the org subscribed to `type`, written
 * in the caller's transaction so it commits with the change it announces.
 * The caller kicks the outbox after its commit. Returns the webhook ids.
 */
export async function enqueueWebhookEvent(tx: Tx, input: { orgId: string; type: WebhookEventType; data: WebhookData }): Promise<string[]> {
  if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(input.type)) throw new Error(`unknown webhook event type ${input.type}`);
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, orgId: webhookEndpoints.orgId })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, input.orgId), isNull(webhookEndpoints.disabledAt), sql`${input.type} = any(${webhookEndpoints.eventTypes})`));
  return enqueueFor(tx, endpoints, input.type, input.data);
}
