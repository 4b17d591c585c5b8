/**
 * Membership of an organization: who is in it and with which role. Only the
 * org's admins manage it; the last admin cannot be removed or demoted, so an
 * org can never be left without one. Every change is audited, and the
 * principal is rebuilt from the database on each request, so a change of
 * role or a removal takes effect on the member's next request.
 */
import crypto from "node:crypto";
import { and, count, desc, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db, type Tx } from "@/lib/db";
import { invitations, memberships, organizations, users } from "@/lib/db/schema";
import { appendAudit } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { OrgRole, Principal, UserPrincipal } from "@/lib/auth/principal";
import { hashPassword } from "@/lib/auth/password";
import { ssoForEmail } from "@/lib/auth/sso-domains";
import { AppError, notFound, parseInput, ValidationError } from "@/lib/errors";
import { env } from "@/lib/env";
import { formatDateTime } from "@/lib/intl";
import { enqueueEmail } from "@/lib/notify/outbox";
import { OrgRoleSchema } from "@/lib/vocabulary";

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export const InviteSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: "Enter a valid email address" }))
    .pipe(z.string().max(254, "At most 254 characters")),
  role: OrgRoleSchema,
});
export const RoleSchema = z.object({ userId: z.uuid({ error: "Unknown member" }), role: OrgRoleSchema });
export const RemoveMemberSchema = z.object({ userId: z.uuid({ error: "Unknown member" }) });
export const RevokeInvitationSchema = z.object({ invitationId: z.uuid({ error: "Unknown invitation" }) });
/** The invitation form: the token, and for a new person a name and password (checked by AcceptNameSchema and NewPasswordSchema in acceptInvitation). */
export const AcceptInvitationForm = z.object({
  token: z.string().min(1, "This invitation link is invalid").max(200),
  name: z.string().optional(),
  password: z.string().optional(),
});
const PersonName = z.string().trim().min(1, "Enter your name").max(120, "At most 120 characters");
const AcceptNameSchema = z.object({ name: PersonName });
const NewPasswordSchema = z.object({ password: z.string().min(12, "At least 12 characters").max(1024, "Password is too long") });

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

function actorOf(p: UserPrincipal) {
  return { actorType: "user" as const, actorId: p.userId, actorLabel: p.email };
}

export type OrgAdministrator = { name: string; email: string };
export type OrgProfile = { name: string; timeZone: string; admins: OrgAdministrator[] };

/**
 * The org as any of its members may see it: its name, its time zone (every
 * date of its pages and emails is in it) and its active administrators (a
 * disabled account is left out), whom a member asks when a page is for
 * administrators only.
 */
export async function getOrgProfile(actor: Principal, orgId: string, db: Db = getDb()): Promise<OrgProfile> {
  authorize(actor, "org.read", { orgId });
  const [[org], admins] = await Promise.all([
    db.select({ name: organizations.name, timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, orgId)),
    db
      .select({ name: users.name, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin"), isNull(users.disabledAt)))
      .orderBy(users.name, users.email),
  ]);
  if (!org) throw notFound("Organization not found");
  return { name: org.name, timeZone: org.timeZone, admins };
}

export async function listMembers(actor: Principal, orgId: string, db: Db = getDb()) {
  authorize(actor, "members.manage", { orgId });
  const members = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(users.email);
  const pending = await db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt, createdAt: invitations.createdAt })
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), gt(invitations.expiresAt, new Date())))
    .orderBy(desc(invitations.createdAt));
  return { members, pending };
}

/** Invites someone by email: a one-time link, valid for 7 days, sent through the outbox. One live invitation per address and org. */
export async function inviteMember(actor: Principal, raw: { orgId: string; email: string; role: OrgRole }, db: Db = getDb()) {
  authorize(actor, "members.manage", { orgId: raw.orgId });
  const input = { orgId: raw.orgId, ...parseInput(InviteSchema, { email: raw.email, role: raw.role }) };
  return db.transaction(async (tx) => {
    // Serialises invitations of one org, so two admins cannot both invite the same address at once.
    await lockMemberships(tx, input.orgId);
    const [already] = await tx
      .select({ userId: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, input.orgId), eq(users.email, input.email)));
    if (already) throw new AppError("conflict", "This person is already a member", { fields: ["email"] });
    const [live] = await tx
      .select({ id: invitations.id })
      .from(invitations)
      .where(
        and(eq(invitations.orgId, input.orgId), eq(invitations.email, input.email), isNull(invitations.acceptedAt), gt(invitations.expiresAt, new Date())),
      );
    if (live) {
      throw new AppError(
        "conflict",
        `${input.email} already has an invitation waiting. To send a new link, choose Resend on it under Pending invitations. Nothing was sent.`,
        { fields: ["email"] },
      );
    }
    const sent = await sendInvitation(tx, actor, input);
    await appendAudit(tx, {
      ...actorOf(actor),
      orgId: input.orgId,
      action: "member.invited",
      before: null,
      after: { email: input.email, role: input.role },
      reason: null,
      ticketRef: null,
    });
    return sent;
  });
}

/**
 * Replaces a pending invitation with a new one: the old link stops working
 * (it expires now), a new link for the same address and role is sent through
 * the outbox, and the change is audited.
 */
export async function resendInvitation(actor: Principal, raw: { orgId: string; invitationId: string }, db: Db = getDb()) {
  authorize(actor, "members.invitations.resend", { orgId: raw.orgId });
  const input = { orgId: raw.orgId, ...parseInput(RevokeInvitationSchema, { invitationId: raw.invitationId }) };
  return db.transaction(async (tx) => {
    await lockMemberships(tx, input.orgId);
    const now = new Date();
    const [old] = await tx
      .update(invitations)
      .set({ expiresAt: now })
      .where(and(eq(invitations.id, input.invitationId), eq(invitations.orgId, input.orgId), isNull(invitations.acceptedAt), gt(invitations.expiresAt, now)))
      .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
    if (!old) throw notFound("Invitation not found (it may have been accepted, revoked or expired)");
    const sent = await sendInvitation(tx, actor, { orgId: input.orgId, email: old.email, role: old.role });
    await appendAudit(tx, {
      ...actorOf(actor),
      orgId: input.orgId,
      action: "member.invitation_resent",
      before: { invitationId: old.id, email: old.email, role: old.role },
      after: { invitationId: sent.invitationId, email: old.email, role: old.role },
      reason: null,
      ticketRef: null,
    });
    return { ...sent, email: old.email };
  });
}

/** Inserts one invitation and queues its email, inside the caller's transaction. */
async function sendInvitation(tx: Tx, actor: UserPrincipal, input: { orgId: string; email: string; role: OrgRole }) {
  const token = crypto.randomBytes(32).toString("base64url");
  const [org] = await tx.select({ name: organizations.name, timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, input.orgId));
  const [inv] = await tx
    .insert(invitations)
    .values({
      orgId: input.orgId,
      email: input.email,
      role: input.role,
      tokenHash: sha256(token),
      invitedBy: actor.userId,
      expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
    })
    .returning({ id: invitations.id, expiresAt: invitations.expiresAt });
  const appUrl = env().APP_URL;
  const link = `${appUrl}/invite/${token}`;
  const expires = formatDateTime(inv.expiresAt, org.timeZone);
  const text = [
    `${actor.name} invited you to join ${org.name} on ZDR Console as ${input.role === "admin" ? "an administrator" : "a member"}.`,
    "",
    `Accept the invitation: ${link}`,
    "",
    `The link works once and expires on ${expires}. If you did not expect it, ignore this email.`,
  ].join("\n");
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  const html = `<p>${esc(actor.name)} invited you to join <strong>${esc(org.name)}</strong> on ZDR Console as ${input.role === "admin" ? "an administrator" : "a member"}.</p><p><a href="${esc(link)}">Accept the invitation</a></p><p>The link works once and expires on ${esc(expires)}.</p>`;
  let host = "zdr-console.local";
  try {
    host = new URL(appUrl).hostname || host;
  } catch {
    /* keep the default */
  }
  await enqueueEmail(tx, {
    to: input.email,
    orgId: input.orgId,
    subject: `Invitation to ${org.name} on ZDR Console`,
    text,
    html,
    messageId: `<invitation-${inv.id}@${host}>`,
  });
  return { invitationId: inv.id, token };
}

async function adminCount(tx: Tx, orgId: string): Promise<number> {
  const [r] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin")));
  return r.n;
}

async function lockMemberships(tx: Tx, orgId: string) {
  // Serialise membership changes of one org, so two admins cannot both remove the other (last-admin rule).
  await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, orgId)).for("update");
}

export async function changeMemberRole(actor: Principal, raw: { orgId: string; userId: string; role: OrgRole }, db: Db = getDb()) {
  authorize(actor, "members.manage", { orgId: raw.orgId });
  const input = { orgId: raw.orgId, ...parseInput(RoleSchema, { userId: raw.userId, role: raw.role }) };
  return db.transaction(async (tx) => {
    await lockMemberships(tx, input.orgId);
    const [m] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, input.orgId), eq(memberships.userId, input.userId)));
    if (!m) throw notFound("Member not found");
    if (m.role === input.role) return;
    if (m.role === "admin" && (await adminCount(tx, input.orgId)) <= 1) {
      throw new AppError("conflict", "The last administrator cannot be demoted; make someone else an administrator first");
    }
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.orgId, input.orgId), eq(memberships.userId, input.userId)));
    await appendAudit(tx, {
      ...actorOf(actor),
      orgId: input.orgId,
      action: "member.role_changed",
      before: { userId: input.userId, role: m.role },
      after: { userId: input.userId, role: input.role },
      reason: null,
      ticketRef: null,
    });
  });
}

export async function removeMember(actor: Principal, raw: { orgId: string; userId: string }, db: Db = getDb()) {
  authorize(actor, "members.manage", { orgId: raw.orgId });
  const input = { orgId: raw.orgId, ...parseInput(RemoveMemberSchema, { userId: raw.userId }) };
  return db.transaction(async (tx) => {
    await lockMemberships(tx, input.orgId);
    const [m] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, input.orgId), eq(memberships.userId, input.userId)));
    if (!m) throw notFound("Member not found");
    if (m.role === "admin" && (await adminCount(tx, input.orgId)) <= 1) {
      throw new AppError("conflict", "The last administrator cannot be removed");
    }
    await tx.delete(memberships).where(and(eq(memberships.orgId, input.orgId), eq(memberships.userId, input.userId)));
    await appendAudit(tx, {
      ...actorOf(actor),
      orgId: input.orgId,
      action: "member.removed",
      before: { userId: input.userId, role: m.role },
      after: null,
      reason: null,
      ticketRef: null,
    });
  });
}

export async function revokeInvitation(actor: Principal, raw: { orgId: string; invitationId: string }, db: Db = getDb()) {
  authorize(actor, "members.manage", { orgId: raw.orgId });
  const input = { orgId: raw.orgId, ...parseInput(RevokeInvitationSchema, { invitationId: raw.invitationId }) };
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(invitations)
      .where(and(eq(invitations.id, input.invitationId), eq(invitations.orgId, input.orgId), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.id, email: invitations.email, role: invitations.role });
    if (!gone) throw notFound("Invitation not found");
    // The row is gone, so the audit entry is what shows who withdrew it.
    await appendAudit(tx, {
      ...actorOf(actor),
      orgId: input.orgId,
      action: "member.invitation_revoked",
      before: { invitationId: gone.id, email: gone.email, role: gone.role },
      after: null,
      reason: null,
      ticketRef: null,
    });
  });
}

/** What the invitation page shows before accepting; null for an unknown, used or expired link. */
export async function findInvitation(token: string, db: Db = getDb()) {
  const [inv] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      orgName: organizations.name,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      hasAccount: users.id,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(users, eq(users.email, invitations.email))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!inv || inv.acceptedAt || inv.expiresAt <= new Date()) return null;
  // A domain that must sign in through its identity provider gets no password here.
  const ssoRequired = Boolean((await ssoForEmail(db, inv.email))?.enforced);
  return { ...inv, hasAccount: inv.hasAccount !== null, ssoRequired };
}

/**
 * Accepts an invitation, once. A new person sets a name and password, or
 * only a name where their email's domain must sign in through its identity
 * provider (the account gets no password: enforced SSO refuses passwords,
 * so one set here could never be used); an existing account must be signed
 * in as the invited email. `signInAllowed` says whether the new person may
 * be signed in at once (never where SSO is enforced).
 */
export async function acceptInvitation(
  input: { token: string; signedIn: UserPrincipal | null; newAccount?: { name: string; password?: string } },
  db: Db = getDb(),
): Promise<{ orgId: string; userId: string; sessionVersion: number; signInAllowed: boolean }> {
  const newAccount = input.newAccount ? parseInput(AcceptNameSchema, { name: input.newAccount.name }) : undefined;
  const password = input.newAccount?.password;
  const passwordHash = password !== undefined && password !== "" ? await hashPassword(parseInput(NewPasswordSchema, { password }).password) : null;
  return db.transaction(async (tx) => {
    // The row lock makes "used once" hold under two simultaneous clicks.
    const [inv] = await tx
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, sha256(input.token)))
      .for("update");
    if (!inv || inv.acceptedAt || inv.expiresAt <= new Date()) throw new AppError("not_found", "This invitation link is invalid, used or expired");
    const [existing] = await tx.select({ id: users.id, sessionVersion: users.sessionVersion }).from(users).where(eq(users.email, inv.email));
    const ssoRequired = Boolean((await ssoForEmail(tx, inv.email))?.enforced);
    let userId: string;
    let sessionVersion = existing?.sessionVersion ?? 0;
    if (existing) {
      if (!input.signedIn || input.signedIn.userId !== existing.id) {
        throw new AppError("forbidden", `Sign in as ${inv.email} to accept this invitation`);
      }
      userId = existing.id;
    } else {
      if (!newAccount) throw new ValidationError("Enter your name", [{ path: "name", problem: "Enter your name" }]);
      if (!ssoRequired && !passwordHash) throw new ValidationError("Choose a password", [{ path: "password", problem: "At least 12 characters" }]);
      const [u] = await tx
        .insert(users)
        .values({ email: inv.email, name: newAccount.name, passwordHash: ssoRequired ? null : passwordHash })
        .returning({ id: users.id, sessionVersion: users.sessionVersion });
      userId = u.id;
      sessionVersion = u.sessionVersion;
    }
    await tx.insert(memberships).values({ orgId: inv.orgId, userId, role: inv.role }).onConflictDoNothing();
    await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, inv.id));
    await appendAudit(tx, {
      actorType: "user",
      actorId: userId,
      actorLabel: inv.email,
      orgId: inv.orgId,
      action: "member.joined",
      before: null,
      after: { email: inv.email, role: inv.role },
      reason: null,
      ticketRef: null,
    });
    return { orgId: inv.orgId, userId, sessionVersion, signInAllowed: !ssoRequired };
  });
}
