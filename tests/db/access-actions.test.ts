/**
 * Every server action × every kind of visitor, calling the real action (the
 * wrapper, its org check, the domain behind it) with a form as the browser
 * sends it. The actions are read from the "use server" files on disk and
 * the expected answer of each is derived from the permission table
 * (lib/auth/permissions.ts) through the operation the action declares: a new
 * action without a form below, or whose answers differ from its row, fails.
 * Only the session (who is signed in) and Next's cache are stood in for.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { UserPrincipal } from "@/lib/auth/principal";
import { startSession } from "@/lib/auth/sessions";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { PERMISSIONS, type Operation } from "@/lib/auth/permissions";
import type { ActionResult } from "@/lib/actions/result";
import type { Db } from "@/lib/db";
import { memberships, moderationFlags, notices, organizations, outbox, retentionStates, users, webhookEndpoints, zdrRequests } from "@/lib/db/schema";
import { encryptSecret, generateWebhookSecret } from "@/lib/webhooks/secrets";
import { seedDemoWorld } from "@/lib/demo/seed";
import { inviteMember } from "@/lib/orgs/members";
import { createServiceToken } from "@/lib/tokens/tokens";
import { requestRemoval } from "@/lib/removal/requests";
import { createProject } from "@/lib/projects/service";
import { requestPasswordReset } from "@/lib/accounts/password-reset";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const session = vi.hoisted(() => ({ user: null as UserPrincipal | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user, ACTIVE_ORG_COOKIE: "zdr-org" }));
vi.mock("@/lib/auth/index", () => ({ signOut: async () => undefined, signIn: async () => undefined }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("next/headers", () => ({ cookies: async () => ({ set: () => undefined, get: () => undefined }), headers: async () => new Headers() }));

type Role = "anonymous" | "member" | "admin" | "otherAdmin" | "support";
const ROLES: Role[] = ["anonymous", "member", "otherAdmin", "support", "admin"];
/** allowed: authorization passed (the call may still meet a business rule: conflict or invalid). */
type Outcome = "allowed" | "not_found" | "forbidden" | "unauthorized";
type Ctx = { db: Db; northwind: string; target: () => Promise<string>; version: () => Promise<string> };
type Action = ((prev: ActionResult<unknown>, form: FormData) => Promise<ActionResult<unknown>>) & { operation: Operation | null; who: string };

/** The form each action is sent, as its page would send it for Northwind. */
const FORMS: Record<string, (c: Ctx) => Promise<Record<string, string | string[]>>> = {
  "app/(customer)/actions.ts#setTheme": async () => ({ theme: "dark" }),
  "app/(customer)/actions.ts#switchOrganization": async (c) => ({ orgId: c.northwind }),
  "app/(customer)/retention/actions.ts#requestZdrAction": async (c) => ({ orgId: c.northwind, scope: "all_requests" }),
  // Northwind's pending request (one at most per org), made here when the last allowed call withdrew it.
  "app/(customer)/retention/actions.ts#withdrawZdrAction": async (c) => {
    const [p] = await c.db
      .select({ id: zdrRequests.id })
      .from(zdrRequests)
      .where(and(eq(zdrRequests.orgId, c.northwind), eq(zdrRequests.status, "pending")));
    const id = p?.id ?? (await c.db.insert(zdrRequests).values({ orgId: c.northwind, status: "pending" }).returning({ id: zdrRequests.id }))[0].id;
    return { orgId: c.northwind, requestId: id };
  },
  "app/(customer)/members/actions.ts#inviteAction": async (c) => ({ orgId: c.northwind, email: `x${Math.random()}@n.example`, role: "member" }),
  "app/(customer)/members/actions.ts#changeRoleAction": async (c) => ({ orgId: c.northwind, userId: await c.target(), role: "admin" }),
  "app/(customer)/members/actions.ts#removeMemberAction": async (c) => ({ orgId: c.northwind, userId: await c.target() }),
  "app/(customer)/members/actions.ts#revokeInvitationAction": async (c) => {
    const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
    const inv = await inviteMember(admin, { orgId: c.northwind, email: `r${Math.random()}@n.example`, role: "member" }, c.db);
    return { orgId: c.northwind, invitationId: inv.invitationId };
  },
  "app/(customer)/members/actions.ts#resendInvitationAction": async (c) => {
    const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
    const inv = await inviteMember(admin, { orgId: c.northwind, email: `s${Math.random()}@n.example`, role: "member" }, c.db);
    return { orgId: c.northwind, invitationId: inv.invitationId };
  },
  "app/(customer)/notices/actions.ts#acknowledgeAction": async (c) => {
    const [n] = await c.db.insert(notices).values({ orgId: c.northwind, kind: "zdr_enabled", title: "t", body: "b" }).returning({ id: notices.id });
    return { orgId: c.northwind, noticeId: n.id };
  },
  "app/support/orgs/[orgId]/actions.ts#enableAction": async (c) => ({
    orgId: c.northwind,
    expectedVersion: await c.version(),
    reason: "verified requester",
    ticketRef: "SUP-1",
    scope: "all_requests",
    confirm: "yes",
  }),
  "app/support/orgs/[orgId]/actions.ts#disableAction": async (c) => ({
    orgId: c.northwind,
    expectedVersion: await c.version(),
    reason: "customer asked",
    ticketRef: "SUP-2",
    confirm: "yes",
  }),
  "app/support/orgs/[orgId]/actions.ts#restrictAction": async (c) => ({
    orgId: c.northwind,
    expectedVersion: await c.version(),
    category: "high_risk_use_case",
    note: "review",
    ticketRef: "SUP-3",
    confirm: "yes",
  }),
  "app/support/orgs/[orgId]/actions.ts#liftAction": async (c) => ({
    orgId: c.northwind,
    expectedVersion: await c.version(),
    reason: "review done",
    ticketRef: "SUP-4",
    confirm: "yes",
  }),
  "app/support/orgs/[orgId]/actions.ts#configureSsoAction": async (c) => ({
    orgId: c.northwind,
    issuer: "https://login.northwind.example",
    clientId: "console",
    clientSecret: "s3cret",
    emailDomains: "northwind-sso.example",
    reason: "IT asked",
  }),
  // Invalid for everyone who passes authorization (no reason given), so it never removes what another row set up.
  "app/support/orgs/[orgId]/actions.ts#removeSsoAction": async (c) => ({ orgId: c.northwind, reason: "" }),
  "app/support/tokens/actions.ts#createTokenAction": async () => ({ name: "fleet", scopes: "policy:read" }),
  "app/support/tokens/actions.ts#revokeTokenAction": async (c) => {
    const { summary } = await createServiceToken({ kind: "system", name: "test" }, { name: "victim", scopes: ["policy:read"] }, c.db);
    return { tokenId: summary.id, confirmName: "victim" };
  },
  "app/support/flags/actions.ts#reviewFlagAction": async (c) => {
    const [f] = await c.db.insert(moderationFlags).values({ orgId: c.northwind, category: "spam", severity: "low" }).returning({ id: moderationFlags.id });
    return { flagId: f.id, outcome: "dismissed", note: "a false positive" };
  },
  "app/support/outbox/actions.ts#retryDeadLetterAction": async (c) => {
    const [m] = await c.db
      .insert(outbox)
      .values({
        kind: "email",
        messageId: `<dead-${Math.random()}@test>`,
        payload: { orgId: c.northwind, subject: "s" },
        abandonedAt: new Date(),
        availableAt: new Date(Date.now() + 86_400_000),
      })
      .returning({ id: outbox.id });
    return { messageId: String(m.id) };
  },
  "app/invite/[token]/actions.ts#acceptInvitationAction": async (c) => {
    const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
    const inv = await inviteMember(admin, { orgId: c.northwind, email: `a${Math.random()}@n.example`, role: "member" }, c.db);
    return { token: inv.token, name: "New Person", password: "a long enough password" };
  },
  "app/(customer)/data-removal/actions.ts#requestRemovalAction": async (c) => {
    const day = removalDay();
    return { orgId: c.northwind, scope: "organization", range: "custom", from: day, to: day };
  },
  "app/(customer)/data-removal/actions.ts#cancelRemovalAction": async (c) => ({ orgId: c.northwind, requestId: await pendingRemoval(c) }),
  "app/support/orgs/[orgId]/actions.ts#setUsageRetentionAction": async (c) => ({ orgId: c.northwind, days: "400", reason: "contract", ticketRef: "SUP-5" }),
  "app/support/removals/actions.ts#reviewRemovalAction": async (c) => ({
    requestId: await pendingRemoval(c),
    reason: "verified",
    ticketRef: "SUP-6",
    decision: "reject",
  }),
  // A public address literal, so no DNS is needed; this test never delivers (no outbox worker runs here).
  "app/(customer)/settings/webhooks/actions.ts#createWebhookAction": async (c) => ({
    orgId: c.northwind,
    url: "https://93.184.215.14/hook",
    eventTypes: "zdr.enabled",
  }),
  "app/(customer)/settings/webhooks/actions.ts#rotateWebhookSecretAction": async (c) => ({ orgId: c.northwind, endpointId: await webhookOf(c) }),
  "app/(customer)/settings/webhooks/actions.ts#deleteWebhookAction": async (c) => ({ orgId: c.northwind, endpointId: await webhookOf(c) }),
  "app/(customer)/settings/webhooks/actions.ts#enableWebhookAction": async (c) => ({ orgId: c.northwind, endpointId: await webhookOf(c) }),
  "app/(customer)/settings/webhooks/actions.ts#sendTestWebhookAction": async (c) => ({ orgId: c.northwind, endpointId: await webhookOf(c) }),
  "app/(customer)/projects/actions.ts#createProjectAction": async (c) => ({ orgId: c.northwind, name: `Project ${Math.random()}` }),
  "app/(customer)/projects/actions.ts#renameProjectAction": async (c) => ({
    orgId: c.northwind,
    projectId: await projectOf(c),
    name: `Renamed ${Math.random()}`,
  }),
  "app/(customer)/projects/actions.ts#archiveProjectAction": async (c) => ({ orgId: c.northwind, projectId: await projectOf(c) }),
  "app/(customer)/projects/actions.ts#updateProjectPolicyAction": async (c) => ({
    orgId: c.northwind,
    projectId: await projectOf(c),
    contentRetentionDays: "7",
    trainingUse: "never",
  }),
  "app/account/two-factor/actions.ts#startTwoFactorAction": async () => ({}),
  "app/account/two-factor/actions.ts#confirmTwoFactorAction": async () => ({ code: "123456" }),
  "app/account/two-factor/actions.ts#disableTwoFactorAction": async () => ({ code: "123456" }),
  "app/forgot-password/actions.ts#requestPasswordResetAction": async () => ({ email: `nobody-${Math.random()}@n.example` }),
  // A live link of a fresh account of its own per call: the token is the credential, whoever is signed in.
  "app/reset-password/[token]/actions.ts#resetPasswordAction": async (c) => {
    const email = `reset-${Math.random()}@n.example`;
    await c.db.insert(users).values({ email, name: "Resetting", passwordHash: "not-a-real-hash" });
    const { token } = await requestPasswordReset({ email, ip: `test-${Math.random()}` }, c.db);
    return { token: token!, password: "a long enough password" };
  },
  "lib/actions/session.ts#signOutAction": async () => ({}),
  "lib/actions/session.ts#signOutEverywhereAction": async () => ({}),
  // One of the caller's own other sessions (another user's id is refused as not found: tests/db/sessions.test.ts).
  "lib/actions/session.ts#endSessionAction": async (c) => ({
    sessionId: session.user ? await startSession(c.db, session.user.userId, "vitest") : crypto.randomUUID(),
  }),
};

/** A fresh Northwind endpoint for one call. */
async function webhookOf(c: Ctx): Promise<string> {
  const [e] = await c.db
    .insert(webhookEndpoints)
    .values({ orgId: c.northwind, url: "https://93.184.215.14/hook", eventTypes: ["zdr.enabled"], secretEncrypted: encryptSecret(generateWebhookSecret()) })
    .returning({ id: webhookEndpoints.id });
  return e.id;
}

/** A fresh Northwind project for one call, so one role's archive cannot disturb the next. */
async function projectOf(c: Ctx): Promise<string> {
  const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
  return (await createProject(admin, { orgId: c.northwind, name: `P ${Math.random()}` }, c.db)).id;
}

let removalDays = 0;
/** A fresh past day per call, so an allowed removal request never meets the overlap rule of the one before it. */
function removalDay(): string {
  removalDays += 1;
  return new Date(Date.now() - (2 + removalDays) * 86_400_000).toISOString().slice(0, 10);
}
/** A pending removal request of Northwind's admin, on a day of its own. */
async function pendingRemoval(c: Ctx): Promise<string> {
  const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
  const day = removalDay();
  return (await requestRemoval(admin, { orgId: c.northwind, scope: "organization", range: "custom", from: day, to: day }, c.db)).id;
}

/** Actions on the caller's own session (operation null) that still depend on who calls: an org switch only to one's own org. */
const OWN_SESSION: Record<string, Partial<Record<Role, Outcome>>> = {
  "app/(customer)/actions.ts#switchOrganization": { otherAdmin: "not_found", support: "not_found" },
  // One's own second factor ("account.twoFactor.manage": customer admins and support): a member may not; support may not turn it off.
  "app/account/two-factor/actions.ts#startTwoFactorAction": { member: "forbidden" },
  "app/account/two-factor/actions.ts#confirmTwoFactorAction": { member: "forbidden" },
  "app/account/two-factor/actions.ts#disableTwoFactorAction": { member: "forbidden", support: "forbidden" },
};

/** What the permission table says each visitor gets (Northwind's admin and member, Contoso's admin, support staff). */
function expected(key: string, action: Action, role: Role): Outcome {
  if (role === "anonymous") return action.who === "anyone" ? "allowed" : "unauthorized";
  if (action.operation === null) return OWN_SESSION[key]?.[role] ?? "allowed";
  const rule = PERMISSIONS[action.operation] as { customer?: "member" | "admin"; support?: true };
  if (rule.customer) {
    if (role === "admin") return "allowed";
    if (role === "member") return rule.customer === "member" ? "allowed" : "forbidden";
    return rule.support && role === "support" ? "allowed" : "not_found";
  }
  return rule.support && role === "support" ? "allowed" : "not_found";
}

function actionsOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|tsx)$/.test(e.name)) {
        const src = fs.readFileSync(full, "utf8");
        if (!/^(\s*(\/\*[\s\S]*?\*\/|\/\/.*))*\s*["']use server["']/.test(src)) continue;
        for (const m of src.matchAll(/export\s+(?:async\s+function|function|const)\s+(\w+)/g)) out.push(`${full}#${m[1]}`);
      }
    }
  };
  walk("app");
  walk("lib");
  return out.sort();
}

const actionsByKey = new Map<string, Action>();
const db = withFreshDatabase();
const principals = {} as Record<Exclude<Role, "anonymous">, UserPrincipal>;
let northwind = "";

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: false });
  const orgs = await d.select().from(organizations);
  northwind = orgs.find((o) => o.slug === "northwind-health")!.id;
  principals.member = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  principals.admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  principals.otherAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
  principals.support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  for (const key of actionsOnDisk()) {
    const [file, name] = key.split("#");
    const mod = (await import(path.resolve(file))) as Record<string, Action>;
    actionsByKey.set(key, mod[name]);
  }
}, 60_000);

/** A fresh Northwind member to act on, so one role's change cannot disturb the next. */
async function freshTarget(d: Db): Promise<string> {
  const [u] = await d
    .insert(users)
    .values({ email: `t${Math.random()}@northwind.example`, name: "Target" })
    .returning({ id: users.id });
  await d.insert(memberships).values({ orgId: northwind, userId: u.id, role: "member" });
  return u.id;
}

function formOf(values: Record<string, string | string[]>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) for (const x of Array.isArray(v) ? v : [v]) f.append(k, x);
  return f;
}

function outcomeOf(r: ActionResult<unknown>): Outcome | string {
  if (r.status === "ok") return "allowed";
  if (r.code === "conflict" || r.code === "invalid") return "allowed";
  return r.code ?? `error without a code: ${r.message}`;
}

describe(`server actions × visitors on ${testDbKind}, called for real`, () => {
  it("every server action on disk is made by the wrapper and has a form here, and every form an action", () => {
    expect(Object.keys(FORMS).sort()).toEqual(actionsOnDisk());
    for (const [key, fn] of actionsByKey) {
      expect(typeof fn, key).toBe("function");
      expect(["customer", "support", "user", "anyone"], `${key} declares who may call it`).toContain(fn.who);
      if (fn.operation !== null) expect(Object.keys(PERMISSIONS), `${key}'s operation is a row of the table`).toContain(fn.operation);
    }
  });

  it("each visitor gets exactly what the permission table says from every action", async () => {
    const d = db.handle().db;
    const ctx: Ctx = {
      db: d,
      northwind,
      target: () => freshTarget(d),
      version: async () => String((await d.select({ v: retentionStates.version }).from(retentionStates).where(eq(retentionStates.orgId, northwind)))[0].v),
    };
    const surprises: string[] = [];
    let cells = 0;
    for (const [key, fn] of actionsByKey) {
      // Denials first, so an allowed change cannot hide a later denial.
      for (const role of ROLES) {
        session.user = role === "anonymous" ? null : await loadUserPrincipal(d, principals[role].userId, principals[role].orgId);
        let got: string;
        try {
          got = outcomeOf(await fn({ status: "idle" }, formOf(await FORMS[key](ctx))));
        } catch (err) {
          // A redirect after success (the invitation) is Next's way of answering; anything else is a failure of the test.
          got = String((err as { digest?: string }).digest ?? "").startsWith("NEXT_REDIRECT") ? "allowed" : `threw ${(err as Error).message}`;
        }
        cells++;
        const want = expected(key, fn, role);
        if (got !== want) surprises.push(`${role} → ${key}: expected ${want}, got ${got}`);
      }
    }
    console.log(`server actions: ${cells} cells, ${surprises.length} unexpected`);
    expect(surprises).toEqual([]);
  });

  it("the table keeps the design's walls: only admins manage, only support changes retention, tokens scope the machine API", () => {
    for (const op of ["retention.request", "retention.audit.read", "notices.acknowledge", "members.manage"] as const)
      expect(PERMISSIONS[op], op).toEqual({ customer: "admin" });
    for (const op of ["retention.enable", "retention.disable", "retention.lift", "support.read"] as const)
      expect(PERMISSIONS[op], op).toEqual({ support: true });
    expect(PERMISSIONS["retention.restrict"]).toEqual({ support: true, scope: "moderation:write" });
    expect(PERMISSIONS["usage.write"]).toEqual({ scope: "usage:write" });
  });

  it("org B's admin with org A's ids in a form of org B is refused as not found, and nothing changes", async () => {
    const d = db.handle().db;
    const contosoAdmin = principals.otherAdmin;
    session.user = contosoAdmin;
    const [nwNotice] = await d.insert(notices).values({ orgId: northwind, kind: "zdr_enabled", title: "t", body: "b" }).returning({ id: notices.id });
    const nwMember = principals.member.userId;
    const ack = actionsByKey.get("app/(customer)/notices/actions.ts#acknowledgeAction")!;
    const remove = actionsByKey.get("app/(customer)/members/actions.ts#removeMemberAction")!;
    const role = actionsByKey.get("app/(customer)/members/actions.ts#changeRoleAction")!;
    const own = contosoAdmin.orgId!;
    for (const [fn, values] of [
      [ack, { orgId: own, noticeId: nwNotice.id }],
      [remove, { orgId: own, userId: nwMember }],
      [role, { orgId: own, userId: nwMember, role: "admin" }],
    ] as const) {
      const r = await fn({ status: "idle" }, formOf(values));
      expect(r.code).toBe("not_found");
    }
    const [n] = await d.select().from(notices).where(eq(notices.id, nwNotice.id));
    expect(n.acknowledgedAt).toBeNull();
    const still = await loadUserPrincipal(d, nwMember);
    expect(still!.memberships.find((m) => m.orgId === northwind)?.role).toBe("member");
  });

  it("a form rendered for one org, sent after switching to another, is refused naming both, and changes neither", async () => {
    const d = db.handle().db;
    const contoso = principals.otherAdmin.orgId!;
    const [u] = await d
      .insert(users)
      .values({ email: `two${Math.random()}@example.com`, name: "Two Orgs" })
      .returning({ id: users.id });
    await d.insert(memberships).values([
      { orgId: northwind, userId: u.id, role: "admin" },
      { orgId: contoso, userId: u.id, role: "admin" },
    ]);
    // The session's active org is now Contoso; the form was rendered for Northwind.
    session.user = await loadUserPrincipal(d, u.id, contoso);
    const invite = actionsByKey.get("app/(customer)/members/actions.ts#inviteAction")!;
    const email = `stale${Math.random()}@example.com`;
    const r = await invite({ status: "idle" }, formOf({ orgId: northwind, email, role: "member" }));
    expect(r).toMatchObject({ status: "error", code: "conflict" });
    expect(r.message).toContain("Northwind Health");
    expect(r.message).toContain("Contoso Bank");
    expect(r.values).toMatchObject({ email, role: "member" });
    const invited = await d.execute(`select count(*)::int as n from invitations where email = '${email}'`);
    const rows = (Array.isArray(invited) ? invited : (invited as { rows: { n: number }[] }).rows) as { n: number }[];
    expect(rows[0].n).toBe(0);
  });

  it("a removed member's next request has no organization", async () => {
    const d = db.handle().db;
    const id = await freshTarget(d);
    session.user = principals.admin;
    const remove = actionsByKey.get("app/(customer)/members/actions.ts#removeMemberAction")!;
    expect((await remove({ status: "idle" }, formOf({ orgId: northwind, userId: id }))).status).toBe("ok");
    expect((await loadUserPrincipal(d, id))!.orgId).toBeNull();
    await d.delete(users).where(eq(users.id, id));
  });
});
