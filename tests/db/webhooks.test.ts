/**
 * Webhooks end to end below the UI: endpoints per org, deliveries signed per
 * Standard Webhooks and verified with the reference library, enqueued in the
 * change's transaction, retried with the same webhook-id, rotated with an
 * overlap, disabled after repeated failure.
 */
import "@/lib/webhooks/delivery";
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
process.env.WEBHOOK_ALLOW_PRIVATE = "true";

import { Webhook } from "standardwebhooks";
import { notices, organizations, outbox, webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { drainOutbox } from "@/lib/notify/worker";
import { orgAdmins } from "@/lib/notify/outbox";
import type { MailTransport } from "@/lib/notify/transport";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  enqueueWebhookEvent,
  listWebhooks,
  rotateWebhookSecret,
  sendTestWebhook,
} from "@/lib/webhooks/service";
import { decryptSecret, secretKeyBytes } from "@/lib/webhooks/secrets";
import { startWebhookReceiver, type Receiver } from "../helpers/webhook-receiver";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const noMail: MailTransport = { describe: "none", send: async () => {}, close() {} };
let admin: UserPrincipal, member: UserPrincipal, otherAdmin: UserPrincipal, support: UserPrincipal;
const orgs: Record<string, string> = {};
let rx: Receiver;
const PORT = testDbKind === "pglite" ? 3161 : 3162;

const drain = (webhooks = {}) => drainOutbox({ db: db.handle().db, transport: noMail, webhooks });
const makeDue = () =>
  db
    .handle()
    .db.update(outbox)
    .set({ availableAt: sql`now()` })
    .where(sql`${outbox.deliveredAt} is null`);

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgs[o.slug] = o.id;
  admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  member = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  otherAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  rx = await startWebhookReceiver(PORT);
});
afterAll(async () => {
  await rx?.close();
});
beforeEach(async () => {
  rx.requests.length = 0;
  rx.respond(204);
  await db.handle().db.delete(webhookEndpoints);
});

const all = ["zdr.enabled", "zdr.disabled", "zdr.restricted", "zdr.restriction_lifted"] as const;

describe(`webhooks on ${testDbKind}`, () => {
  it("an admin adds an endpoint: the secret is whsec_ + 24 random bytes, shown once and stored only encrypted", async () => {
    const { endpoint, secret } = await createWebhookEndpoint(admin, { orgId: orgs["northwind-health"], url: rx.url, eventTypes: [...all] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKeyBytes(secret).length).toBeGreaterThanOrEqual(24);
    const [row] = await db.handle().db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(decryptSecret(row.secretEncrypted)).toBe(secret);
    const listed = await listWebhooks(admin, { orgId: orgs["northwind-health"] });
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
  });

  it("a member cannot manage webhooks, and another org's admin cannot see or touch them", async () => {
    const orgId = orgs["northwind-health"];
    await expect(createWebhookEndpoint(member, { orgId, url: rx.url, eventTypes: ["zdr.enabled"] })).rejects.toMatchObject({ code: "forbidden" });
    const { endpoint } = await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: ["zdr.enabled"] });
    await expect(listWebhooks(otherAdmin, { orgId })).rejects.toMatchObject({ code: "not_found" });
    // Their own org id with our endpoint id: still not found.
    await expect(rotateWebhookSecret(otherAdmin, { orgId: orgs["contoso-bank"], endpointId: endpoint.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(deleteWebhookEndpoint(otherAdmin, { orgId: orgs["contoso-bank"], endpointId: endpoint.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(sendTestWebhook(member, { orgId, endpointId: endpoint.id })).rejects.toMatchObject({ code: "forbidden" });
  });

  it("a restriction by support delivers a signed zdr.restricted event with ids and states only", async () => {
    const orgId = orgs["northwind-health"];
    const { secret } = await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: [...all] });
    // Contoso's endpoint must hear nothing of Northwind.
    const contoso = await createWebhookEndpoint(otherAdmin, { orgId: orgs["contoso-bank"], url: rx.url.replace("/hooks", "/contoso"), eventTypes: [...all] });
    rx.setSecrets([secret]);
    await restrictOrganization(support, { orgId, reason: "provider_discretion", note: "Secret note mentioning patient@example.com", ticketRef: "T-1" });
    // One webhook plus the Northwind admin's notice email; nothing for Contoso's endpoint.
    expect(await drain()).toEqual({ delivered: 2, failed: 0 });
    const hooks = rx.requests;
    expect(hooks).toHaveLength(1);
    const [r] = hooks;
    expect(r.verified).toBe(true);
    const event = new Webhook(secret).verify(r.body, { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature }) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event.type).toBe("zdr.restricted");
    expect(event.data).toMatchObject({ orgId, restriction: "restricted", restrictionReason: "provider_discretion" });
    expect(r.body).not.toMatch(/@|Secret note|T-1/);
    expect(await db.handle().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, contoso.endpoint.id))).toHaveLength(0);
    // A tampered body does not verify.
    expect(() =>
      new Webhook(secret).verify(r.body.replace("restricted", "none"), {
        "webhook-id": r.id,
        "webhook-timestamp": r.timestamp,
        "webhook-signature": r.signature,
      }),
    ).toThrow();
    await liftRestriction(support, { orgId, reason: "Reviewed and cleared" });
    await drain();
  });

  it("an event is written in the change's transaction: a rollback leaves no delivery", async () => {
    const orgId = orgs["northwind-health"];
    await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: [...all] });
    const d = db.handle().db;
    const before = (await d.select().from(outbox).where(eq(outbox.kind, "webhook"))).length;
    await expect(
      d.transaction(async (tx) => {
        await enqueueWebhookEvent(tx, { orgId, type: "zdr.enabled", data: { orgId } });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await d.select().from(webhookDeliveries).where(eq(webhookDeliveries.orgId, orgId))).toHaveLength(0);
    expect(await d.select().from(outbox).where(eq(outbox.kind, "webhook"))).toHaveLength(before);
    // Content or an email address cannot ride along in data.
    await expect(d.transaction((tx) => enqueueWebhookEvent(tx, { orgId, type: "zdr.enabled", data: { who: "admin@northwind.example" } }))).rejects.toThrow(
      /id or a state/,
    );
  });

  it("a failed attempt is retried with the same webhook-id, and the log keeps status codes and attempts", async () => {
    const orgId = orgs["northwind-health"];
    const { endpoint, secret } = await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: [...all] });
    rx.setSecrets([secret]);
    rx.respond(500);
    const { webhookId } = await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
    expect(await drain()).toEqual({ delivered: 0, failed: 1 });
    const [pending] = await db.handle().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId));
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500" });
    const [o] = await db
      .handle()
      .db.select()
      .from(outbox)
      .where(eq(outbox.messageId, `webhook:${webhookId}`));
    expect(o.availableAt.getTime()).toBeGreaterThan(Date.now()); // backoff
    rx.respond(204);
    await makeDue();
    expect(await drain()).toEqual({ delivered: 1, failed: 0 });
    expect(rx.requests.map((r) => r.id)).toEqual([webhookId, webhookId]);
    expect(rx.requests.every((r) => r.verified)).toBe(true);
    const [done] = await db.handle().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId));
    expect(done).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 204 });
    expect(JSON.parse(rx.requests[1].body)).toMatchObject({ type: "webhook.test" });
  });

  it("rotation keeps the old secret signing during the overlap: both signatures are sent", async () => {
    const orgId = orgs["northwind-health"];
    const { endpoint, secret: old } = await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: [...all] });
    const { secret: fresh, endpoint: rotated } = await rotateWebhookSecret(admin, { orgId, endpointId: endpoint.id });
    expect(fresh).not.toBe(old);
    expect(rotated.rotationOverlapUntil).not.toBeNull();
    await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
    await drain();
    const [r] = rx.requests;
    expect(r.signature.split(" ")).toHaveLength(2);
    const h = { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature };
    expect(() => new Webhook(old).verify(r.body, h)).not.toThrow();
    expect(() => new Webhook(fresh).verify(r.body, h)).not.toThrow();
    // After the overlap only the new secret signs.
    await db
      .handle()
      .db.update(webhookEndpoints)
      .set({ previousSecretExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(webhookEndpoints.id, endpoint.id));
    await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
    await drain();
    const r2 = rx.requests[1];
    const h2 = { "webhook-id": r2.id, "webhook-timestamp": r2.timestamp, "webhook-signature": r2.signature };
    expect(() => new Webhook(old).verify(r2.body, h2)).toThrow();
    expect(() => new Webhook(fresh).verify(r2.body, h2)).not.toThrow();
  });

  it("repeated failure disables the endpoint, with a notice in the app and an email to each of the org's admins", async () => {
    const orgId = orgs["northwind-health"];
    const { endpoint } = await createWebhookEndpoint(admin, { orgId, url: rx.url, eventTypes: [...all] });
    rx.respond(503);
    const opts = { maxAttempts: 1, disableAfter: 2 };
    await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
    await drain(opts);
    await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
    await drain(opts);
    const [e] = await db.handle().db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(e.disabledAt).not.toBeNull();
    const failed = await db
      .handle()
      .db.select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.status, "failed")));
    expect(failed).toHaveLength(2);
    // A notice in the app, and its email to every admin (the endpoint's address without its query: a receiver may keep a token there).
    const [n] = await db
      .handle()
      .db.select()
      .from(notices)
      .where(and(eq(notices.orgId, orgId), eq(notices.kind, "webhook_disabled")))
      .orderBy(desc(notices.createdAt))
      .limit(1);
    expect(n.title).toBe("A webhook endpoint was disabled");
    expect(n.body).toContain(`${new URL(rx.url).origin}/hooks`);
    expect(n.body).toContain("2 deliveries in a row failed");
    const mails = (await db.handle().db.select().from(outbox).where(eq(outbox.kind, "email"))).filter(
      (m) => (m.payload as { noticeId?: string }).noticeId === n.id,
    );
    const admins = await orgAdmins(db.handle().db, orgId);
    expect(mails.map((m) => (m.payload as { to: string }).to).sort()).toEqual(admins.map((a) => a.email).sort());
    // Disabled: no new events are queued for it, and a test event is refused.
    await restrictOrganization(support, { orgId, reason: "provider_discretion", note: "Check disabled endpoint" });
    expect(await db.handle().db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id))).toHaveLength(2);
    await expect(sendTestWebhook(admin, { orgId, endpointId: endpoint.id })).rejects.toMatchObject({ code: "conflict" });
    await liftRestriction(support, { orgId, reason: "Reviewed and cleared" });
    await drain();
    // Enabled again by the org's admin only: another org's admin is told it does not exist.
    await expect(enableWebhookEndpoint(otherAdmin, { orgId: otherAdmin.orgId!, endpointId: endpoint.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(enableWebhookEndpoint(member, { orgId, endpointId: endpoint.id })).rejects.toMatchObject({ code: "forbidden" });
    const enabled = await enableWebhookEndpoint(admin, { orgId, endpointId: endpoint.id });
    expect(enabled.disabledAt).toBeNull();
    rx.respond(200);
    await sendTestWebhook(admin, { orgId, endpointId: endpoint.id });
  });
});
