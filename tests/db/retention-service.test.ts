import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, memberships, notices, organizations, outbox, retentionStates, users, zdrRequests } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { ServicePrincipal, UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { disableZeroRetention, enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { effectivePolicy, emblemState } from "@/lib/retention/policy";
import { stateWording } from "@/lib/retention/wording";
import { verifyAuditChain } from "@/lib/audit/chain";
import { claimOutbox, markFailed } from "@/lib/notify/outbox";
import { drainOutbox } from "@/lib/notify/worker";
import { smtpTransport, type MailTransport } from "@/lib/notify/transport";
import { hashPassword } from "@/lib/auth/password";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp-sink";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
let support: UserPrincipal;
let nwAdmin: UserPrincipal;
let nwMember: UserPrincipal;
let contosoAdmin: UserPrincipal;
const orgs: Record<string, string> = {};
let sink: SmtpSink;

const moderation: ServicePrincipal = { kind: "service", tokenId: "00000000-0000-4000-8000-000000000001", name: "moderation bot", scopes: ["moderation:write"] };
const usageOnly: ServicePrincipal = { kind: "service", tokenId: "00000000-0000-4000-8000-000000000002", name: "fleet", scopes: ["usage:write"] };

async function stateOf(orgId: string) {
  const [s] = await db.handle().db.select().from(retentionStates).where(eq(retentionStates.orgId, orgId));
  return s;
}
async function auditCount(orgId: string) {
  const [{ n }] = await db.handle().db.select({ n: count() }).from(auditLog).where(eq(auditLog.orgId, orgId));
  return n;
}
async function caught(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error("expected an AppError, got success");
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) orgs[o.slug] = o.id;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  nwAdmin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  nwMember = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
  // A second Northwind admin, and a disabled one who must not be mailed.
  const passwordHash = await hashPassword("demo-password-1");
  const [a2] = await d.insert(users).values({ email: "cto@northwind.example", name: "Second Admin", passwordHash }).returning();
  const [gone] = await d.insert(users).values({ email: "former@northwind.example", name: "Former Admin", passwordHash, disabledAt: new Date() }).returning();
  await d.insert(memberships).values([
    { orgId: orgs["northwind-health"], userId: a2.id, role: "admin" },
    { orgId: orgs["northwind-health"], userId: gone.id, role: "admin" },
  ]);
  sink = await startSmtpSink();
});

afterAll(async () => {
  await sink?.close();
});

describe(`retention state machine on ${testDbKind}`, () => {
  it("support enables Contoso's requested ZDR: state, approved request, audit, notice and one email to its admin, together", async () => {
    const d = db.handle().db;
    const orgId = orgs["contoso-bank"];
    const before = await stateOf(orgId);
    const r = await enableZeroRetention(support, { orgId, reason: "Requester verified by phone", ticketRef: "SUP-2001", expectedVersion: before.version });
    expect(r.state.zdrStatus).toBe("active");
    expect(r.state.version).toBe(before.version + 1);
    expect(emblemState(effectivePolicy("enterprise", r.state))).toBe("active");

    const [req] = await d.select().from(zdrRequests).where(eq(zdrRequests.orgId, orgId));
    expect(req.status).toBe("approved");
    expect(req.resolvedBy).toBe(support.userId);

    const [entry] = await d.select().from(auditLog).where(eq(auditLog.id, r.auditId));
    expect(entry).toMatchObject({
      orgId,
      actorType: "support",
      actorId: support.userId,
      action: "zdr.enabled",
      reason: "Requester verified by phone",
      ticketRef: "SUP-2001",
    });
    expect(entry.before).toMatchObject({ zdrStatus: "requested" });
    expect(entry.after).toMatchObject({ zdrStatus: "active" });

    const [notice] = await d.select().from(notices).where(eq(notices.id, r.noticeId));
    expect(notice).toMatchObject({ orgId, kind: "zdr_enabled", auditId: r.auditId, acknowledgedAt: null });

    const mails = await d
      .select()
      .from(outbox)
      .where(sql`${outbox.payload}->>'noticeId' = ${r.noticeId}`);
    expect(mails.map((m) => (m.payload as { to: string }).to)).toEqual(["admin@contoso.example"]);
    expect(r.emails).toBe(1);
    expect((await verifyAuditChain(d)).ok).toBe(true);

    // The notice and its email say the one sentence of the new state (lib/retention/wording.ts), and the reason support typed.
    const meaning = stateWording(effectivePolicy("enterprise", r.state)).meaning;
    expect((notice.details as { trafficImpact: string }).trafficImpact).toBe(meaning);
    expect(notice.body).not.toContain(meaning);
    const mail = mails[0].payload as { text: string };
    expect(mail.text).toContain(meaning);
    expect(mail.text).toContain("Reason given by support: Requester verified by phone");
    expect(mail.text).toContain(`/notices?org=${orgId}#notice-${r.noticeId}`);
  });

  it("refuses illegal transitions with a clear error and changes nothing", async () => {
    const fabrikam = orgs["fabrikam-studio"];
    const audits = await auditCount(fabrikam);
    const free = await caught(enableZeroRetention(support, { orgId: fabrikam, reason: "Customer asked", ticketRef: "SUP-1" }));
    expect(free.code).toBe("conflict");
    expect(free.message).toMatch(/enterprise plans only/);
    const perRequest = await caught(enableZeroRetention(support, { orgId: fabrikam, reason: "Customer asked", scope: "per_request" }));
    expect(perRequest.code).toBe("invalid");
    expect(perRequest.details?.fields).toEqual(["scope"]);
    const lift = await caught(liftRestriction(support, { orgId: fabrikam, reason: "Nothing to lift" }));
    expect(lift.code).toBe("conflict");
    expect(lift.message).toMatch(/not restricted/);
    const again = await caught(enableZeroRetention(support, { orgId: orgs["northwind-health"], reason: "Twice" }));
    expect(again.code).toBe("conflict");
    expect(await auditCount(fabrikam)).toBe(audits);
    expect((await stateOf(fabrikam)).version).toBe(1);
  });

  it("rejects bad input naming the field, never echoing the value", async () => {
    const e = await caught(
      restrictOrganization(support, { orgId: orgs["northwind-health"], reason: "bogus" as never, note: "x", ticketRef: "<script>secret</script>" }),
    );
    expect(e.code).toBe("invalid");
    expect(e.details?.fields).toEqual(expect.arrayContaining(["reason", "note", "ticketRef"]));
    expect(e.message).not.toContain("secret");
    expect(e.message).not.toContain("bogus");
    const missing = await caught(enableZeroRetention(support, { orgId: "not-a-uuid", reason: "ok reason" }));
    expect(missing.details?.fields).toEqual(["orgId"]);
    const unknown = await caught(enableZeroRetention(support, { orgId: "00000000-0000-4000-8000-00000000abcd", reason: "ok reason" }));
    expect(unknown.code).toBe("not_found");
  });

  it("only support staff, or a moderation token for a restriction, may change retention", async () => {
    const orgId = orgs["northwind-health"];
    for (const who of [nwAdmin, nwMember, contosoAdmin]) {
      const e = await caught(restrictOrganization(who, { orgId, reason: "provider_discretion", note: "Customers cannot do this" }));
      expect(e.code).toBe("not_found");
      expect((await caught(disableZeroRetention(who, { orgId, reason: "Customers cannot do this" }))).code).toBe("not_found");
    }
    expect((await caught(restrictOrganization(usageOnly, { orgId, reason: "automated_flag", note: "wrong scope" }))).code).toBe("forbidden");
    expect((await caught(liftRestriction(moderation, { orgId, reason: "tokens cannot lift" }))).code).toBe("unauthorized");
    expect((await stateOf(orgId)).restriction).toBe("none");

    const r = await restrictOrganization(moderation, { orgId, reason: "automated_flag", note: "Flag category: self-harm, severity high" });
    expect(r.state.restriction).toBe("restricted");
    const [entry] = await db.handle().db.select().from(auditLog).where(eq(auditLog.id, r.auditId));
    expect(entry).toMatchObject({ actorType: "service", actorId: moderation.tokenId, actorLabel: "moderation bot", ticketRef: null });
    // Lifting restores the ZDR that was active before.
    const lifted = await liftRestriction(support, { orgId, reason: "Reviewed: false positive", ticketRef: "SUP-3" });
    expect(lifted.state).toMatchObject({ restriction: "none", restrictionReason: null, zdrStatus: "active" });
    expect(emblemState(effectivePolicy("enterprise", lifted.state))).toBe("active");
  });

  it("two staff acting on the same org at once: one wins, the other gets a conflict with the current state", async () => {
    const orgId = orgs["northwind-health"];
    const seen = await stateOf(orgId);
    const audits = await auditCount(orgId);
    const results = await Promise.allSettled([
      restrictOrganization(support, { orgId, reason: "high_risk_use_case", note: "Use case review", ticketRef: "SUP-10", expectedVersion: seen.version }),
      disableZeroRetention(support, { orgId, reason: "Customer asked to turn it off", ticketRef: "SUP-11", expectedVersion: seen.version }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const err = lost[0].reason as AppError;
    expect(err.code).toBe("conflict");
    const now = await stateOf(orgId);
    expect(now.version).toBe(seen.version + 1);
    expect(err.details?.current).toMatchObject({ version: now.version, zdrStatus: now.zdrStatus, restriction: now.restriction });
    expect(await auditCount(orgId)).toBe(audits + 1);

    // Without a version, the loser sees the winner's state and the transition is illegal.
    await liftRestriction(support, { orgId, reason: "reset" }).catch(() => {});
    await enableZeroRetention(support, { orgId, reason: "reset" }).catch(() => {});
    const v = (await stateOf(orgId)).version;
    const twice = await Promise.allSettled([
      restrictOrganization(support, { orgId, reason: "provider_discretion", note: "First staff member" }),
      restrictOrganization(support, { orgId, reason: "provider_discretion", note: "Second staff member" }),
    ]);
    expect(twice.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const second = twice.find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason as AppError;
    expect(second.code).toBe("conflict");
    expect(second.details?.current).toMatchObject({ restriction: "restricted" });
    expect((await stateOf(orgId)).version).toBe(v + 1);
    const [{ n }] = await db
      .handle()
      .db.select({ n: count() })
      .from(notices)
      .where(
        and(
          eq(notices.orgId, orgId),
          eq(notices.kind, "zdr_restricted"),
          sql`${notices.details}->>'note' = 'Second staff member' or ${notices.details}->>'note' = 'First staff member'`,
        ),
      );
    expect(n).toBe(1);
    await liftRestriction(support, { orgId, reason: "reset" });
  });

  it("a restriction emails every active admin of the org through SMTP, and no one else", async () => {
    const d = db.handle().db;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    sink.messages.length = 0;
    const orgId = orgs["northwind-health"];
    const r = await restrictOrganization(support, {
      orgId,
      reason: "high_risk_use_case",
      note: "Use case under review: automated triage of emergency calls",
      ticketRef: "SUP-4242",
    });
    const transport = smtpTransport(sink.url);
    const report = await drainOutbox({ db: d, transport, from: "ZDR Console <no-reply@zdr-console.example>" });
    transport.close();
    expect(report).toEqual({ delivered: 2, failed: 0 });
    expect(sink.messages.flatMap((m) => m.to).sort()).toEqual(["admin@northwind.example", "cto@northwind.example"]);
    expect(sink.messages.every((m) => m.to.length === 1)).toBe(true);
    const rows = await d
      .select()
      .from(outbox)
      .where(sql`${outbox.payload}->>'noticeId' = ${r.noticeId}`);
    expect(sink.messages.map((m) => m.messageId).sort()).toEqual(rows.map((x) => x.messageId).sort());
    expect(rows.every((x) => x.deliveredAt !== null)).toBe(true);
    const raw = sink.messages[0].raw;
    for (const s of ["High-risk use case", "SUP-4242", "emergency calls", "Affected products", "Text to speech", "How to contest", "Effective"]) {
      expect(raw.replace(/=\r?\n/g, "")).toContain(s);
    }
    // Delivered messages are not sent again.
    expect(await drainOutbox({ db: d, transport: smtpTransport(sink.url) })).toEqual({ delivered: 0, failed: 0 });
    expect(sink.messages).toHaveLength(2);
    await liftRestriction(support, { orgId, reason: "Review done", ticketRef: "SUP-4242" });
  });

  it("a failed send is retried later with backoff, and a crashed worker's lease expires within seconds", async () => {
    const d = db.handle().db;
    await drainOutbox({ db: d, transport: smtpTransport(sink.url) });
    await restrictOrganization(support, { orgId: orgs["contoso-bank"], reason: "provider_discretion", note: "Retry test" });
    const failing: MailTransport = {
      describe: "down",
      close() {},
      async send() {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    };
    expect(await drainOutbox({ db: d, transport: failing })).toEqual({ delivered: 0, failed: 1 });
    const [row] = await d
      .select()
      .from(outbox)
      .where(sql`${outbox.deliveredAt} is null`);
    expect(row.attempts).toBe(1);
    expect(row.lastError).toBe("Error ECONNREFUSED");
    expect(row.availableAt.getTime()).toBeGreaterThan(Date.now() + 1000);
    // Not due yet: nothing to claim.
    expect(await claimOutbox(d)).toEqual([]);
    await d
      .update(outbox)
      .set({ availableAt: sql`now()` })
      .where(eq(outbox.id, row.id));

    // A worker claims it and dies before sending: nobody else may take it until the lease ends.
    const [claimed] = await claimOutbox(d, { leaseMs: 400 });
    expect(claimed.id).toBe(row.id);
    expect(await claimOutbox(d, { leaseMs: 400 })).toEqual([]);
    await new Promise((r) => setTimeout(r, 600));
    const [again] = await claimOutbox(d, { leaseMs: 400 });
    expect(again).toMatchObject({ id: row.id, messageId: row.messageId, attempts: 3 });
    await markFailed(d, again, new Error("x"));
    await d
      .update(outbox)
      .set({ availableAt: sql`now()` })
      .where(eq(outbox.id, row.id));
    expect(await drainOutbox({ db: d, transport: smtpTransport(sink.url) })).toEqual({ delivered: 1, failed: 0 });
  });
});
