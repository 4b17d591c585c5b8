/**
 * A ZDR request is acknowledged and can be withdrawn: the receipt goes to
 * the requester and the org's other active admins (never members, never
 * support staff) with the reference and the note, and a pending request is
 * withdrawn by an admin of that org only, audited, and shown so to support.
 */
import { and, eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoWorld } from "@/lib/demo/seed";
import { auditLog, memberships, organizations, outbox, retentionStates, supportStaff, users, zdrRequests } from "@/lib/db/schema";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { verifyAuditChain } from "@/lib/audit/chain";
import { zdrRequestReference } from "@/lib/notify/compose";
import { getRetentionView } from "@/lib/retention/queries";
import { requestZeroRetention, withdrawZeroRetentionRequest } from "@/lib/retention/request";
import { getAccount } from "@/lib/support/queries";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
let support: UserPrincipal;
let northwindAdmin: UserPrincipal;

type Org = { orgId: string; admin: UserPrincipal; other: UserPrincipal; disabled: UserPrincipal; member: UserPrincipal };

/** An enterprise org with ZDR off: two active admins, a disabled admin, a member. */
async function makeOrg(slug: string): Promise<Org> {
  const d = db.handle().db;
  const [org] = await d
    .insert(organizations)
    .values({ name: `${slug} Org`, slug, plan: "enterprise" })
    .returning();
  await d.insert(retentionStates).values({ orgId: org.id });
  const person = async (local: string, name: string, role: "admin" | "member", disabled = false) => {
    const [u] = await d
      .insert(users)
      .values({ email: `${local}@${slug}.example`, name, disabledAt: disabled ? new Date() : null })
      .returning();
    await d.insert(memberships).values({ orgId: org.id, userId: u.id, role });
    return (await loadUserPrincipal(d, u.id))!;
  };
  return {
    orgId: org.id,
    admin: await person("ada", "Ada Admin", "admin"),
    other: await person("omar", "Omar Other", "admin"),
    disabled: await person("gone", "Gone Admin", "admin", true),
    member: await person("mo", "Mo Member", "member"),
  };
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  northwindAdmin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  expect(await d.select().from(supportStaff)).not.toHaveLength(0);
}, 60_000);

const receipts = (requestId: string) =>
  db
    .handle()
    .db.select()
    .from(outbox)
    .where(like(outbox.messageId, `<receipt-zdr-request-${requestId}.%`));

describe(`ZDR request receipt and withdrawal on ${testDbKind}`, () => {
  it("the receipt goes to the requester and the other active admins only, with the reference and the note", async () => {
    const org = await makeOrg("receipt-clinic");
    const { request } = await requestZeroRetention(org.admin, { orgId: org.orgId, scope: "per_request", note: "HIPAA: clinical dictation" });
    expect(request.reference).toBe(zdrRequestReference(request.id));
    const mails = (await receipts(request.id)).map((m) => m.payload as { to: string; recipientUserId: string; subject: string; text: string; orgId: string });
    expect(mails.map((m) => m.to).sort()).toEqual(["ada@receipt-clinic.example", "omar@receipt-clinic.example"]);
    expect(mails.map((m) => m.recipientUserId).sort()).toEqual([org.admin.userId, org.other.userId].sort());
    for (const m of mails) {
      expect(m.orgId).toBe(org.orgId);
      expect(m.subject).toContain(request.reference);
      expect(m.text).toContain(`Reference: ${request.reference}`);
      expect(m.text).toContain("Note: HIPAA: clinical dictation");
      expect(m.text).toContain("Withdraw request");
      expect(m.text).toContain("/retention");
    }
    expect(mails.find((m) => m.to.startsWith("ada@"))!.text).toContain("You asked for Zero Data Retention");
    expect(mails.find((m) => m.to.startsWith("omar@"))!.text).toContain("Ada Admin asked for Zero Data Retention");
    // Never members, disabled admins or support staff (support has its own email, without the note).
    const all = await db
      .handle()
      .db.select()
      .from(outbox)
      .where(like(outbox.messageId, `%zdr-request-${request.id}%`));
    const to = all.map((m) => (m.payload as { to: string }).to);
    expect(to).not.toContain("mo@receipt-clinic.example");
    expect(to).not.toContain("gone@receipt-clinic.example");
    for (const m of all.filter((x) => x.messageId.startsWith("<support-"))) expect((m.payload as { text: string }).text).not.toContain("HIPAA");
    // The customer's page shows the same reference and the note.
    expect((await getRetentionView(org.member, { orgId: org.orgId })).pendingRequest).toMatchObject({
      id: request.id,
      reference: request.reference,
      note: "HIPAA: clinical dictation",
      overdue: false,
    });
  });

  it("only an admin of that org withdraws: a member is forbidden, another org's admin (and its ids) not found", async () => {
    const org = await makeOrg("guarded-clinic");
    const { request } = await requestZeroRetention(org.admin, { orgId: org.orgId });
    await expect(withdrawZeroRetentionRequest(org.member, { orgId: org.orgId, requestId: request.id })).rejects.toMatchObject({ code: "forbidden" });
    await expect(withdrawZeroRetentionRequest(northwindAdmin, { orgId: org.orgId, requestId: request.id })).rejects.toMatchObject({ code: "not_found" });
    // Northwind's admin names this org's request under Northwind: not found, and nothing changes.
    await expect(withdrawZeroRetentionRequest(northwindAdmin, { orgId: northwindAdmin.orgId!, requestId: request.id })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(withdrawZeroRetentionRequest(support, { orgId: org.orgId, requestId: request.id })).rejects.toMatchObject({ code: "not_found" });
    const [row] = await db.handle().db.select().from(zdrRequests).where(eq(zdrRequests.id, request.id));
    expect(row.status).toBe("pending");
  });

  it("a withdrawal: pending → withdrawn, requested → off, audited; support's console shows it withdrawn; a second is a conflict", async () => {
    const d = db.handle().db;
    const org = await makeOrg("withdraw-clinic");
    const { request, state: requested } = await requestZeroRetention(org.admin, { orgId: org.orgId });
    const { reference, state } = await withdrawZeroRetentionRequest(org.other, { orgId: org.orgId, requestId: request.id });
    expect(reference).toBe(request.reference);
    expect(state).toMatchObject({ zdrStatus: "off", version: requested.version + 1 });
    const [row] = await d.select().from(zdrRequests).where(eq(zdrRequests.id, request.id));
    expect(row).toMatchObject({ status: "withdrawn", resolvedBy: org.other.userId });
    expect(row.resolvedAt).not.toBeNull();
    const [audit] = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, org.orgId), eq(auditLog.action, "zdr.request_withdrawn")));
    expect(audit).toMatchObject({ actorId: org.other.userId, before: { zdrStatus: "requested" }, after: { zdrStatus: "off" } });
    expect((await verifyAuditChain(d)).ok).toBe(true);

    // Support staff are told it was withdrawn, so nobody reviews it.
    const told = await d
      .select()
      .from(outbox)
      .where(like(outbox.messageId, `<support-zdr-withdrawn-${request.id}.${support.userId}@%`));
    expect(told).toHaveLength(1);
    expect((told[0].payload as { subject: string }).subject).toContain(`${request.reference} withdrawn`);

    const account = await getAccount(support, org.orgId, d);
    expect(account.pendingRequest).toBeNull();
    expect(account.requests.map((r) => [r.id, r.status])).toEqual([[request.id, "withdrawn"]]);
    expect(account.audit[0].sentence).toBe("Omar Other withdrew the request for Zero Data Retention");

    const view = await getRetentionView(org.admin, { orgId: org.orgId });
    expect(view.pendingRequest).toBeNull();
    expect(view.canRequest).toEqual({ allowed: true });
    await expect(withdrawZeroRetentionRequest(org.admin, { orgId: org.orgId, requestId: request.id })).rejects.toMatchObject({ code: "conflict" });
    // Asking again works: the withdrawn request no longer holds the one pending place.
    await requestZeroRetention(org.admin, { orgId: org.orgId });
  });
});
