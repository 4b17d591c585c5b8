import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  acceptInvitation,
  changeMemberRole,
  findInvitation,
  getOrgProfile,
  inviteMember,
  listMembers,
  removeMember,
  revokeInvitation,
} from "@/lib/orgs/members";
import { formatDateTime } from "@/lib/intl";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { auditLog, invitations, organizations, outbox, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { authenticate } from "@/lib/auth/credentials";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const org: Record<string, string> = {};
let nwAdmin: UserPrincipal;
let nwMember: UserPrincipal;
let contosoAdmin: UserPrincipal;

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : `other: ${(err as Error).message}`;
  }
}

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  for (const o of await d.select().from(organizations)) org[o.slug] = o.id;
  nwAdmin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  nwMember = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
});

describe(`members and invitations on ${testDbKind}`, () => {
  it("an admin invites by email: one-time link in the outbox, only a hash stored, audited", async () => {
    const d = db.handle().db;
    const { invitationId, token } = await inviteMember(nwAdmin, { orgId: org["northwind-health"], email: "New.Nurse@Northwind.example", role: "member" }, d);
    const [row] = await d.select().from(invitations).where(eq(invitations.id, invitationId));
    expect(row.email).toBe("new.nurse@northwind.example");
    expect(row.tokenHash).not.toContain(token);
    const mails = await d
      .select()
      .from(outbox)
      .where(sql`${outbox.payload}->>'to' = 'new.nurse@northwind.example'`);
    expect(mails).toHaveLength(1);
    expect((mails[0].payload as { text: string }).text).toContain(`/invite/${token}`);
    // The expiry is said in the org's time zone, the zone named, as on its pages.
    const [o] = await d.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, org["northwind-health"]));
    expect((mails[0].payload as { text: string }).text).toContain(`expires on ${formatDateTime(row.expiresAt, o.timeZone)}.`);
    expect((mails[0].payload as { html: string }).html).toContain(`expires on ${formatDateTime(row.expiresAt, o.timeZone)}.`);
    const audits = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "member.invited"), eq(auditLog.orgId, org["northwind-health"])));
    expect(audits).toHaveLength(1);
  });

  it("any member reads the org's name, time zone and active administrators; another org's admin gets 404", async () => {
    const d = db.handle().db;
    const profile = await getOrgProfile(nwMember, org["northwind-health"], d);
    expect(profile.name).toBe("Northwind Health");
    expect(profile.admins.map((a) => a.email)).toContain("admin@northwind.example");
    expect(profile.admins.map((a) => a.email)).not.toContain("member@northwind.example");
    expect(await codeOf(getOrgProfile(contosoAdmin, org["northwind-health"], d))).toBe("not_found");
    // A disabled account is no administrator to ask.
    await d.update(users).set({ disabledAt: new Date() }).where(eq(users.email, "admin@northwind.example"));
    try {
      expect((await getOrgProfile(nwMember, org["northwind-health"], d)).admins.map((a) => a.email)).not.toContain("admin@northwind.example");
    } finally {
      await d.update(users).set({ disabledAt: null }).where(eq(users.email, "admin@northwind.example"));
    }
  });

  it("a member cannot invite, and another org's admin gets 404 for this org", async () => {
    const d = db.handle().db;
    expect(await codeOf(inviteMember(nwMember, { orgId: org["northwind-health"], email: "x@y.example", role: "admin" }, d))).toBe("forbidden");
    expect(await codeOf(inviteMember(contosoAdmin, { orgId: org["northwind-health"], email: "x@y.example", role: "admin" }, d))).toBe("not_found");
    expect(await codeOf(listMembers(contosoAdmin, org["northwind-health"], d))).toBe("not_found");
    expect(await codeOf(listMembers(nwMember, org["northwind-health"], d))).toBe("forbidden");
  });

  it("a new person accepts once with a name and password, then can sign in; the link does not work twice", async () => {
    const d = db.handle().db;
    const { token } = await inviteMember(nwAdmin, { orgId: org["northwind-health"], email: "dr.hale@northwind.example", role: "member" }, d);
    expect(await findInvitation(token, d)).toMatchObject({ email: "dr.hale@northwind.example", hasAccount: false, orgName: "Northwind Health" });
    const r = await acceptInvitation({ token, signedIn: null, newAccount: { name: "Dr Hale", password: "correct horse battery" } }, d);
    expect(r.orgId).toBe(org["northwind-health"]);
    const p = await loadUserPrincipal(d, r.userId);
    expect(p!.memberships).toEqual([{ orgId: org["northwind-health"], orgName: "Northwind Health", role: "member" }]);
    expect((await authenticate({ email: "dr.hale@northwind.example", password: "correct horse battery", ip: "192.0.2.9" }, d)).ok).toBe(true);
    expect(await findInvitation(token, d)).toBeNull();
    expect(await codeOf(acceptInvitation({ token, signedIn: null, newAccount: { name: "Mallory", password: "another password" } }, d))).toBe("not_found");
  });

  it("an expired or revoked link is refused", async () => {
    const d = db.handle().db;
    const a = await inviteMember(nwAdmin, { orgId: org["northwind-health"], email: "late@northwind.example", role: "member" }, d);
    await d
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, a.invitationId));
    expect(await codeOf(acceptInvitation({ token: a.token, signedIn: null, newAccount: { name: "Late", password: "long enough pw" } }, d))).toBe("not_found");
    const b = await inviteMember(nwAdmin, { orgId: org["northwind-health"], email: "revoked@northwind.example", role: "member" }, d);
    expect(await codeOf(revokeInvitation(contosoAdmin, { orgId: org["northwind-health"], invitationId: b.invitationId }, d))).toBe("not_found");
    const revoked = () =>
      d
        .select({ before: auditLog.before, actorId: auditLog.actorId })
        .from(auditLog)
        .where(and(eq(auditLog.action, "member.invitation_revoked"), eq(auditLog.orgId, org["northwind-health"])));
    expect(await revoked(), "the refused attempt writes no audit entry").toEqual([]);
    await revokeInvitation(nwAdmin, { orgId: org["northwind-health"], invitationId: b.invitationId }, d);
    expect(await codeOf(acceptInvitation({ token: b.token, signedIn: null, newAccount: { name: "R", password: "long enough pw" } }, d))).toBe("not_found");
    // The row is deleted; the audit trail keeps who revoked which invitation.
    expect(await revoked()).toEqual([
      { before: { invitationId: b.invitationId, email: "revoked@northwind.example", role: "member" }, actorId: nwAdmin.userId },
    ]);
    expect(await codeOf(revokeInvitation(nwAdmin, { orgId: org["northwind-health"], invitationId: b.invitationId }, d)), "twice").toBe("not_found");
  });

  it("an existing account accepts only when signed in as the invited email", async () => {
    const d = db.handle().db;
    const { token } = await inviteMember(contosoAdmin, { orgId: org["contoso-bank"], email: "admin@northwind.example", role: "member" }, d);
    expect(await codeOf(acceptInvitation({ token, signedIn: null }, d))).toBe("forbidden");
    expect(await codeOf(acceptInvitation({ token, signedIn: nwMember }, d))).toBe("forbidden");
    await acceptInvitation({ token, signedIn: nwAdmin }, d);
    const p = await loadUserPrincipal(d, nwAdmin.userId);
    expect(p!.memberships.map((m) => m.orgName).sort()).toEqual(["Contoso Bank", "Northwind Health"]);
  });

  it("the last admin cannot be demoted or removed; a removal takes effect on the next request", async () => {
    const d = db.handle().db;
    const north = org["northwind-health"];
    expect(await codeOf(changeMemberRole(nwAdmin, { orgId: north, userId: nwAdmin.userId, role: "member" }, d))).toBe("conflict");
    expect(await codeOf(removeMember(nwAdmin, { orgId: north, userId: nwAdmin.userId }, d))).toBe("conflict");
    expect(await codeOf(removeMember(nwMember, { orgId: north, userId: nwAdmin.userId }, d))).toBe("forbidden");

    await changeMemberRole(nwAdmin, { orgId: north, userId: nwMember.userId, role: "admin" }, d);
    expect((await loadUserPrincipal(d, nwMember.userId))!.role).toBe("admin");
    await changeMemberRole(nwAdmin, { orgId: north, userId: nwMember.userId, role: "member" }, d);

    await removeMember(nwAdmin, { orgId: north, userId: nwMember.userId }, d);
    const after = await loadUserPrincipal(d, nwMember.userId);
    expect(after!.memberships).toEqual([]);
    expect(after!.orgId).toBeNull();
  });
});
