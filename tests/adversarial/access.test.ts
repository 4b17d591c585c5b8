/**
 * The access matrix with the proxy bypassed: every page and route handler on
 * disk is called directly (no proxy.ts in front), with real Auth.js session
 * cookies decoded by the real `auth()`, and must give exactly the answer the
 * HTTP matrix expects (e2e/support/access-expectations.ts, the same table).
 * Added principals: an expired session, a session from before a
 * sign-out-everywhere, a session ended from another device, a token naming
 * another user's session, a session signed with another secret, an admin's
 * session from before a demotion, a bearer token instead of a cookie; the
 * machine API × every service-token scope and a revoked token; tenant walls
 * with counts; cross-site Origin refusals counted through proxy.ts itself.
 */
import path from "node:path";
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { NextRequest } from "next/server";
import { isValidElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AdminOnly } from "@/components/members/admin-only";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const jar = vi.hoisted(() => ({ cookie: "", authorization: "" }));
vi.mock("next/headers", () => {
  const parse = () =>
    new Map(
      jar.cookie
        .split(/;\s*/)
        .filter(Boolean)
        .map((c) => [c.slice(0, c.indexOf("=")), c.slice(c.indexOf("=") + 1)]),
    );
  return {
    headers: async () => {
      // Next sets x-forwarded-proto itself; without it Auth.js assumes https and looks for the __Secure- cookie.
      const h = new Headers({ host: "localhost", "x-forwarded-proto": "http" });
      if (jar.cookie) h.set("cookie", jar.cookie);
      if (jar.authorization) h.set("authorization", jar.authorization);
      return h;
    },
    cookies: async () => ({
      get: (name: string) => (parse().has(name) ? { name, value: parse().get(name)! } : undefined),
      getAll: () => [...parse()].map(([name, value]) => ({ name, value })),
      set: () => {},
      delete: () => {},
    }),
  };
});
process.env.AUTH_SECRET ??= crypto.randomBytes(33).toString("base64");

import { MATRIX, type Outcome, type Role } from "@/e2e/support/access-expectations";
import proxy from "@/proxy";
import type { Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { memberships, notices, organizations, users } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { AppError } from "@/lib/errors";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { SERVICE_SCOPES, type ServiceScope, type UserPrincipal } from "@/lib/auth/principal";
import { acknowledgeNotice } from "@/lib/notices/queries";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/orgs/members";
import { getRetentionView, listRetentionAudit } from "@/lib/retention/queries";
import { requestZeroRetention } from "@/lib/retention/request";
import { getUsageDashboard } from "@/lib/usage/queries";
import { createServiceToken, revokeServiceToken } from "@/lib/tokens/tokens";
import { api, makeEvent, SYSTEM } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";
import { sessionCookie } from "../helpers/session-cookie";
import { endSession, startSession } from "@/lib/auth/sessions";
import { routeFiles } from "../helpers/routes";
import { record } from "./figures";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

const ORIGIN = "http://localhost";
let db: Db;
let ids: { northwind: string; contoso: string };
const sessions: Record<string, string> = {};

async function userRow(email: string) {
  const [u] = await db.select().from(users).where(eq(users.email, email));
  return u;
}

beforeAll(async () => {
  db = fresh.handle().db;
  await seedDemoWorld(db, { usage: false });
  const orgs = await db.select().from(organizations);
  ids = { northwind: orgs.find((o) => o.slug === "northwind-health")!.id, contoso: orgs.find((o) => o.slug === "contoso-bank")!.id };
  const emails: Record<Role, string> = {
    anonymous: "",
    member: "member@northwind.example",
    admin: "admin@northwind.example",
    otherAdmin: "admin@contoso.example",
    support: "support@provider.example",
  };
  for (const [role, email] of Object.entries(emails)) {
    if (!email) continue;
    sessions[role] = await sessionCookie(db, email);
  }
  // Sessions that must count for nothing.
  const admin = await userRow("admin@northwind.example");
  sessions.expired = await sessionCookie(db, admin.email, { maxAge: -3600 });
  sessions.forged = await sessionCookie(db, admin.email, { secret: crypto.randomBytes(33).toString("base64") });
  // A session ended from another device: its row is closed while the admin's other sessions go on.
  const endedId = await startSession(db, admin.id, "another browser");
  sessions.endedElsewhere = await sessionCookie(db, admin.email, { sessionId: endedId });
  await endSession(db, admin.id, endedId, "ended_elsewhere");
  // Another user's open session id in a token of this admin's: the row must belong to the token's user.
  const contosoAdmin = await userRow("admin@contoso.example");
  sessions.foreignSessionId = await sessionCookie(db, admin.email, { sessionId: await startSession(db, contosoAdmin.id, "theirs") });
  // A second Northwind admin signs in, then signs out everywhere (the version bump the action makes).
  const [twin] = await db.insert(users).values({ email: "twin@northwind.example", name: "Twin" }).returning();
  await db.insert(memberships).values({ orgId: ids.northwind, userId: twin.id, role: "admin" });
  sessions.signedOutEverywhere = await sessionCookie(db, twin.email);
  await db.execute(sql`update users set session_version = session_version + 1 where id = ${twin.id}`);
  // A third admin signs in and is then demoted to member: the session keeps working, with a member's rights only.
  const [demoted] = await db.insert(users).values({ email: "demoted@northwind.example", name: "Demoted" }).returning();
  await db.insert(memberships).values({ orgId: ids.northwind, userId: demoted.id, role: "admin" });
  sessions.demotedAdmin = await sessionCookie(db, demoted.email);
  const nwAdmin = (await loadUserPrincipalByEmail(db, "admin@northwind.example"))!;
  await changeMemberRole(nwAdmin, { orgId: ids.northwind, userId: demoted.id, role: "member" }, db);
});

function digestOf(err: unknown): string {
  return String((err as { digest?: unknown })?.digest ?? "");
}

function outcomeOfStatus(status: number, location: string | null): Outcome | `status ${number}` {
  if (status >= 300 && status < 400) return location && new URL(location, ORIGIN).pathname === "/login" ? "login" : "ok";
  if (status >= 200 && status < 300) return "ok";
  if (status === 403 || status === 404) return "denied";
  if (status === 401) return "unauthorized";
  if (status === 400) return "invalid";
  return `status ${status}`;
}

/** Calls one page or route handler directly, as Next would, with the jar's cookie. */
async function callDirect(routeKey: string, file: string, url: string, method: string, body: unknown): Promise<Outcome | string> {
  const mod = (await import(/* @vite-ignore */ path.resolve(file))) as Record<string, unknown>;
  const params: Record<string, string | string[]> = {};
  const pattern = routeKey.split("/");
  const actual = new URL(url, ORIGIN).pathname.split("/");
  pattern.forEach((seg, i) => {
    const m = /^\[(\.\.\.)?(\w+)\]$/.exec(seg);
    if (m) params[m[2]] = m[1] ? actual.slice(i) : actual[i];
  });
  const u = new URL(url, ORIGIN);
  try {
    if (file.endsWith(`page.tsx`)) {
      const Page = mod.default as (props: unknown) => Promise<unknown>;
      const out = await Page({ params: Promise.resolve(params), searchParams: Promise.resolve(Object.fromEntries(u.searchParams)) });
      // The administrators-only page and nothing else: the page read none of its own data. It must name the admins.
      if (isValidElement(out) && out.type === AdminOnly) {
        const html = renderToStaticMarkup(out);
        return html.includes("Only administrators of Northwind Health can open this page.") && html.includes("admin@northwind.example")
          ? "refused"
          : "a refusal that does not name the administrators";
      }
      // Over HTTP a page that ends on /login counts as "login", whoever asked.
      return u.pathname === "/login" ? "login" : "ok";
    }
    const handler = mod[method] as (req: NextRequest, ctx: unknown) => Promise<Response>;
    const headers = new Headers({ origin: ORIGIN });
    if (jar.cookie) headers.set("cookie", jar.cookie);
    if (jar.authorization) headers.set("authorization", jar.authorization);
    if (body !== undefined) headers.set("content-type", "application/json");
    const req = new NextRequest(u, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const res = await handler(req, { params: Promise.resolve(params) });
    return outcomeOfStatus(res.status, res.headers.get("location"));
  } catch (err) {
    const d = digestOf(err);
    if (d.startsWith("NEXT_REDIRECT")) {
      const to = d.split(";")[2] ?? "";
      return new URL(to, ORIGIN).pathname === "/login" ? "login" : "ok";
    }
    if (d.startsWith("NEXT_HTTP_ERROR_FALLBACK;404") || d.startsWith("NEXT_HTTP_ERROR_FALLBACK;403")) return "denied";
    if (err instanceof AppError) return outcomeOfStatus(err.status, null);
    return `threw ${(err as Error)?.name}`;
  }
}

const ALLOWING = new Set(["ok", "invalid"]);

describe("access with the proxy bypassed", () => {
  it("every page and route handler × every session answers as over HTTP; stale sessions count as none", async () => {
    const files = routeFiles();
    expect([...files.keys()].sort()).toEqual(Object.keys(MATRIX).sort());
    // Each visitor and the column of the HTTP matrix it must match.
    const visitors: [string, Role, { cookie?: string; authorization?: string }][] = [
      ["anonymous", "anonymous", {}],
      ["member", "member", { cookie: sessions.member }],
      ["admin", "admin", { cookie: sessions.admin }],
      ["otherAdmin", "otherAdmin", { cookie: sessions.otherAdmin }],
      ["support", "support", { cookie: sessions.support }],
      ["expired session", "anonymous", { cookie: sessions.expired }],
      ["session signed with another secret", "anonymous", { cookie: sessions.forged }],
      ["session from before sign-out-everywhere", "anonymous", { cookie: sessions.signedOutEverywhere }],
      ["session ended from another device", "anonymous", { cookie: sessions.endedElsewhere }],
      ["token naming another user's session", "anonymous", { cookie: sessions.foreignSessionId }],
      ["admin session from before a demotion", "member", { cookie: sessions.demotedAdmin }],
    ];
    const all = await createServiceToken(SYSTEM, { name: "every scope", scopes: [...SERVICE_SCOPES] }, db);
    visitors.push(["service token (all scopes) as bearer", "anonymous", { authorization: `Bearer ${all.token}` }]);

    let cells = 0;
    const allows: string[] = [];
    const denies: string[] = [];
    const other: string[] = [];
    const flavour: string[] = [];
    const REFUSED = new Set(["login", "unauthorized", "denied"]);
    for (const [name, column, creds] of visitors) {
      jar.cookie = creds.cookie ?? "";
      jar.authorization = creds.authorization ?? "";
      for (const [route, row] of Object.entries(MATRIX)) {
        let want: Outcome | string = row.expect[column];
        // A bearer token is no session: the machine API is the one place it counts, and there its answer is the scope's (below).
        if (creds.authorization && route.startsWith("/api/v1/") && want === "unauthorized") want = route === "/api/v1/openapi.json" ? "ok" : "allowedByToken";
        const got = await callDirect(route, files.get(route)!, row.url(ids), row.method ?? "GET", row.body);
        cells++;
        if (want === "allowedByToken") {
          if (got === "unauthorized" || got === "denied") denies.push(`${name} ${route}: got ${got}`);
          continue;
        }
        if (got === want) continue;
        const line = `${name} ${row.method ?? "GET"} ${route}: expected ${want}, got ${got}`;
        // Over HTTP the proxy sends a visitor without a cookie to /login first; the handler alone answers 401. Both refuse.
        if (REFUSED.has(got) && REFUSED.has(want) && (got === "unauthorized") !== (want === "unauthorized")) flavour.push(line);
        else if (ALLOWING.has(got) && !ALLOWING.has(want)) allows.push(line);
        else if (!ALLOWING.has(got) && ALLOWING.has(want)) denies.push(line);
        else other.push(line);
      }
    }
    jar.cookie = "";
    jar.authorization = "";
    record("access", "pages/routes × sessions, proxy bypassed: cells tried", cells);
    record("access", "pages/routes × sessions, proxy bypassed: unexpected allows", allows.length, "0");
    record("access", "pages/routes × sessions, proxy bypassed: unexpected denies", denies.length, "0");
    record(
      "access",
      "pages/routes × sessions, proxy bypassed: cells whose allow/deny differs from the HTTP matrix",
      allows.length + denies.length + other.length,
      "0",
    );
    record("access", "pages/routes × sessions, proxy bypassed: refusals answered 401 by the handler where the proxy redirects to /login", flavour.length);
    expect([...allows, ...denies, ...other]).toEqual([]);
  });

  it("the machine API × every service-token scope, a revoked, an unknown and a malformed token", async () => {
    const support = (await loadUserPrincipalByEmail(db, "support@provider.example"))!;
    const scopeSets: ServiceScope[][] = [[], ["usage:write"], ["policy:read"], ["moderation:write"], ["usage:write", "policy:read", "moderation:write"]];
    const tokens: [string, string | null, ServiceScope[]][] = [["no token", null, []]];
    for (const scopes of scopeSets) {
      if (!scopes.length) continue;
      tokens.push([`token [${scopes.join(",")}]`, (await createServiceToken(support, { name: `s ${scopes}`, scopes }, db)).token, scopes]);
    }
    const revoked = await createServiceToken(support, { name: "revoked", scopes: ["usage:write", "policy:read", "moderation:write"] }, db);
    // Used once (so it is cached), then revoked: the next call must already be refused.
    expect((await api("GET", `/api/v1/orgs/${ids.northwind}/retention-policy`, { token: revoked.token })).status).toBe(200);
    await revokeServiceToken(support, { tokenId: revoked.summary.id }, db);
    tokens.push(["revoked token", revoked.token, []]);
    tokens.push(["unknown token", `zdr_st_${crypto.randomBytes(32).toString("base64url").slice(0, 43)}`, []]);
    tokens.push(["malformed token", "not-a-token", []]);
    tokens.push(["user session cookie instead of a token", null, []]);

    const endpoints: { scope: ServiceScope; call: (token: string | null, headers?: Record<string, string>) => Promise<Response>; okStatus: number }[] = [
      {
        scope: "usage:write",
        okStatus: 200,
        call: (t, h) => api("POST", "/api/v1/usage/events", { token: t, headers: h, body: { events: [makeEvent(ids.northwind)] } }),
      },
      { scope: "policy:read", okStatus: 200, call: (t, h) => api("GET", `/api/v1/orgs/${ids.northwind}/retention-policy`, { token: t, headers: h }) },
      {
        scope: "moderation:write",
        okStatus: 201,
        call: (t, h) =>
          api("POST", "/api/v1/moderation/flags", { token: t, headers: h, body: { orgId: ids.contoso, category: "spam", severity: "low", restrict: false } }),
      },
    ];
    let cells = 0;
    const allows: string[] = [];
    const denies: string[] = [];
    for (const [name, token, scopes] of tokens) {
      for (const ep of endpoints) {
        const headers = name.startsWith("user session") ? { cookie: sessions.support } : undefined;
        const res = await ep.call(token, headers);
        cells++;
        const want = scopes.includes(ep.scope) ? ep.okStatus : token && scopes.length ? 403 : 401;
        if (res.status === want) continue;
        const line = `${name} → ${ep.scope}: expected ${want}, got ${res.status}`;
        if (res.status < 300) allows.push(line);
        else denies.push(line);
      }
    }
    record("access", "machine API × token scopes/revoked/unknown: cells tried", cells);
    record("access", "machine API × token scopes/revoked/unknown: unexpected allows", allows.length, "0");
    record("access", "machine API × token scopes/revoked/unknown: unexpected denies", denies.length, "0");
    expect([...allows, ...denies]).toEqual([]);
  });
});

describe("tenant walls", () => {
  it("org B's ids with org A's principal, in every domain function that takes an id: not found, nothing changed", async () => {
    const nwAdmin = (await loadUserPrincipalByEmail(db, "admin@northwind.example"))!;
    const nwMember = (await loadUserPrincipalByEmail(db, "member@northwind.example"))!;
    const contosoAdmin = (await loadUserPrincipalByEmail(db, "admin@contoso.example"))! as UserPrincipal;
    const contosoMember = (await loadUserPrincipalByEmail(db, "member@contoso.example"))! as UserPrincipal;
    const attackers: UserPrincipal[] = [contosoAdmin, contosoMember];
    // Northwind's objects.
    const [notice] = await db.insert(notices).values({ orgId: ids.northwind, kind: "zdr_enabled", title: "t", body: "b" }).returning();
    const invite = await inviteMember(nwAdmin, { orgId: ids.northwind, email: "wall@n.example", role: "member" }, db);
    const victim = (nwMember as UserPrincipal).userId;
    const range = { key: "30d" } as const;
    let attempts = 0;
    const leaks: string[] = [];
    const answer = async (p: () => Promise<unknown>) => {
      try {
        await p();
        return "allowed";
      } catch (err) {
        return err instanceof AppError ? err.code : `threw ${(err as Error).name}`;
      }
    };
    // A leak: allowed, or an answer for org B's real id that differs from the answer for an id that exists nowhere (existence confirmed).
    const tryIt = async (label: string, p: (id: string) => Promise<unknown>, realId: string) => {
      attempts++;
      const real = await answer(() => p(realId));
      const none = await answer(() => p(crypto.randomUUID()));
      if (real === "allowed" || real !== none || (real !== "not_found" && real !== "forbidden")) leaks.push(`${label}: ${real} (an unknown id: ${none})`);
    };
    for (const a of attackers) {
      const own = a.orgId!;
      const who = a.email;
      // The victim org's id directly.
      await tryIt(`${who} usage of northwind`, (id) => getUsageDashboard(a, { orgId: id, range }, db), ids.northwind);
      await tryIt(`${who} retention view of northwind`, (id) => getRetentionView(a, { orgId: id }, db), ids.northwind);
      await tryIt(`${who} audit trail of northwind`, (id) => listRetentionAudit(a, { orgId: id }, db), ids.northwind);
      await tryIt(`${who} request ZDR for northwind`, (id) => requestZeroRetention(a, { orgId: id, scope: "all_requests" }, db), ids.northwind);
      await tryIt(`${who} invite into northwind`, (id) => inviteMember(a, { orgId: id, email: "x@evil.example", role: "admin" }, db), ids.northwind);
      await tryIt(`${who} ack northwind notice in northwind`, (id) => acknowledgeNotice(a, { orgId: id, noticeId: notice.id }, db), ids.northwind);
      // The victim's object ids under the attacker's own org id.
      await tryIt(`${who} ack northwind notice via own org`, (id) => acknowledgeNotice(a, { orgId: own, noticeId: id }, db), notice.id);
      await tryIt(`${who} remove northwind member via own org`, (id) => removeMember(a, { orgId: own, userId: id }, db), victim);
      await tryIt(`${who} promote northwind member via own org`, (id) => changeMemberRole(a, { orgId: own, userId: id, role: "admin" }, db), victim);
      await tryIt(`${who} revoke northwind invitation via own org`, (id) => revokeInvitation(a, { orgId: own, invitationId: id }, db), invite.invitationId);
    }
    const leaksBefore = leaks.length;
    const [n] = await db.select().from(notices).where(eq(notices.id, notice.id));
    if (n.acknowledgedAt) leaks.push("northwind's notice was acknowledged");
    const still = await loadUserPrincipalByEmail(db, "member@northwind.example");
    if (still?.memberships.find((m) => m.orgId === ids.northwind)?.role !== "member") leaks.push("northwind's member changed");
    record("tenant walls", "cross-tenant attempts (org B ids, org A principals)", attempts);
    record("tenant walls", "leaks (allowed, or an answer that differs from an unknown id's)", leaks.length, "0");
    expect(leaks, `${leaksBefore} call leaks`).toEqual([]);
  });
});

describe("cross-site state changes", () => {
  it("proxy.ts refuses a foreign, null or missing Origin on every cookie-authenticated state change", async () => {
    const targets = Object.entries(MATRIX)
      .filter(([route]) => !route.startsWith("/api/v1/"))
      .map(([, row]) => row.url(ids));
    // Server actions POST to the page they live on; the pages are in the list already.
    const origins: (string | null)[] = ["https://evil.example", "null", null, "http://localhost.evil.example", "http://localhost:1"];
    let tried = 0;
    const accepted: string[] = [];
    for (const url of targets) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        for (const origin of origins) {
          const headers = new Headers({ cookie: sessions.admin, "content-type": "application/x-www-form-urlencoded" });
          if (origin !== null) headers.set("origin", origin);
          const res = proxy(new NextRequest(new URL(url, ORIGIN), { method, headers, body: "a=1" }));
          tried++;
          if (res.status !== 403) accepted.push(`${method} ${url} origin=${origin}`);
        }
      }
    }
    // The sign-in route checks the Origin itself too, so it holds without the proxy.
    const { POST: signInRoute } = await import("@/app/api/session/route");
    for (const origin of origins) {
      const headers = new Headers({ "content-type": "application/json" });
      if (origin !== null) headers.set("origin", origin);
      const res = await signInRoute(
        new NextRequest(`${ORIGIN}/api/session`, {
          method: "POST",
          headers,
          body: JSON.stringify({ email: "admin@northwind.example", password: "demo-password-1" }),
        }),
      );
      tried++;
      if (res.status !== 403) accepted.push(`/api/session (direct) origin=${origin}`);
    }
    record("cross-site", "cross-site state changes tried (foreign, null, missing, look-alike Origin)", tried);
    record("cross-site", "cross-site state changes accepted", accepted.length, "0");
    expect(accepted).toEqual([]);
  });
});
