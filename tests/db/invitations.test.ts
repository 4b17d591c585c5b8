/**
 * One live invitation per address and org, "Resend" replacing it, and the
 * new person signed in on accepting (the one-time ticket of lib/auth/sso-ticket.ts,
 * spent by Auth.js's "sso" provider, is stood in for by recording what the
 * action hands to signIn).
 */
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { UserPrincipal } from "@/lib/auth/principal";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { redeemSsoTicket } from "@/lib/auth/sso-ticket";
import { AppError } from "@/lib/errors";
import { auditLog, invitations, organizations, orgSso, outbox, ssoDomains, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { acceptInvitation, findInvitation, inviteMember, listMembers, resendInvitation } from "@/lib/orgs/members";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const h = vi.hoisted(() => ({
  user: null as UserPrincipal | null,
  signIns: [] as { provider: string; options: Record<string, unknown> }[],
  cookies: [] as { name: string; value: string }[],
}));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => h.user, ACTIVE_ORG_COOKIE: "zdr-org" }));
vi.mock("@/lib/auth/index", () => ({
  signOut: async () => undefined,
  signIn: async (provider: string, options: Record<string, unknown>) => {
    h.signIns.push({ provider, options });
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/headers", () => ({
  cookies: async () => ({ set: (name: string, value: string) => h.cookies.push({ name, value }), get: () => undefined }),
  headers: async () => new Headers(),
}));

const db = withFreshDatabase();
let nw = "";
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

/** Submits the invitation form as a stranger (no session); returns where the action redirected. */
async function submitAccept(fields: Record<string, string>): Promise<string> {
  const { acceptInvitationAction } = await import("@/app/invite/[token]/actions");
  h.user = null;
  h.signIns.length = 0;
  h.cookies.length = 0;
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  try {
    await acceptInvitationAction({ status: "idle" }, form);
  } catch (err) {
    return String((err as { digest?: string }).digest ?? "");
  }
  return "";
}

const mailsTo = (email: string) =>
  db
    .handle()
    .db.select()
    .from(outbox)
    .where(sql`${outbox.payload}->>'to' = ${email}`);

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  nw = (await d.select().from(organizations)).find((o) => o.slug === "northwind-health")!.id;
  nwAdmin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  nwMember = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
});

describe(`invitations on ${testDbKind}`, () => {
  it("a second invitation to an address with a live one is refused, offering Resend, and sends nothing", async () => {
    const d = db.handle().db;
    await inviteMember(nwAdmin, { orgId: nw, email: "twice@northwind.example", role: "member" }, d);
    let err: unknown;
    try {
      await inviteMember(nwAdmin, { orgId: nw, email: "Twice@Northwind.example", role: "admin" }, d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("conflict");
    expect((err as AppError).message).toContain("Resend");
    expect((err as AppError).details?.fields).toEqual(["email"]);
    expect(await d.select().from(invitations).where(eq(invitations.email, "twice@northwind.example"))).toHaveLength(1);
    expect(await mailsTo("twice@northwind.example")).toHaveLength(1);
  });

  it("an expired invitation does not block a new one, and another org may invite the same address", async () => {
    const d = db.handle().db;
    const a = await inviteMember(nwAdmin, { orgId: nw, email: "lapsed@northwind.example", role: "member" }, d);
    await d
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, a.invitationId));
    await inviteMember(nwAdmin, { orgId: nw, email: "lapsed@northwind.example", role: "member" }, d);
    await inviteMember(contosoAdmin, { orgId: contosoAdmin.orgId!, email: "lapsed@northwind.example", role: "member" }, d);
  });

  it("Resend replaces the invitation: the old link stops working, a new email is queued, audited", async () => {
    const d = db.handle().db;
    const first = await inviteMember(nwAdmin, { orgId: nw, email: "resend@northwind.example", role: "admin" }, d);
    const again = await resendInvitation(nwAdmin, { orgId: nw, invitationId: first.invitationId }, d);
    expect(again.invitationId).not.toBe(first.invitationId);
    expect(again.token).not.toBe(first.token);
    expect(await findInvitation(first.token, d)).toBeNull();
    expect(await findInvitation(again.token, d)).toMatchObject({ email: "resend@northwind.example", role: "admin" });
    expect(
      await codeOf(acceptInvitation({ token: first.token, signedIn: null, newAccount: { name: "Old Link", password: "a long enough password" } }, d)),
    ).toBe("not_found");
    const mails = await mailsTo("resend@northwind.example");
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => (m.payload as { text: string }).text).some((t) => t.includes(`/invite/${again.token}`))).toBe(true);
    const { pending } = await listMembers(nwAdmin, nw, d);
    expect(pending.filter((p) => p.email === "resend@northwind.example").map((p) => p.id)).toEqual([again.invitationId]);
    const audits = await d
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "member.invitation_resent"), eq(auditLog.orgId, nw)));
    expect(audits).toHaveLength(1);
    expect(audits[0].after).toMatchObject({ invitationId: again.invitationId, email: "resend@northwind.example", role: "admin" });
    // The replaced invitation cannot be resent again.
    expect(await codeOf(resendInvitation(nwAdmin, { orgId: nw, invitationId: first.invitationId }, d))).toBe("not_found");
  });

  it("only the org's admins resend: a member is forbidden, another org's admin gets not found", async () => {
    const d = db.handle().db;
    const inv = await inviteMember(nwAdmin, { orgId: nw, email: "guarded@northwind.example", role: "member" }, d);
    expect(await codeOf(resendInvitation(nwMember, { orgId: nw, invitationId: inv.invitationId }, d))).toBe("forbidden");
    expect(await codeOf(resendInvitation(contosoAdmin, { orgId: nw, invitationId: inv.invitationId }, d))).toBe("not_found");
    expect(await codeOf(resendInvitation(contosoAdmin, { orgId: contosoAdmin.orgId!, invitationId: inv.invitationId }, d))).toBe("not_found");
    expect(await findInvitation(inv.token, d)).not.toBeNull();
  });

  it("a new person who accepts is signed in with a one-time ticket for their own account, with the org active", async () => {
    const d = db.handle().db;
    const inv = await inviteMember(nwAdmin, { orgId: nw, email: "joiner@northwind.example", role: "member" }, d);
    expect(await submitAccept({ token: inv.token, name: "Jo Iner", password: "a long enough password" })).toContain("/usage");
    expect(h.signIns).toHaveLength(1);
    expect(h.signIns[0].provider).toBe("sso");
    expect(h.signIns[0].options.redirect).toBe(false);
    const joiner = (await loadUserPrincipalByEmail(d, "joiner@northwind.example"))!;
    expect(h.cookies).toContainEqual({ name: "zdr-org", value: nw });
    // The ticket names the new account, and works once.
    const ticket = h.signIns[0].options.ticket;
    expect(redeemSsoTicket(ticket)).toEqual({ userId: joiner.userId, sessionVersion: 0 });
    expect(redeemSsoTicket(ticket)).toBeNull();
  });

  it("acceptance says whether the new person may be signed in at once", async () => {
    const d = db.handle().db;
    const inv = await inviteMember(nwAdmin, { orgId: nw, email: "direct@northwind.example", role: "member" }, d);
    const r = await acceptInvitation({ token: inv.token, signedIn: null, newAccount: { name: "Di Rect", password: "a long enough password" } }, d);
    expect(r).toMatchObject({ orgId: nw, sessionVersion: 0, signInAllowed: true });
  });

  it("an address whose domain must use single sign-on joins with a name only: no password is kept, none is accepted", async () => {
    const d = db.handle().db;
    await d.insert(orgSso).values({ orgId: nw, issuer: "https://idp.invalid", clientId: "c", clientSecretSealed: "x", enforced: true });
    await d.insert(ssoDomains).values({ domain: "sso-only.example", orgId: nw });
    const inv = await inviteMember(nwAdmin, { orgId: nw, email: "dr.sso@sso-only.example", role: "member" }, d);
    expect((await findInvitation(inv.token, d))?.ssoRequired).toBe(true);
    // A forged form that sends a password anyway: it is not kept.
    expect(await submitAccept({ token: inv.token, name: "Dr Sso", password: "a long enough password" })).toContain("/login?joined=sso");
    expect(h.signIns, "no session without the identity provider").toHaveLength(0);
    const [u] = await d.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.email, "dr.sso@sso-only.example"));
    expect(u).toEqual({ passwordHash: null });
    const joined = (await loadUserPrincipalByEmail(d, "dr.sso@sso-only.example"))!;
    expect(joined.memberships).toEqual([{ orgId: nw, orgName: "Northwind Health", role: "member" }]);
    // The same domain again: a name is still required, and is all that is.
    const second = await inviteMember(nwAdmin, { orgId: nw, email: "nurse@sso-only.example", role: "member" }, d);
    expect(await codeOf(acceptInvitation({ token: second.token, signedIn: null }, d))).toBe("invalid");
    const r = await acceptInvitation({ token: second.token, signedIn: null, newAccount: { name: "Nurse" } }, d);
    expect(r.signInAllowed).toBe(false);
    await d.delete(orgSso).where(eq(orgSso.orgId, nw));
  });

  it("elsewhere a new person must choose a password", async () => {
    const d = db.handle().db;
    const inv = await inviteMember(nwAdmin, { orgId: nw, email: "nopass@northwind.example", role: "member" }, d);
    expect((await findInvitation(inv.token, d))?.ssoRequired).toBe(false);
    expect(await codeOf(acceptInvitation({ token: inv.token, signedIn: null, newAccount: { name: "No Pass" } }, d))).toBe("invalid");
    expect(await codeOf(acceptInvitation({ token: inv.token, signedIn: null, newAccount: { name: "No Pass", password: "short" } }, d))).toBe("invalid");
    expect(await findInvitation(inv.token, d), "a refused attempt leaves the link usable").not.toBeNull();
  });
});
