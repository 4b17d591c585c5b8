import { count, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoWorld } from "@/lib/demo/seed";
import { auditLog, memberships, organizations, outbox, retentionStates, users, zdrRequests } from "@/lib/db/schema";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { verifyAuditChain } from "@/lib/audit/chain";
import { getRetentionView, keptFields, listRetentionAudit, neverKeptInUsage } from "@/lib/retention/queries";
import { requestZeroRetention } from "@/lib/retention/request";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const p: Record<string, UserPrincipal> = {};
let acme: { orgId: string; admin: UserPrincipal; member: UserPrincipal };

/** An enterprise org with ZDR off, an admin and a member: the one that may ask. */
async function makeEnterpriseOrg(slug: string) {
  const d = db.handle().db;
  const [org] = await d.insert(organizations).values({ name: slug, slug, plan: "enterprise" }).returning();
  await d.insert(retentionStates).values({ orgId: org.id });
  const [a] = await d
    .insert(users)
    .values({ email: `admin@${slug}.example`, name: "Ada Admin" })
    .returning();
  const [m] = await d
    .insert(users)
    .values({ email: `member@${slug}.example`, name: "Mo Member" })
    .returning();
  await d.insert(memberships).values([
    { orgId: org.id, userId: a.id, role: "admin" },
    { orgId: org.id, userId: m.id, role: "member" },
  ]);
  return { orgId: org.id, admin: (await loadUserPrincipal(d, a.id))!, member: (await loadUserPrincipal(d, m.id))! };
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const email of [
    "admin@northwind.example",
    "member@northwind.example",
    "admin@contoso.example",
    "member@contoso.example",
    "owner@fabrikam.example",
    "support@provider.example",
  ]) {
    p[email] = (await loadUserPrincipalByEmail(d, email))!;
  }
  acme = await makeEnterpriseOrg("acme-clinic");
}, 60_000);

describe(`retention page reads on ${testDbKind}`, () => {
  it("derives each demo org's emblem from its state: active, none while requested, none when off", async () => {
    const nw = await getRetentionView(p["member@northwind.example"], { orgId: p["member@northwind.example"].orgId! });
    expect(nw.emblem).toBe("active");
    expect(nw.policy.zdr).toMatchObject({ status: "active", honoured: true, scope: "all_requests" });
    expect(nw.requestedBy).toBe("Nadia Okafor");
    const cb = await getRetentionView(p["member@contoso.example"], { orgId: p["member@contoso.example"].orgId! });
    expect(cb.emblem).toBeNull();
    expect(cb.pendingRequest).toMatchObject({ requestedBy: "Clara Jensen", scope: "all_requests" });
    expect(Date.now() - Date.parse(cb.pendingRequest!.createdAt)).toBeGreaterThan(25 * 3600 * 1000);
    const fs = await getRetentionView(p["owner@fabrikam.example"], { orgId: p["owner@fabrikam.example"].orgId! });
    expect(fs.emblem).toBeNull();
    expect(fs.policy.trainingUse).toBe(true);
    expect(fs.canRequest).toEqual({ allowed: false, reason: "not_enterprise" });
  });

  it("a restricted org shows the warning state and never claims ZDR", async () => {
    const d = db.handle().db;
    const orgId = p["admin@northwind.example"].orgId!;
    await d
      .update(retentionStates)
      .set({ restriction: "restricted", restrictionReason: "automated_flag", restrictedSince: new Date() })
      .where(eq(retentionStates.orgId, orgId));
    try {
      const v = await getRetentionView(p["member@northwind.example"], { orgId });
      expect(v.emblem).toBe("restricted");
      expect(v.policy.zdr.honoured).toBe(false);
      expect(v.policy.products.every((x) => x.dataTypes.every((t) => t.zeroRetention === "never"))).toBe(true);
    } finally {
      await d.update(retentionStates).set({ restriction: "none", restrictionReason: null, restrictedSince: null }).where(eq(retentionStates.orgId, orgId));
    }
  });

  it("another tenant's retention state is not found; support without a membership too", async () => {
    const nw = p["admin@northwind.example"].orgId!;
    await expect(getRetentionView(p["admin@contoso.example"], { orgId: nw })).rejects.toMatchObject({ code: "not_found" });
    await expect(getRetentionView(p["support@provider.example"], { orgId: nw })).rejects.toMatchObject({ code: "not_found" });
    await expect(listRetentionAudit(p["admin@contoso.example"], { orgId: nw })).rejects.toMatchObject({ code: "not_found" });
  });

  it("the audit trail is for admins of the org, newest first, with support shown as the provider", async () => {
    const orgId = p["admin@northwind.example"].orgId!;
    await expect(listRetentionAudit(p["member@northwind.example"], { orgId })).rejects.toMatchObject({ code: "forbidden" });
    const trail = await listRetentionAudit(p["admin@northwind.example"], { orgId });
    // The demo world's two projects were created after ZDR was enabled; project changes are in the same trail.
    expect(trail.map((e) => e.action)).toEqual(["project.created", "project.created", "zdr.enabled", "zdr.requested"]);
    expect(trail[2]).toMatchObject({ actor: "Provider support", ticketRef: "SUP-1042" });
    expect(trail[3].actor).toBe("Nadia Okafor");
  });

  it("'what we keep' lists every column of the usage table, each described", () => {
    const kept = keptFields();
    expect(kept.map((k) => k.column)).toEqual([
      "id",
      "org_id",
      "occurred_at",
      "product",
      "model",
      "input_units",
      "output_units",
      "status",
      "latency_ms",
      "api_key_id",
      "project_id",
      "zero_retention",
      "received_at",
    ]);
    for (const k of kept) expect(k.description, k.column).not.toBe("");
    expect(neverKeptInUsage()).toEqual(expect.arrayContaining(["prompt input", "completion output", "audio input", "transcript output"]));
  });
});

describe(`requestZeroRetention on ${testDbKind}`, () => {
  it("a member cannot ask (403); another tenant's admin cannot ask for this org (404)", async () => {
    await expect(requestZeroRetention(acme.member, { orgId: acme.orgId })).rejects.toMatchObject({ code: "forbidden" });
    await expect(requestZeroRetention(p["admin@northwind.example"], { orgId: acme.orgId })).rejects.toMatchObject({ code: "not_found" });
    const [s] = await db.handle().db.select().from(retentionStates).where(eq(retentionStates.orgId, acme.orgId));
    expect(s.zdrStatus).toBe("off");
  });

  it("a free org cannot ask, an org with a pending request or active ZDR gets a conflict", async () => {
    await expect(requestZeroRetention(p["owner@fabrikam.example"], { orgId: p["owner@fabrikam.example"].orgId! })).rejects.toMatchObject({ code: "forbidden" });
    await expect(requestZeroRetention(p["admin@contoso.example"], { orgId: p["admin@contoso.example"].orgId! })).rejects.toMatchObject({ code: "conflict" });
    await expect(requestZeroRetention(p["admin@northwind.example"], { orgId: p["admin@northwind.example"].orgId! })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("rejects unknown fields and an overlong note by name", async () => {
    await expect(requestZeroRetention(acme.admin, { orgId: acme.orgId, prompt: "x" } as never)).rejects.toMatchObject({
      code: "invalid",
      details: { fields: ["prompt"] },
    });
    await expect(requestZeroRetention(acme.admin, { orgId: acme.orgId, note: "x".repeat(501) })).rejects.toMatchObject({
      code: "invalid",
      details: { fields: ["note"] },
    });
  });

  it("an admin's request moves off → requested with a pending request and an audit entry, together", async () => {
    const d = db.handle().db;
    const before = await getRetentionView(acme.admin, { orgId: acme.orgId });
    expect(before.canRequest).toEqual({ allowed: true });
    const { state, request } = await requestZeroRetention(acme.admin, { orgId: acme.orgId, scope: "per_request", note: "HIPAA" });
    expect(state).toMatchObject({ zdrStatus: "requested", zdrScope: "per_request", zdrRequestedBy: acme.admin.userId, version: before.policy.version + 1 });
    expect(request).toMatchObject({ status: "pending", requestedBy: acme.admin.userId });
    const [audit] = await d.select().from(auditLog).where(eq(auditLog.orgId, acme.orgId));
    expect(audit).toMatchObject({
      action: "zdr.requested",
      actorType: "user",
      actorId: acme.admin.userId,
      before: { zdrStatus: "off" },
      after: { zdrStatus: "requested" },
    });
    expect((await verifyAuditChain(d)).ok).toBe(true);

    const after = await getRetentionView(acme.member, { orgId: acme.orgId });
    expect(after.emblem).toBeNull();
    expect(after.pendingRequest).toMatchObject({ requestedBy: "Ada Admin", scope: "per_request" });
    expect(after.canRequest).toEqual({ allowed: false, reason: "already_requested" });

    // Support staff are told at once, in the same transaction: one email each, with the org and the link, not the note.
    const mails = await d
      .select()
      .from(outbox)
      .where(like(outbox.messageId, `<support-zdr-request-${request.id}.${p["support@provider.example"].userId}@%`));
    expect(mails).toHaveLength(1);
    const mail = mails[0].payload as { to: string; subject: string; text: string; orgId: string };
    expect(mail).toMatchObject({ to: "support@provider.example", orgId: acme.orgId });
    expect(mail.subject).toContain("ZDR requested by");
    expect(mail.text).toContain(`/support/orgs/${acme.orgId}`);
    expect(mail.text).toMatch(/Review by: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(mail.text).not.toContain("HIPAA");
  });

  it("two admins asking at once: one request, one conflict", async () => {
    const org = await makeEnterpriseOrg("beta-bank");
    const results = await Promise.allSettled([requestZeroRetention(org.admin, { orgId: org.orgId }), requestZeroRetention(org.admin, { orgId: org.orgId })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "conflict" } });
    const [{ n }] = await db.handle().db.select({ n: count() }).from(zdrRequests).where(eq(zdrRequests.orgId, org.orgId));
    expect(n).toBe(1);
  });

  it("when any part fails nothing is written: no state change, no audit entry", async () => {
    const d = db.handle().db;
    const org = await makeEnterpriseOrg("gamma-care");
    // A stray pending row makes the request insert fail after the state update.
    await d.insert(zdrRequests).values({ orgId: org.orgId, status: "pending" });
    await expect(requestZeroRetention(org.admin, { orgId: org.orgId })).rejects.toThrow();
    const [s] = await d.select().from(retentionStates).where(eq(retentionStates.orgId, org.orgId));
    expect(s).toMatchObject({ zdrStatus: "off", version: 1 });
    const [{ n }] = await d.select({ n: count() }).from(auditLog).where(eq(auditLog.orgId, org.orgId));
    expect(n).toBe(0);
  });
});
