import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, moderationFlags, notices, organizations, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { countOverdueRequests, getAccount, listAccounts, listModerationFlags, listPendingRequests } from "@/lib/support/queries";
import { reviewModerationFlag } from "@/lib/moderation/flags";
import { createServiceToken, listServiceTokens, revokeServiceToken } from "@/lib/tokens/tokens";
import { acknowledgeNotice, countUnacknowledgedNotices, listNotices } from "@/lib/notices/queries";
import { restrictOrganization } from "@/lib/retention/service";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const orgs: Record<string, string> = {};
const who: Record<string, UserPrincipal> = {};

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgs[o.slug] = o.id;
  for (const e of ["support@provider.example", "admin@northwind.example", "member@northwind.example", "admin@contoso.example"]) {
    who[e.split("@")[0] + "@" + e.split("@")[1].split(".")[0]] = (await loadUserPrincipalByEmail(d, e))!;
  }
});

describe(`support console reads on ${testDbKind}`, () => {
  it("lists accounts with ZDR state and plan filters, and searches by name or admin email", async () => {
    const support = who["support@provider"];
    const names = async (f: Parameters<typeof listAccounts>[1]) => (await listAccounts(support, f)).map((a) => a.name);
    expect(await names({})).toEqual(["Contoso Bank", "Fabrikam Studio", "Northwind Health"]);
    expect(await names({ zdr: "active" })).toEqual(["Northwind Health"]);
    expect(await names({ zdr: "requested" })).toEqual(["Contoso Bank"]);
    expect(await names({ plan: "free" })).toEqual(["Fabrikam Studio"]);
    expect(await names({ q: "CONTOSO" })).toEqual(["Contoso Bank"]);
    expect(await names({ q: "owner@fabrikam" })).toEqual(["Fabrikam Studio"]);
    // A person's name, as a caller gives it on the phone.
    const [admin] = await db.handle().db.select({ name: users.name }).from(users).where(eq(users.email, "admin@contoso.example"));
    expect(await names({ q: admin.name.toUpperCase() })).toEqual(["Contoso Bank"]);
    expect(await names({ q: "%" })).toEqual([]);
    expect(await names({ zdr: "active", plan: "free" })).toEqual([]);
  });

  it("customers cannot read the console: 404, not 403", async () => {
    for (const p of [who["admin@northwind"], who["member@northwind"]]) {
      expect(await code(listAccounts(p))).toBe("not_found");
      expect(await code(getAccount(p, orgs["northwind-health"]))).toBe("not_found");
      expect(await code(listPendingRequests(p))).toBe("not_found");
      expect(await code(listModerationFlags(p))).toBe("not_found");
    }
  });

  it("the request queue holds Contoso's pending request, oldest first, aged in business time", async () => {
    const q = await listPendingRequests(who["support@provider"]);
    expect(q.map((r) => r.orgName)).toEqual(["Contoso Bank"]);
    expect(q[0].requesterEmail).toBe("admin@contoso.example");
    expect(q[0].age.businessMs).toBeLessThanOrEqual(26 * 3600_000 + 60_000); // the seed dated it 26 h before its own clock read; the test reads a little later
  });

  it("an account shows its state, admins apart from members, and its audit trail", async () => {
    const a = await getAccount(who["support@provider"], orgs["northwind-health"]);
    expect(a.emblem).toBe("active");
    expect(a.admins.map((x) => x.email)).toEqual(["admin@northwind.example"]);
    expect(a.members.map((x) => x.email)).toEqual(["member@northwind.example"]);
    // The demo world's two projects were created after ZDR was enabled; their entries are in the org's trail too.
    expect(a.audit.map((x) => x.action)).toEqual(["project.created", "project.created", "zdr.enabled", "zdr.requested"]);
    expect(await code(getAccount(who["support@provider"], "00000000-0000-4000-8000-000000000000"))).toBe("not_found");
  });

  it("moderation flags list their effect on ZDR", async () => {
    const d = db.handle().db;
    await d.insert(moderationFlags).values([
      { orgId: orgs["fabrikam-studio"], category: "spam", severity: "low", restrict: false },
      { orgId: orgs["contoso-bank"], category: "fraud", severity: "high", restrict: true },
    ]);
    await restrictOrganization(who["support@provider"], { orgId: orgs["contoso-bank"], reason: "automated_flag", note: "Flag: fraud, high" });
    const flags = await listModerationFlags(who["support@provider"]);
    expect(Object.fromEntries(flags.map((f) => [f.orgName, f.effect]))).toEqual({
      "Fabrikam Studio": "Recorded for review; ZDR unchanged",
      "Contoso Bank": "Restricted ZDR (restriction still in force)",
    });
  });
});

describe(`support console polish on ${testDbKind}`, () => {
  it("counts the pending requests past their one-business-day target", async () => {
    const support = who["support@provider"];
    const now = new Date();
    const pending = await listPendingRequests(support, now);
    expect(await countOverdueRequests(support, now)).toBe(pending.filter((r) => r.age.overdue).length);
    // Ten days on, Contoso's request is overdue whatever the weekday.
    expect(await countOverdueRequests(support, new Date(now.getTime() + 10 * 86_400_000))).toBe(pending.length);
    expect(await code(countOverdueRequests(who["admin@northwind"]))).toBe("not_found");
  });

  it("support reviews or dismisses a flag once, with a reason, audited in the org's trail as a sentence; customers cannot", async () => {
    const d = db.handle().db;
    const support = who["support@provider"];
    const orgId = orgs["fabrikam-studio"];
    const [flag] = await d.insert(moderationFlags).values({ orgId, category: "self_harm", severity: "medium" }).returning();
    expect(await code(reviewModerationFlag(who["admin@northwind"], { flagId: flag.id, outcome: "dismissed", note: "x" }, d))).toBe("not_found");
    expect(await code(reviewModerationFlag(support, { flagId: flag.id, outcome: "dismissed", note: "  " }, d))).toBe("invalid");
    const row = await reviewModerationFlag(support, { flagId: flag.id, outcome: "dismissed", note: "QA traffic" }, d);
    expect(row).toMatchObject({ reviewStatus: "dismissed", reviewedBy: support.userId, reviewNote: "QA traffic" });
    // Decided once: a second review (another agent, a stale tab) is a conflict and changes nothing.
    expect(await code(reviewModerationFlag(support, { flagId: flag.id, outcome: "reviewed", note: "stands" }, d))).toBe("conflict");
    const [after] = await d.select().from(moderationFlags).where(eq(moderationFlags.id, flag.id));
    expect(after.reviewStatus).toBe("dismissed");
    const entries = await d.select().from(auditLog).where(eq(auditLog.orgId, orgId));
    const dismissed = entries.filter((e) => e.action === "moderation.flag_dismissed");
    expect(dismissed).toHaveLength(1);
    expect(dismissed[0]).toMatchObject({ reason: "QA traffic", ticketRef: `flag-${flag.id}`, actorId: support.userId });
    const listed = (await listModerationFlags(support)).find((f) => f.id === flag.id)!;
    expect(listed).toMatchObject({ reviewStatus: "dismissed", reviewedByName: support.name });
    const account = await getAccount(support, orgId);
    const entry = account.audit.find((e) => e.action === "moderation.flag_dismissed")!;
    expect(entry.group).toBe("other");
    expect(entry.sentence).toBe(`${support.name} dismissed a moderation flag (self_harm)`);
  });

  it("a token is revoked only with its name typed again, and the list says who created and who revoked it", async () => {
    const d = db.handle().db;
    const support = who["support@provider"];
    const { summary } = await createServiceToken(support, { name: "fleet eu-west", scopes: ["policy:read"] }, d);
    expect(await code(revokeServiceToken(support, { tokenId: summary.id, confirmName: "fleet eu-wes" }, d))).toBe("invalid");
    expect((await listServiceTokens(support, d)).find((t) => t.id === summary.id)!.revokedAt).toBeNull();
    await revokeServiceToken(support, { tokenId: summary.id, confirmName: "fleet eu-west" }, d);
    const t = (await listServiceTokens(support, d)).find((x) => x.id === summary.id)!;
    expect(t.revokedAt).not.toBeNull();
    expect(t).toMatchObject({ createdByName: support.name, revokedByName: support.name });
  });
});

describe(`notices on ${testDbKind}`, () => {
  it("an admin acknowledges a notice (who and when recorded, audited); members and other tenants cannot", async () => {
    const d = db.handle().db;
    const orgId = orgs["northwind-health"];
    const r = await restrictOrganization(who["support@provider"], {
      orgId,
      reason: "high_risk_use_case",
      note: "Review of triage use case",
      ticketRef: "SUP-9",
    });
    expect(await countUnacknowledgedNotices(who["member@northwind"], orgId)).toBe(1);
    const list = await listNotices(who["member@northwind"], orgId);
    expect(list[0]).toMatchObject({ id: r.noticeId, kind: "zdr_restricted", acknowledgedAt: null });

    expect(await code(acknowledgeNotice(who["member@northwind"], { orgId, noticeId: r.noticeId }))).toBe("forbidden");
    expect(await code(acknowledgeNotice(who["admin@contoso"], { orgId, noticeId: r.noticeId }))).toBe("not_found");
    // Contoso's admin, in their own org, naming Northwind's notice: still not found.
    expect(await code(acknowledgeNotice(who["admin@contoso"], { orgId: orgs["contoso-bank"], noticeId: r.noticeId }))).toBe("not_found");
    expect(await code(acknowledgeNotice(who["admin@northwind"], { orgId, noticeId: "nope" }))).toBe("not_found");

    const acked = await acknowledgeNotice(who["admin@northwind"], { orgId, noticeId: r.noticeId });
    expect(acked.acknowledgedBy).toBe(who["admin@northwind"].userId);
    expect(acked.acknowledgedAt).toBeInstanceOf(Date);
    const again = await acknowledgeNotice(who["admin@northwind"], { orgId, noticeId: r.noticeId });
    expect(again.acknowledgedAt!.getTime()).toBe(acked.acknowledgedAt!.getTime());
    expect(await countUnacknowledgedNotices(who["admin@northwind"], orgId)).toBe(0);
    const entries = await d.select().from(auditLog).where(eq(auditLog.action, "notice.acknowledged"));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ orgId, actorType: "user", actorId: who["admin@northwind"].userId });
    const [stored] = await d.select().from(notices).where(eq(notices.id, r.noticeId));
    expect(stored.acknowledgedBy).toBe(who["admin@northwind"].userId);
  });
});
