/**
 * Every server action × every principal, called through the domain function
 * the action uses (the action only parses its form and passes the signed-in
 * principal). The actions are read from the "use server" files on disk: a
 * new action without a row fails the first test.
 */
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/principal";
import { loadUserPrincipal, loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { AppError } from "@/lib/errors";
import type { Db } from "@/lib/db";
import { memberships, notices, organizations, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/db/seed";
import { requestZeroRetention } from "@/lib/retention/request";
import { disableZeroRetention, enableZeroRetention, liftRestriction, restrictOrganization } from "@/lib/retention/service";
import { acknowledgeNotice } from "@/lib/notices/queries";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/orgs/members";
import { createServiceToken, revokeServiceToken } from "@/lib/tokens/tokens";
import { createWebhookEndpoint, deleteWebhookEndpoint, enableWebhookEndpoint, rotateWebhookSecret, sendTestWebhook } from "@/lib/webhooks/service";
import { webhookEndpoints } from "@/lib/db/schema";
import { encryptSecret, generateWebhookSecret } from "@/lib/webhooks/secrets";
import { testDbKind, withFreshDatabase } from "../helpers/db";

type Role = "member" | "admin" | "otherAdmin" | "support" | "service";
/** allowed: authorization passed (the call may still meet a business rule: conflict or invalid). */
type Outcome = "allowed" | "not_found" | "forbidden" | "unauthorized";
type Ctx = { db: Db; northwind: string; target: () => Promise<string> };
type Row = { call: (actor: Principal, ctx: Ctx) => Promise<unknown>; expect: Record<Role, Outcome> } | { exempt: string };

const customerAdminOnly = { member: "forbidden", admin: "allowed", otherAdmin: "not_found", support: "not_found", service: "unauthorized" } as const;
const supportOnly = { member: "not_found", admin: "not_found", otherAdmin: "not_found", support: "allowed", service: "unauthorized" } as const;

const ACTIONS: Record<string, Row> = {
  "app/(customer)/actions.ts#setTheme": { exempt: "sets the signed-in user's own theme cookie; reads and writes nothing else" },
  "app/(customer)/actions.ts#switchOrganization": { exempt: "covered in tests/db/auth.test.ts: a foreign org id is ignored by loadUserPrincipal" },
  "app/(customer)/retention/actions.ts#requestZdrAction": { call: (a, c) => requestZeroRetention(a, { orgId: c.northwind, scope: "all_requests" }, c.db), expect: customerAdminOnly },
  "app/(customer)/members/actions.ts#inviteAction": { call: (a, c) => inviteMember(a, { orgId: c.northwind, email: `x${Math.random()}@n.example`, role: "member" }, c.db), expect: customerAdminOnly },
  "app/(customer)/members/actions.ts#changeRoleAction": { call: async (a, c) => changeMemberRole(a, { orgId: c.northwind, userId: await c.target(), role: "admin" }, c.db), expect: customerAdminOnly },
  "app/(customer)/members/actions.ts#removeMemberAction": { call: async (a, c) => removeMember(a, { orgId: c.northwind, userId: await c.target() }, c.db), expect: customerAdminOnly },
  "app/(customer)/members/actions.ts#revokeInvitationAction": {
    call: async (a, c) => {
      const admin = (await loadUserPrincipalByEmail(c.db, "admin@northwind.example"))!;
      const inv = await inviteMember(admin, { orgId: c.northwind, email: `r${Math.random()}@n.example`, role: "member" }, c.db);
      return revokeInvitation(a, { orgId: c.northwind, invitationId: inv.invitationId }, c.db);
    },
    expect: customerAdminOnly,
  },
  "app/(customer)/notices/actions.ts#acknowledgeAction": {
    call: async (a, c) => {
      const [n] = await c.db.insert(notices).values({ orgId: c.northwind, kind: "zdr_enabled", title: "t", body: "b" }).returning({ id: notices.id });
      return acknowledgeNotice(a, { orgId: c.northwind, noticeId: n.id }, c.db);
    },
    expect: customerAdminOnly,
  },
  "app/support/orgs/[orgId]/actions.ts#enableAction": { call: (a, c) => enableZeroRetention(a, { orgId: c.northwind, reason: "verified requester", ticketRef: "SUP-1" }, c.db), expect: supportOnly },
  "app/support/orgs/[orgId]/actions.ts#disableAction": { call: (a, c) => disableZeroRetention(a, { orgId: c.northwind, reason: "customer asked", ticketRef: "SUP-2" }, c.db), expect: supportOnly },
  "app/support/orgs/[orgId]/actions.ts#restrictAction": { call: (a, c) => restrictOrganization(a, { orgId: c.northwind, reason: "high_risk_use_case", note: "review", ticketRef: "SUP-3" }, c.db), expect: { ...supportOnly, service: "forbidden" } },
  "app/support/orgs/[orgId]/actions.ts#liftAction": { call: (a, c) => liftRestriction(a, { orgId: c.northwind, reason: "review done", ticketRef: "SUP-4" }, c.db), expect: supportOnly },
  "app/support/tokens/actions.ts#createTokenAction": { call: (a, c) => createServiceToken(a, { name: "fleet", scopes: ["policy:read"] }, c.db), expect: supportOnly },
  "app/support/tokens/actions.ts#revokeTokenAction": {
    call: async (a, c) => {
      const support = (await loadUserPrincipalByEmail(c.db, "support@provider.example"))!;
      const { summary } = await createServiceToken(support, { name: "victim", scopes: ["policy:read"] }, c.db);
      return revokeServiceToken(a, { tokenId: summary.id }, c.db);
    },
    expect: supportOnly,
  },
  "app/invite/[token]/actions.ts#acceptInvitationAction": { exempt: "the one-time token is the credential; tests/db/members.test.ts tries used, expired, revoked and wrong-account tokens" },
  "lib/auth/actions.ts#signOutAction": { exempt: "acts only on the caller's own session" },
  "app/(customer)/settings/webhooks/actions.ts#createWebhookAction": {
    call: (a, c) => createWebhookEndpoint(a, { orgId: c.northwind, url: "https://93.184.215.14/hook", eventTypes: ["zdr.enabled"] }, c.db),
    expect: customerAdminOnly,
  },
  "app/(customer)/settings/webhooks/actions.ts#rotateWebhookSecretAction": { call: async (a, c) => rotateWebhookSecret(a, { orgId: c.northwind, endpointId: await webhookOf(c) }, c.db), expect: customerAdminOnly },
  "app/(customer)/settings/webhooks/actions.ts#deleteWebhookAction": { call: async (a, c) => deleteWebhookEndpoint(a, { orgId: c.northwind, endpointId: await webhookOf(c) }, c.db), expect: customerAdminOnly },
  "app/(customer)/settings/webhooks/actions.ts#enableWebhookAction": { call: async (a, c) => enableWebhookEndpoint(a, { orgId: c.northwind, endpointId: await webhookOf(c) }, c.db), expect: customerAdminOnly },
  "app/(customer)/settings/webhooks/actions.ts#sendTestWebhookAction": { call: async (a, c) => sendTestWebhook(a, { orgId: c.northwind, endpointId: await webhookOf(c) }, c.db), expect: customerAdminOnly },
  "lib/auth/actions.ts#signOutEverywhereAction": { exempt: "acts only on the caller's own sessions; revocation tested in tests/db/auth.test.ts" },
};

/** A fresh Northwind endpoint (a public address, so no DNS is needed) for one call. */
async function webhookOf(c: Ctx): Promise<string> {
  const [e] = await c.db
    .insert(webhookEndpoints)
    .values({ orgId: c.northwind, url: "https://93.184.215.14/hook", eventTypes: ["zdr.enabled"], secretEncrypted: encryptSecret(generateWebhookSecret()) })
    .returning({ id: webhookEndpoints.id });
  return e.id;
}

function actionsOnDisk(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|tsx)$/.test(e.name)) {
        const src = fs.readFileSync(full, "utf8");
        if (!/^\s*["']use server["']/.test(src)) continue;
        // Both forms: `export async function x` and `export const x = action(…)` (lib/actions/action.ts).
        for (const m of src.matchAll(/export\s+(?:async\s+)?function\s+(\w+)|export\s+const\s+(\w+)\s*=/g)) out.push(`${full}#${m[1] ?? m[2]}`);
      }
    }
  };
  walk("app");
  walk("lib");
  return out.sort();
}

const db = withFreshDatabase();
const principals = {} as Record<Role, Principal>;
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
  principals.service = { kind: "service", tokenId: "00000000-0000-0000-0000-000000000001", name: "fleet", scopes: ["usage:write", "policy:read"] };
});

/** A fresh Northwind member to act on, so one role's change cannot disturb the next. */
async function freshTarget(d: Db): Promise<string> {
  const [u] = await d.insert(users).values({ email: `t${Math.random()}@northwind.example`, name: "Target" }).returning({ id: users.id });
  await d.insert(memberships).values({ orgId: northwind, userId: u.id, role: "member" });
  return u.id;
}

async function outcome(p: Promise<unknown>): Promise<Outcome | string> {
  try {
    await p;
    return "allowed";
  } catch (err) {
    if (err instanceof AppError) {
      if (err.code === "conflict" || err.code === "invalid") return "allowed";
      return err.code;
    }
    return `error: ${(err as Error).message}`;
  }
}

describe(`server actions × principals on ${testDbKind}`, () => {
  it("every server action on disk has a row, and every row an action", () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(actionsOnDisk());
  });

  it("each principal gets exactly the expected answer from every action", async () => {
    const d = db.handle().db;
    const surprises: string[] = [];
    // Denials first, so an allowed change cannot hide a later denial.
    const order: Role[] = ["member", "otherAdmin", "service", "admin", "support"];
    for (const [key, row] of Object.entries(ACTIONS)) {
      if ("exempt" in row) continue;
      for (const role of order) {
        const got = await outcome(row.call(principals[role], { db: d, northwind, target: () => freshTarget(d) }));
        if (got !== row.expect[role]) surprises.push(`${role} → ${key}: expected ${row.expect[role]}, got ${got}`);
      }
    }
    expect(surprises).toEqual([]);
  });

  it("org B's ids in org A's forms are refused as not found, and nothing changes", async () => {
    const d = db.handle().db;
    const contosoAdmin = principals.otherAdmin as Extract<Principal, { kind: "user" }>;
    const contoso = contosoAdmin.orgId!;
    const [nwNotice] = await d.insert(notices).values({ orgId: northwind, kind: "zdr_enabled", title: "t", body: "b" }).returning({ id: notices.id });
    const nwInvite = await inviteMember(principals.admin, { orgId: northwind, email: "cross@n.example", role: "member" }, d);
    const nwMember = (principals.member as Extract<Principal, { kind: "user" }>).userId;
    const attempts = [
      () => acknowledgeNotice(contosoAdmin, { orgId: contoso, noticeId: nwNotice.id }, d),
      () => removeMember(contosoAdmin, { orgId: contoso, userId: nwMember }, d),
      () => changeMemberRole(contosoAdmin, { orgId: contoso, userId: nwMember, role: "admin" }, d),
      () => revokeInvitation(contosoAdmin, { orgId: contoso, invitationId: nwInvite.invitationId }, d),
    ];
    // Thunks: each call starts only when awaited, so no rejection is left unhandled.
    for (const attempt of attempts) expect(await outcome(attempt())).toBe("not_found");
    const [n] = await d.select().from(notices).where(eq(notices.id, nwNotice.id));
    expect(n.acknowledgedAt).toBeNull();
    const still = await loadUserPrincipal(d, nwMember);
    expect(still!.memberships.find((m) => m.orgId === northwind)?.role).toBe("member");
  });

  it("a removed member's next request has no organization", async () => {
    const d = db.handle().db;
    const id = await freshTarget(d);
    await removeMember(principals.admin, { orgId: northwind, userId: id }, d);
    expect((await loadUserPrincipal(d, id))!.orgId).toBeNull();
    await d.delete(users).where(eq(users.id, id));
  });
});
