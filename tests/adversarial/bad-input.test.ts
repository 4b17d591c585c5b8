/**
 * Bad input everywhere: query strings, form fields and bodies with wrong
 * types, oversize values, unicode edge cases (NUL, lone surrogates, RTL
 * overrides, combining marks) and unknown ranges. Each must be a 4xx (or a
 * form error) that names the field and never echoes the value; never a 5xx
 * or a stack trace.
 */
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const jar = vi.hoisted(() => ({ cookie: "" }));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost", "x-forwarded-proto": "http", cookie: jar.cookie }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], set: () => {}, delete: () => {} }),
}));
process.env.AUTH_SECRET ??= crypto.randomBytes(33).toString("base64");

import { GET as exportRoute } from "@/app/(customer)/usage/export/route";
import { POST as signInRoute } from "@/app/api/session/route";
import SupportAccountsPage from "@/app/support/page";
import type { Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { organizations } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { AppError } from "@/lib/errors";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { inviteMember } from "@/lib/orgs/members";
import { requestZeroRetention } from "@/lib/retention/request";
import { enableZeroRetention, restrictOrganization } from "@/lib/retention/service";
import { listAccounts } from "@/lib/support/queries";
import { createServiceToken } from "@/lib/tokens/tokens";
import { parseRangeParams } from "@/lib/usage/range";
import { api, makeEvent, makeToken } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";
import { sessionCookie } from "../helpers/session-cookie";
import { record } from "./figures";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

const MARK = "zzbadvalue";
/** Values a form or query string can carry; each carries MARK so an echo is visible. */
const NASTY: string[] = [
  `${MARK}`,
  `${MARK}\u0000nul`,
  `${MARK}\ud800lone-surrogate`,
  `${MARK}\u202eevil`,
  `${MARK}e\u0301\u0301\u0301`,
  `${MARK}${"\u{1F600}".repeat(300)}`,
  `${MARK}${"a".repeat(100_000)}`,
  `${MARK}'; drop table users; --`,
  `${MARK}%_\\`,
  `  ${MARK}  `,
  `${MARK}\r\nX-Injected: 1`,
];

let db: Db;
let northwind: string;
let support: UserPrincipal;
let admin: UserPrincipal;
let supportCookie = "";
let adminCookie = "";
/** The current case's failures: each case asserts its own (see expectNoFailures). */
let failures: string[] = [];
let failedInAll = 0;
let tried = 0;

/** The end of every case: what it tried was each refused as it must be. */
function expectNoFailures() {
  failedInAll += failures.length;
  expect(failures).toEqual([]);
}

beforeAll(async () => {
  db = fresh.handle().db;
  await seedDemoWorld(db, { usage: false });
  [{ id: northwind }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  support = (await loadUserPrincipalByEmail(db, "support@provider.example")) as UserPrincipal;
  admin = (await loadUserPrincipalByEmail(db, "admin@northwind.example")) as UserPrincipal;
  supportCookie = await sessionCookie(db, "support@provider.example");
  adminCookie = await sessionCookie(db, "admin@northwind.example");
});

/** A domain call must refuse with `invalid`, naming a field, without the value. */
async function expectInvalid(label: string, field: string, p: () => Promise<unknown> | unknown) {
  tried++;
  try {
    await p();
    failures.push(`${label}: accepted`);
  } catch (err) {
    if (!(err instanceof AppError)) return void failures.push(`${label}: ${(err as Error)?.name} (would be a 500)`);
    if (err.status >= 500 || err.status < 400) return void failures.push(`${label}: status ${err.status}`);
    if (!(err.details?.fields ?? []).some((f) => f === field || f.startsWith(`${field}.`) || f.includes(field)))
      failures.push(`${label}: fields ${JSON.stringify(err.details?.fields)} do not name ${field}`);
    if (err.message.includes(MARK)) failures.push(`${label}: the message echoes the value`);
  }
}

/** An HTTP answer must be a 4xx that names the field and does not echo the value or a stack. */
async function expectHttp4xx(label: string, field: string, res: Response) {
  tried++;
  const text = await res.text();
  if (res.status < 400 || res.status >= 500) failures.push(`${label}: status ${res.status}`);
  if (!text.includes(field)) failures.push(`${label}: the answer does not name ${field}`);
  if (text.includes(MARK)) failures.push(`${label}: the answer echoes the value`);
  if (/\n\s+at /.test(text)) failures.push(`${label}: a stack trace`);
}

describe("bad input", () => {
  beforeEach(() => {
    failures = [];
  });
  afterAll(() => {
    record("bad input", "bad inputs tried (query strings, forms, sign-in body, API bodies and paths)", tried);
    record("bad input", "answers that were not a clear 4xx naming the field (5xx, echo, stack, accepted)", failedInAll, "0");
  });

  it("query strings: /usage and /usage/export ranges, /support search", async () => {
    const ranges: Record<string, string | string[] | undefined>[] = [
      ...NASTY.map((v) => ({ range: v })),
      { range: "" },
      { range: "365d" },
      { range: "custom" },
      ...NASTY.map((v) => ({ range: "custom", from: v, to: "2026-01-31" })),
      { range: "custom", from: "2026-02-30", to: "2026-03-01" },
      { range: "custom", from: "2026-03-01", to: "2026-01-01" },
      { range: "custom", from: "1900-01-01", to: "2026-01-01" },
      { range: "custom", from: "２０２６-０１-０１", to: "2026-01-02" },
    ];
    for (const r of ranges) {
      const field =
        "from" in r && r.from && !String(r.from).startsWith("2026-0") && !String(r.from).startsWith("1900") ? "from" : r.range === "custom" ? "" : "range";
      await expectInvalid(`parseRangeParams ${JSON.stringify(r).slice(0, 60)}`, field, () => parseRangeParams(r));
      const u = new URL("http://localhost/usage/export");
      for (const [k, v] of Object.entries(r)) for (const x of [v].flat()) if (x !== undefined) u.searchParams.append(k, x);
      jar.cookie = adminCookie;
      await expectHttp4xx(`GET /usage/export?${u.search.slice(0, 60)}`, field || "from", await exportRoute(new Request(u)));
    }
    // /support?q=: the page accepts any text as a search (it is a search, not a field with a format); it must answer, not fail.
    jar.cookie = supportCookie;
    for (const q of NASTY) {
      tried++;
      try {
        await SupportAccountsPage({ searchParams: Promise.resolve({ q, zdr: q, plan: q }) });
        await listAccounts(support, { q: q.slice(0, 100) }, db);
      } catch (err) {
        failures.push(`/support?q=${JSON.stringify(q.slice(0, 30))}: ${(err as Error).name} ${(err as { code?: string }).code ?? ""} (would be a 500)`);
      }
    }
    jar.cookie = "";
    expectNoFailures();
  });

  it("the sign-in body", async () => {
    const bodies: [string, string, unknown][] = [
      ["email", "email wrong type", { email: 42, password: "x" }],
      ["email", "email array", { email: ["a@b.c"], password: "demo-password-1" }],
      ["email", "email oversize", { email: `${MARK}${"a".repeat(100_000)}@x.example`, password: "demo-password-1" }],
      ["email", "email with NUL", { email: `${MARK}\u0000@x.example`, password: "demo-password-1" }],
      ["password", "password missing", { email: "admin@northwind.example" }],
      ["password", "password object", { email: "admin@northwind.example", password: { $ne: 1 } }],
      ["password", "password oversize", { email: "admin@northwind.example", password: `${MARK}${"p".repeat(1_000_000)}` }],
    ];
    for (const [field, label, body] of bodies) {
      const req = new NextRequest("http://localhost/api/session", {
        method: "POST",
        headers: { origin: "http://localhost", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      await expectHttp4xx(`/api/session ${label}`, field, await signInRoute(req));
    }
    for (const raw of [`{"email": "${MARK}`, "null", "[]", "\u0000"]) {
      const req = new NextRequest("http://localhost/api/session", {
        method: "POST",
        headers: { origin: "http://localhost", "content-type": "application/json" },
        body: raw,
      });
      await expectHttp4xx(`/api/session raw ${JSON.stringify(raw).slice(0, 20)}`, "email", await signInRoute(req));
    }
    expectNoFailures();
  });

  it("form fields of the domain: retention, restriction, invitations, tokens", async () => {
    for (const v of NASTY) {
      const short = JSON.stringify(v.slice(0, 24));
      // Only the values that are invalid for the field; a valid one would change the org's state.
      if (v.length > 1000 || v.includes("\u0000"))
        await expectInvalid(`restrict note ${short}`, "note", () =>
          restrictOrganization(support, { orgId: northwind, reason: "provider_discretion", note: v, ticketRef: "SUP-1" }, db),
        );
      if (!/^[A-Za-z0-9][A-Za-z0-9._#/-]{0,63}$/.test(v.trim()))
        await expectInvalid(`enable ticketRef ${short}`, "ticketRef", () =>
          enableZeroRetention(support, { orgId: northwind, reason: "verified", ticketRef: v }, db),
        );
      await expectInvalid(`enable orgId ${short}`, "orgId", () => enableZeroRetention(support, { orgId: v, reason: "verified", ticketRef: "SUP-1" }, db));
      await expectInvalid(`restrict reason ${short}`, "reason", () =>
        restrictOrganization(support, { orgId: northwind, reason: v as never, note: "note", ticketRef: "SUP-1" }, db),
      );
      await expectInvalid(`invite email ${short}`, "email", () => inviteMember(admin, { orgId: northwind, email: v, role: "member" }, db));
      await expectInvalid(`invite role ${short}`, "role", () => inviteMember(admin, { orgId: northwind, email: "ok@n.example", role: v as never }, db));
      await expectInvalid(`request scope ${short}`, "scope", () => requestZeroRetention(admin, { orgId: northwind, scope: v as never }, db));
      await expectInvalid(`token name ${short}`, "name", () =>
        createServiceToken(support, { name: v.length > 100 || v.includes("\u0000") ? v : "", scopes: ["policy:read"] }, db),
      );
      await expectInvalid(`token scopes ${short}`, "scopes", () => createServiceToken(support, { name: "fleet", scopes: [v as never] }, db));
    }
    // Text that is fine except for a NUL byte or a lone surrogate must be refused by the schema, not by PostgreSQL.
    await expectInvalid("restrict note with NUL", "note", () =>
      restrictOrganization(support, { orgId: northwind, reason: "provider_discretion", note: "looks fine\u0000", ticketRef: "SUP-1" }, db),
    );
    const [contoso] = await db.select().from(organizations).where(eq(organizations.slug, "contoso-bank"));
    await expectInvalid("enable reason with NUL (an org where enabling would succeed)", "reason", () =>
      enableZeroRetention(support, { orgId: contoso.id, reason: "verified\u0000", ticketRef: "SUP-1" }, db),
    );
    await expectInvalid("token name with NUL", "name", () => createServiceToken(support, { name: "fleet\u0000", scopes: ["policy:read"] }, db));
    expectNoFailures();
  });

  it("machine API bodies and path parameters", async () => {
    const token = (await makeToken(db, ["usage:write", "policy:read", "moderation:write"])).token;
    const ev = makeEvent(northwind);
    const cases: [string, string, unknown][] = [
      ["$.events[0].inputUnits", "inputUnits a string", { events: [{ ...ev, inputUnits: MARK }] }],
      ["$.events[0].inputUnits", "inputUnits negative", { events: [{ ...ev, inputUnits: -1 }] }],
      ["$.events[0].inputUnits", "inputUnits 2^64", { events: [{ ...ev, inputUnits: 2 ** 64 }] }],
      ["$.events[0].latencyMs", "latencyMs a float", { events: [{ ...ev, latencyMs: 1.5 }] }],
      ["$.events[0].occurredAt", "occurredAt not a date", { events: [{ ...ev, occurredAt: `${MARK}` }] }],
      ["$.events[0].occurredAt", "occurredAt year 10000", { events: [{ ...ev, occurredAt: "+010000-01-01T00:00:00Z" }] }],
      ["$.events[0].model", "model with NUL", { events: [{ ...ev, model: `${MARK}\u0000` }] }],
      ["$.events[0].model", "model oversize", { events: [{ ...ev, model: `${MARK}${"m".repeat(200)}` }] }],
      ["$.events[0].zeroRetention", "zeroRetention a string", { events: [{ ...ev, zeroRetention: "true" }] }],
      ["$.events", "events empty", { events: [] }],
      ["$.events", "events 5001", { events: Array.from({ length: 5001 }, () => makeEvent(northwind)) }],
    ];
    for (const [field, label, body] of cases) await expectHttp4xx(`ingest ${label}`, field, await api("POST", "/api/v1/usage/events", { token, body }));
    for (const id of ["not-a-uuid", `${MARK}`, "%00", "00000000-0000-0000-0000-00000000000g"]) {
      await expectHttp4xx(`policy orgId ${id}`, "orgId", await api("GET", `/api/v1/orgs/${encodeURIComponent(id)}/retention-policy`, { token }));
    }
    for (const [field, body] of [
      ["severity", { orgId: northwind, category: "spam", severity: MARK, restrict: false }],
      ["restrict", { orgId: northwind, category: "spam", severity: "low", restrict: "yes" }],
      ["category", { orgId: northwind, category: `${MARK} free text`, severity: "low", restrict: false }],
    ] as const) {
      await expectHttp4xx(`flag ${field}`, field, await api("POST", "/api/v1/moderation/flags", { token, body }));
    }
    expectNoFailures();
  });
});
