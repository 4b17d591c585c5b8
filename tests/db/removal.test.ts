import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { compactVerify, createLocalJWKSet } from "jose";
import { GET as jwksRoute } from "@/app/.well-known/jwks.json/route";
import { removalCertificate } from "@/lib/removal/certificate";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, notices, organizations, outbox, projects, removalJobs, removalRequests, webhookDeliveries } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { approveRemoval, cancelRemoval, getRemovalRequest, listRemovalsForSupport, rejectRemoval, requestRemoval } from "@/lib/removal/requests";
import { runRemovalJobs, scheduleRetentionPurges } from "@/lib/removal/jobs";
import { completeRemovalOrder, listRemovalOrders } from "@/lib/removal/orders";
import { setUsageRetentionDays } from "@/lib/removal/retention-window";
import { createWebhookEndpoint } from "@/lib/webhooks/service";
import { addDays, localDate } from "@/lib/usage/range";
import { postgresUsageStore, setUsageStore, type UsageStore } from "@/lib/usage/store";
import { countEvents, fleet, ingestAll, makeEvents, rollupMismatches } from "../helpers/removal";
import { testDbKind, withFreshDatabase } from "../helpers/db";

// The removal.completed webhook below goes to an endpoint on loopback (never delivered here: the outbox does not run).
process.env.WEBHOOK_ALLOW_PRIVATE = "true";
// A key of this file's own, so the certificate test neither needs nor writes DATA_DIR's key.
process.env.SIGNING_KEY ??= crypto.generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

const db = withFreshDatabase();
let completedId: string;
let northwindProject: string;
let contosoProject: string;
const DAY = 86_400_000;
let admin: UserPrincipal;
let member: UserPrincipal;
let contosoAdmin: UserPrincipal;
let support: UserPrincipal;
let northwind: string;
let contoso: string;
const tz = "America/New_York";
const today = () => localDate(new Date(), tz);

async function codeOf(p: Promise<unknown>): Promise<{ code: string; fields?: string[]; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, fields: err.details?.fields, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

const inDays = (from: string, to: string, apiKeyId?: string) =>
  sql`org_id = ${northwind} and (occurred_at at time zone ${tz})::date between ${from}::date and ${to}::date${apiKeyId ? sql` and api_key_id = ${apiKeyId}` : sql``}`;

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  member = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  [{ id: northwind }] = await d.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  [{ id: contoso }] = await d.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "contoso-bank"));
  [{ id: northwindProject }] = await d.insert(projects).values({ orgId: northwind, name: "Clinic app" }).returning({ id: projects.id });
  [{ id: contosoProject }] = await d.insert(projects).values({ orgId: contoso, name: "Teller bot" }).returning({ id: projects.id });
  const now = Date.now();
  await ingestAll(d, makeEvents(northwind, 6000, now - 40 * DAY, now - 60_000, { seed: 3, projectIds: [null, northwindProject] }));
  await ingestAll(d, makeEvents(contoso, 1500, now - 40 * DAY, now - 60_000, { seed: 4 }));
}, 120_000);

async function withdrawAll() {
  // Leaves no request under way, so the next test's range does not overlap.
  const d = db.handle().db;
  for (const r of await d.select().from(removalRequests).where(eq(removalRequests.status, "pending")))
    await cancelRemoval(admin, { orgId: r.orgId, requestId: r.id }, d);
}

describe(`removal requests (${testDbKind})`, () => {
  it("refuses a range that is empty, reversed, in the future or longer than the data kept, naming the field", async () => {
    const d = db.handle().db;
    const base = { orgId: northwind, scope: "organization" as const };
    expect(await codeOf(requestRemoval(admin, { ...base, range: "custom" }, d))).toMatchObject({ code: "invalid", fields: ["from", "to"] });
    expect(await codeOf(requestRemoval(admin, { ...base, range: "custom", from: addDays(today(), -3), to: addDays(today(), -5) }, d))).toMatchObject({
      code: "invalid",
      fields: ["to"],
    });
    expect(await codeOf(requestRemoval(admin, { ...base, range: "custom", from: addDays(today(), -1), to: addDays(today(), 1) }, d))).toMatchObject({
      code: "invalid",
      fields: ["to"],
    });
    expect(await codeOf(requestRemoval(admin, { ...base, range: "custom", from: addDays(today(), -500), to: addDays(today(), -1) }, d))).toMatchObject({
      code: "invalid",
      fields: ["from"],
    });
    expect(await codeOf(requestRemoval(admin, { ...base, range: "custom", from: "2026-02-30", to: addDays(today(), -1) }, d))).toMatchObject({
      code: "invalid",
      fields: ["from"],
    });
    expect(await codeOf(requestRemoval(admin, { ...base, range: "12d" as "7d" }, d))).toMatchObject({ code: "invalid", fields: ["range"] });
    expect(await codeOf(requestRemoval(admin, { ...base, scope: "api_key", range: "7d" }, d))).toMatchObject({ code: "invalid", fields: ["apiKeyId"] });
    expect(await d.select().from(removalRequests)).toHaveLength(0);
  });

  it("a member is refused (403), another org's admin gets 404, another org's project is 404", async () => {
    const d = db.handle().db;
    expect((await codeOf(requestRemoval(member, { orgId: northwind, scope: "organization", range: "7d" }, d))).code).toBe("forbidden");
    expect((await codeOf(requestRemoval(contosoAdmin, { orgId: northwind, scope: "organization", range: "7d" }, d))).code).toBe("not_found");
    expect(
      (await codeOf(requestRemoval(admin, { orgId: northwind, scope: "project", projectId: "00000000-0000-4000-8000-000000000099", range: "7d" }, d))).code,
    ).toBe("not_found");
    // Another org's real project is as unknown as a missing one.
    expect((await codeOf(requestRemoval(admin, { orgId: northwind, scope: "project", projectId: contosoProject, range: "7d" }, d))).code).toBe("not_found");
    expect((await codeOf(requestRemoval(admin, { orgId: northwind, scope: "project", range: "7d" }, d))).fields).toEqual(["projectId"]);
    expect((await codeOf(listRemovalsForSupport(admin, d))).code).toBe("not_found");
  });

  it("pending → cancelled by the admin, audited and noticed; a second cancel is a conflict; another org's admin gets 404", async () => {
    const d = db.handle().db;
    const r = await requestRemoval(admin, { orgId: northwind, scope: "organization", range: "7d" }, d);
    expect(r.status).toBe("pending");
    expect(r.toDay).toBe(today());
    expect(r.fromDay).toBe(addDays(today(), -6));
    // A second request overlapping one under way says so.
    const overlap = await codeOf(
      requestRemoval(
        admin,
        { orgId: northwind, scope: "api_key", apiKeyId: "key_a", range: "custom", from: addDays(today(), -3), to: addDays(today(), -2) },
        d,
      ),
    );
    expect(overlap.code).toBe("conflict");
    expect(overlap.message).toMatch(/overlaps a removal request that is under way/);
    // A range next to it is fine for another org.
    expect((await codeOf(cancelRemoval(contosoAdmin, { orgId: northwind, requestId: r.id }, d))).code).toBe("not_found");
    expect((await codeOf(cancelRemoval(contosoAdmin, { orgId: contoso, requestId: r.id }, d))).code).toBe("not_found");
    const c = await cancelRemoval(admin, { orgId: northwind, requestId: r.id }, d);
    expect(c.status).toBe("cancelled");
    expect((await codeOf(cancelRemoval(admin, { orgId: northwind, requestId: r.id }, d))).code).toBe("conflict");
    expect((await codeOf(approveRemoval(support, { requestId: r.id, reason: "verified" }, d))).code).toBe("conflict");
    const actions = (await d.select().from(auditLog).where(eq(auditLog.orgId, northwind))).map((a) => a.action).filter((a) => a.startsWith("removal."));
    expect(actions).toEqual(["removal.requested", "removal.cancelled"]);
    const kinds = (await d.select().from(notices).where(eq(notices.orgId, northwind)))
      .map((n) => n.kind)
      .filter((k) => k.startsWith("removal_"))
      .sort();
    expect(kinds).toEqual(["removal_cancelled", "removal_requested"]);
    const mails = (await d.select().from(outbox)).filter(
      (m) => (m.payload as { orgId: string; subject: string }).orgId === northwind && /removal/i.test((m.payload as { subject: string }).subject),
    );
    expect(mails).toHaveLength(2); // one admin, two notices
  });

  it("pending → rejected by support with a reason and ticket; members and customers cannot review", async () => {
    const d = db.handle().db;
    const r = await requestRemoval(admin, { orgId: northwind, scope: "organization", range: "30d" }, d);
    expect((await codeOf(approveRemoval(admin, { requestId: r.id, reason: "self-approved" }, d))).code).toBe("not_found");
    expect((await codeOf(rejectRemoval(support, { requestId: r.id, reason: "x" }, d))).fields).toEqual(["reason"]);
    const rej = await rejectRemoval(support, { requestId: r.id, reason: "The requester could not be verified", ticketRef: "SUP-1" }, d);
    expect(rej.status).toBe("rejected");
    expect(rej.reviewReason).toBe("The requester could not be verified");
    expect((await codeOf(approveRemoval(support, { requestId: r.id, reason: "changed my mind" }, d))).code).toBe("conflict");
    const [a] = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, northwind), eq(auditLog.action, "removal.rejected")));
    expect(a.ticketRef).toBe("SUP-1");
    expect(await d.select().from(removalJobs)).toHaveLength(0);
  });

  it("approved → running → completed: exact counts, nothing left in scope, nothing lost outside, rollups = raw", async () => {
    const d = db.handle().db;
    const from = addDays(today(), -20);
    const to = addDays(today(), -10);
    const inScope = await countEvents(d, inDays(from, to, "key_a"));
    const all = await countEvents(d);
    expect(inScope).toBeGreaterThan(100);
    const r = await requestRemoval(admin, { orgId: northwind, scope: "api_key", apiKeyId: "key_a", range: "custom", from, to }, d);
    const appr = await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner", ticketRef: "SUP-2" }, d);
    expect(appr.status).toBe("approved");
    const report = await runRemovalJobs({ db: d, batchSize: 150 });
    expect(report.deleted).toBe(inScope);
    expect(report.batches).toBeGreaterThan(1);

    const done = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    completedId = r.id;
    const counts = done.counts as { usage_events: number; verification: { eventsInScope: number; hourlyMismatches: number; dailyMismatches: number } };
    expect(counts.usage_events).toBe(inScope);
    expect(counts.verification).toMatchObject({ eventsInScope: 0, hourlyMismatches: 0, dailyMismatches: 0 });
    expect(done.progress).toMatchObject({ eventsDeleted: inScope, rowsRemaining: 0, jobStatus: "done" });
    expect(await countEvents(d, inDays(from, to, "key_a"))).toBe(0);
    expect(await countEvents(d)).toBe(all - inScope);
    expect(await rollupMismatches(d, northwind)).toBe(0);
    expect(await rollupMismatches(d, contoso)).toBe(0);

    const actions = (await d.select().from(auditLog).where(eq(auditLog.orgId, northwind))).map((a) => a.action).slice(-4);
    expect(actions).toEqual(["removal.requested", "removal.approved", "removal.running", "removal.completed"]);
    expect(done.lastAuditId).toBe((await d.select().from(auditLog).where(eq(auditLog.action, "removal.completed")))[0].id);
    const [n] = await d.select().from(notices).where(eq(notices.kind, "removal_completed"));
    expect(n.body).toContain(`${inScope.toLocaleString("en-US")} usage events were removed`);
    expect((await codeOf(getRemovalRequest(contosoAdmin, { orgId: contoso, requestId: r.id }, d))).code).toBe("not_found");
  });

  it("a project's removal takes exactly its events; the other events of the same buckets stay and rollups = raw", async () => {
    const d = db.handle().db;
    const from = addDays(today(), -24);
    const to = addDays(today(), -21);
    const inScope = await countEvents(d, sql`${inDays(from, to)} and project_id = ${northwindProject}`);
    const others = await countEvents(d, sql`${inDays(from, to)} and project_id is null`);
    expect(inScope).toBeGreaterThan(50);
    expect(others).toBeGreaterThan(50);
    const { endpoint } = await createWebhookEndpoint(admin, { orgId: northwind, url: "http://127.0.0.1:9/removals", eventTypes: ["removal.completed"] }, d);
    const r = await requestRemoval(admin, { orgId: northwind, scope: "project", projectId: northwindProject, range: "custom", from, to }, d);
    await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);
    // Requested and approved are no webhook events: nothing is owed to the endpoint yet.
    expect(await d.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id))).toHaveLength(0);
    await runRemovalJobs({ db: d, batchSize: 100 });
    const done = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    expect((done.counts as { usage_events: number }).usage_events).toBe(inScope);
    expect(await countEvents(d, sql`${inDays(from, to)} and project_id = ${northwindProject}`)).toBe(0);
    expect(await countEvents(d, sql`${inDays(from, to)} and project_id is null`)).toBe(others);
    expect(await rollupMismatches(d, northwind)).toBe(0);
    const [n] = await d
      .select()
      .from(notices)
      .where(eq(notices.kind, "removal_completed"))
      .orderBy(sql`created_at desc`)
      .limit(1);
    expect(n.body).toContain("project Clinic app");
    // The org's webhook heard of the completion in the same commit: ids, states and counts, no names.
    const deliveries = await d.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
    expect(deliveries.map((x) => x.eventType)).toEqual(["removal.completed"]);
    const [o] = await d
      .select()
      .from(outbox)
      .where(eq(outbox.messageId, `webhook:${deliveries[0].webhookId}`));
    const body = JSON.parse((o.payload as { body: string }).body) as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe("removal.completed");
    expect(body.data).toMatchObject({
      requestId: r.id,
      orgId: northwind,
      status: "completed",
      scope: "project",
      projectId: northwindProject,
      eventsRemoved: inScope,
    });
    expect(JSON.stringify(body)).not.toContain("Clinic app");
  });

  it("running → failed: a store that keeps failing fails the request, says why without detail, and keeps every event", async () => {
    const d = db.handle().db;
    const from = addDays(today(), -35);
    const to = addDays(today(), -33);
    const inScope = await countEvents(d, inDays(from, to));
    const all = await countEvents(d);
    expect(inScope).toBeGreaterThan(0);
    const broken: UsageStore = {
      ...postgresUsageStore,
      removeSlice: async () => {
        throw new Error("disk full at /var/lib/postgresql");
      },
    };
    setUsageStore(broken);
    try {
      const r = await requestRemoval(admin, { orgId: northwind, scope: "organization", range: "custom", from, to }, d);
      await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);
      await runRemovalJobs({ db: d, maxAttempts: 2 });
      const failed = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
      expect(failed.status).toBe("failed");
      expect(failed.failure).toBe("the removal stopped after 2 failed attempts (Error)");
      const [job] = await d.select().from(removalJobs).where(eq(removalJobs.requestId, r.id));
      expect(job.status).toBe("failed");
      // Nothing was removed, so nothing is claimed: every event is still there and the rollups still equal them.
      expect(await countEvents(d)).toBe(all);
      expect(await rollupMismatches(d, northwind)).toBe(0);
      const [a] = await d
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.orgId, northwind), eq(auditLog.action, "removal.failed")));
      expect(a).toBeDefined();
      const [n] = await d
        .select()
        .from(notices)
        .where(and(eq(notices.orgId, northwind), eq(notices.kind, "removal_failed")));
      expect(n.body).not.toContain("/var/lib");
      // A failed request is over: it cannot be cancelled, and a new one may cover the same days.
      expect((await codeOf(cancelRemoval(admin, { orgId: northwind, requestId: r.id }, d))).code).toBe("conflict");
    } finally {
      setUsageStore(undefined);
    }
  });

  it("a scope matching nothing completes with zeros and says so", async () => {
    const d = db.handle().db;
    const all = await countEvents(d);
    const r = await requestRemoval(admin, { orgId: northwind, scope: "api_key", apiKeyId: "key_nobody_has", range: "90d" }, d);
    await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);
    await runRemovalJobs({ db: d });
    const done = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    expect((done.counts as { usage_events: number }).usage_events).toBe(0);
    expect(await countEvents(d)).toBe(all);
    const [n] = await d
      .select()
      .from(notices)
      .where(eq(notices.kind, "removal_completed"))
      .orderBy(sql`created_at desc`)
      .limit(1);
    expect(n.body).toContain("No usage events matched the scope and days, so none were removed.");
  });

  it("with content included it completes only when the fleet's order has; the report is idempotent; another org's order is 404", async () => {
    const d = db.handle().db;
    await withdrawAll();
    const r = await requestRemoval(
      admin,
      {
        orgId: northwind,
        scope: "organization",
        range: "custom",
        from: addDays(today(), -9),
        to: addDays(today(), -8),
        includeContent: "on" as unknown as boolean,
      },
      d,
    );
    expect(r.includeContent).toBe(true);
    await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);
    const orders = await listRemovalOrders(fleet, {}, d);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ requestId: r.id, orgId: northwind, status: "pending", projectId: null, apiKeyId: null });
    await runRemovalJobs({ db: d });
    expect((await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d)).status).toBe("running");

    const body = { itemsRemoved: 42, completedAt: new Date().toISOString() };
    expect((await codeOf(completeRemovalOrder(fleet, { orderId: orders[0].id, body: { ...body, orgId: contoso } }, d))).code).toBe("not_found");
    expect((await codeOf(completeRemovalOrder(fleet, { orderId: "00000000-0000-4000-8000-000000000123", body }, d))).code).toBe("not_found");
    expect((await codeOf(completeRemovalOrder({ ...fleet, scopes: ["removal:read"] }, { orderId: orders[0].id, body }, d))).code).toBe("forbidden");
    expect((await codeOf(completeRemovalOrder(fleet, { orderId: orders[0].id, body: { ...body, content: "x" } }, d))).code).toBe("invalid");
    const first = await completeRemovalOrder(fleet, { orderId: orders[0].id, body: { ...body, orgId: northwind } }, d);
    expect(first).toMatchObject({ status: "completed", itemsRemoved: 42 });
    expect(await completeRemovalOrder(fleet, { orderId: orders[0].id, body }, d)).toEqual(first);
    expect((await codeOf(completeRemovalOrder(fleet, { orderId: orders[0].id, body: { ...body, itemsRemoved: 7 } }, d))).code).toBe("conflict");
    const done = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    expect((done.counts as { fleet: { itemsRemoved: number } }).fleet.itemsRemoved).toBe(42);
    expect(await listRemovalOrders(fleet, {}, d)).toHaveLength(0);
    expect(await rollupMismatches(d, northwind)).toBe(0);
  });

  it("concurrent ingest into the range during a job leaves rollups equal to raw and nothing in scope", async () => {
    const d = db.handle().db;
    const from = addDays(today(), -35);
    const to = addDays(today(), -25);
    const r = await requestRemoval(admin, { orgId: northwind, scope: "organization", range: "custom", from, to }, d);
    await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);
    const start = Date.parse(`${from}T12:00:00Z`);
    const job = runRemovalJobs({ db: d, batchSize: 50 });
    // Ingest into the range and next to it while the job runs.
    const outside = makeEvents(northwind, 300, Date.parse(`${addDays(to, 2)}T12:00:00Z`), Date.parse(`${addDays(to, 3)}T12:00:00Z`), { seed: 9 });
    const inside = makeEvents(northwind, 300, start, start + 5 * DAY, { seed: 10 });
    const before = await countEvents(
      d,
      sql`org_id = ${northwind} and id in (${sql.join(
        outside.map((e) => sql`${e.id}::uuid`),
        sql`, `,
      )})`,
    );
    expect(before).toBe(0);
    for (let i = 0; i < 6; i++) await ingestAll(d, [...inside.slice(i * 50, i * 50 + 50), ...outside.slice(i * 50, i * 50 + 50)]);
    await job;
    await runRemovalJobs({ db: d });
    const done = await getRemovalRequest(admin, { orgId: northwind, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    // Everything stored in the range by the job's cut-off is gone; what the fleet reported after it is new data, kept whole.
    const [ran] = await d.select().from(removalJobs).where(eq(removalJobs.requestId, r.id));
    expect(ran.cutoffAt).not.toBeNull();
    expect(await countEvents(d, sql`${inDays(from, to)} and received_at <= ${ran.cutoffAt!.toISOString()}::timestamptz`)).toBe(0);
    expect(await countEvents(d, inDays(from, to))).toBe(
      await countEvents(d, sql`${inDays(from, to)} and received_at > ${ran.cutoffAt!.toISOString()}::timestamptz`),
    );
    expect(
      await countEvents(
        d,
        sql`id in (${sql.join(
          outside.map((e) => sql`${e.id}::uuid`),
          sql`, `,
        )})`,
      ),
    ).toBe(300);
    expect(await rollupMismatches(d, northwind)).toBe(0);
  });

  it("the usage retention window purges raw events past it through the same jobs; rollups stay", async () => {
    const d = db.handle().db;
    expect((await codeOf(setUsageRetentionDays(support, { orgId: contoso, days: 20, reason: "contract" }, d))).fields).toEqual(["days"]);
    expect((await codeOf(setUsageRetentionDays(support, { orgId: contoso, days: 5000, reason: "contract" }, d))).fields).toEqual(["days"]);
    expect((await codeOf(setUsageRetentionDays(contosoAdmin, { orgId: contoso, days: 30, reason: "contract" }, d))).code).toBe("not_found");
    // Support's change only records and queues; the purge below runs it.
    await d.update(organizations).set({ usageRetentionDays: 60 }).where(eq(organizations.id, contoso));
    expect(await setUsageRetentionDays(support, { orgId: contoso, days: 400, reason: "contract", ticketRef: "SUP-9" }, d)).toMatchObject({
      before: 60,
      after: 400,
    });
    const [entry] = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, contoso), eq(auditLog.action, "usage.retention_changed")));
    expect(entry).toMatchObject({ before: { usageRetentionDays: 60 }, after: { usageRetentionDays: 400 }, ticketRef: "SUP-9" });
    await d.update(organizations).set({ usageRetentionDays: 30 }).where(eq(organizations.id, contoso));
    const old = await countEvents(d, sql`org_id = ${contoso} and occurred_at < now() - interval '30 days'`);
    expect(old).toBeGreaterThan(0);
    const [{ n: rollupRequests }] = await d
      .execute(sql`select sum(requests)::int as n from usage_rollups_daily where org_id = ${contoso}`)
      .then((r) => (r as unknown as { rows?: { n: number }[] }).rows ?? (r as unknown as { n: number }[]));
    expect(await scheduleRetentionPurges(d)).toBe(1);
    expect(await scheduleRetentionPurges(d)).toBe(0);
    await runRemovalJobs({ db: d, batchSize: 100 });
    expect(await countEvents(d, sql`org_id = ${contoso} and occurred_at < now() - interval '30 days'`)).toBe(0);
    const [{ n: after }] = await d
      .execute(sql`select sum(requests)::int as n from usage_rollups_daily where org_id = ${contoso}`)
      .then((r) => (r as unknown as { rows?: { n: number }[] }).rows ?? (r as unknown as { n: number }[]));
    expect(after).toBe(rollupRequests);
    const [job] = await d
      .select()
      .from(removalJobs)
      .where(and(eq(removalJobs.orgId, contoso), eq(removalJobs.kind, "retention")));
    expect(job).toMatchObject({ status: "done", eventsDeleted: old });
    // A removal range reaching past the window is refused.
    expect((await codeOf(requestRemoval(contosoAdmin, { orgId: contoso, scope: "organization", range: "90d" }, d))).fields).toEqual(["range"]);
  });

  it("a completed request's certificate verifies with jose against /.well-known/jwks.json, and a one-byte change fails it", async () => {
    const d = db.handle().db;
    const { jws, payload } = await removalCertificate(admin, { orgId: northwind, requestId: completedId }, d);
    const keys = await (await jwksRoute()).json();
    const { payload: bytes, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys));
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "zdr-removal-certificate+jws" });
    expect(keys.keys.map((k: { kid: string }) => k.kid)).toContain(protectedHeader.kid);
    const body = JSON.parse(new TextDecoder().decode(bytes));
    expect(body).toEqual(payload);
    const r = await getRemovalRequest(admin, { orgId: northwind, requestId: completedId }, d);
    expect(body).toMatchObject({
      type: "removal_certificate",
      requestId: completedId,
      org: { id: northwind, name: "Northwind Health" },
      scope: { kind: "api_key", apiKeyId: "key_a", projectId: null },
      range: { fromDay: r.fromDay, toDay: r.toDay, timeZone: tz },
      approvedBy: { label: "support@provider.example", ticketRef: "SUP-2" },
      auditEntry: { id: r.lastAuditId, action: "removal.completed" },
      verification: { eventsInScope: 0, hourlyMismatches: 0, dailyMismatches: 0 },
    });
    expect(body.removed[0]).toMatchObject({ store: "usage_events", rows: (r.counts as { usage_events: number }).usage_events });
    // The same request always yields the same document.
    expect((await removalCertificate(admin, { orgId: northwind, requestId: completedId }, d)).jws).toBe(jws);
    // One byte changed in the payload (a count), or in the signature: verification fails.
    const [h, p, sig] = jws.split(".");
    const raw = Buffer.from(p, "base64url");
    const i = raw.indexOf(Buffer.from(`"rows":`)) + 7;
    raw[i] = raw[i] === 0x39 ? 0x38 : raw[i] + 1;
    await expect(compactVerify(`${h}.${raw.toString("base64url")}.${sig}`, createLocalJWKSet(keys))).rejects.toThrow();
    const flipped = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    await expect(compactVerify(`${h}.${p}.${flipped}`, createLocalJWKSet(keys))).rejects.toThrow();
    // Not for another org, not for a member, not before completion.
    expect((await codeOf(removalCertificate(contosoAdmin, { orgId: northwind, requestId: completedId }, d))).code).toBe("not_found");
    expect((await codeOf(removalCertificate(member, { orgId: northwind, requestId: completedId }, d))).code).toBe("forbidden");
    const pending = await requestRemoval(contosoAdmin, { orgId: contoso, scope: "organization", range: "7d" }, d);
    expect((await codeOf(removalCertificate(contosoAdmin, { orgId: contoso, requestId: pending.id }, d))).code).toBe("conflict");
  });
});
