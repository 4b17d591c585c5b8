import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDbHandle, openPglite, openPostgres, queryRows, setDbHandle, type Db } from "@/lib/db";
import { auditLog, moderationFlags, notices, organizations, retentionStates } from "@/lib/db/schema";
import { cacheListener, closeCacheListener } from "@/lib/db/listen";
import { effectivePolicy } from "@/lib/retention/policy";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { api, makeOrg, makeToken } from "../helpers/api";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let reader: string;
let moderator: string;
let writer: string;

beforeAll(async () => {
  db = fresh.handle().db;
  reader = (await makeToken(db, ["policy:read"])).token;
  moderator = (await makeToken(db, ["moderation:write"])).token;
  writer = (await makeToken(db, ["usage:write"])).token;
  await cacheListener(fresh.handle()).ready;
});

const policy = (orgId: string, token = reader, headers: Record<string, string> = {}) =>
  api("GET", `/api/v1/orgs/${orgId}/retention-policy`, { token, headers });

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<{ value: T; elapsed: number }> {
  const started = performance.now();
  for (;;) {
    const value = await fn();
    if (ok(value) || performance.now() - started > ms) return { value, elapsed: performance.now() - started };
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(`retention-policy API on ${testDbKind}`, () => {
  it("answers the effective policy derived from the org's state, with a strong ETag and 304 on If-None-Match", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const res = await policy(orgId);
    expect(res.status).toBe(200);
    const body = await res.json();
    const [row] = await db
      .select()
      .from(retentionStates)
      .innerJoin(organizations, eq(organizations.id, retentionStates.orgId))
      .where(eq(retentionStates.orgId, orgId));
    expect(body).toEqual(JSON.parse(JSON.stringify(effectivePolicy(row.organizations.plan, row.retention_states))));
    expect(body.zdr.honoured).toBe(true);
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await policy(orgId, reader, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    expect((await policy(orgId, reader, { "if-none-match": `"other", ${etag}` })).status).toBe(304);
    expect((await policy(orgId, reader, { "if-none-match": `W/${etag}x` })).status).toBe(200);
  });

  it("an org id in upper case is the same cache entry, dropped by the same change", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const upper = orgId.toUpperCase();
    expect((await policy(upper).then((r) => r.json())).restriction).toBeNull();
    await policy(upper); // now certainly cached
    await db.execute(
      sql`update retention_states set restriction = 'restricted', restriction_reason = 'provider_discretion', restricted_since = now(), version = version + 1 where org_id = ${orgId}`,
    );
    const { value } = await until(
      () => policy(upper).then((r) => r.json()),
      (b) => b.restriction !== null,
      1000,
    );
    expect(value.restriction?.reason).toBe("provider_discretion");
    expect(value.zdr.honoured).toBe(false);
  });

  it("sees a change written by anyone (here: plain SQL, as another instance would) within 1 second, with a new ETag", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const first = await policy(orgId);
    const etag = first.headers.get("etag");
    await policy(orgId); // now certainly cached
    await db.execute(
      sql`update retention_states set restriction = 'restricted', restriction_reason = 'provider_discretion', restricted_since = now(), version = version + 1 where org_id = ${orgId}`,
    );
    const { value, elapsed } = await until(
      () => policy(orgId).then((r) => r.json()),
      (b) => b.restriction !== null,
      1000,
    );
    expect(value.restriction.reason).toBe("provider_discretion");
    expect(value.zdr.honoured).toBe(false);
    expect(elapsed).toBeLessThan(1000);
    expect((await policy(orgId, reader, { "if-none-match": etag! })).status).toBe(200);
  });

  it("a change of plan reaches the answer too", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    expect((await (await policy(orgId)).json()).zdr.honoured).toBe(true);
    await db.update(organizations).set({ plan: "pro" }).where(eq(organizations.id, orgId));
    const { value } = await until(
      () => policy(orgId).then((r) => r.json()),
      (b) => b.zdr.honoured === false,
      1000,
    );
    expect(value.zdr.honoured).toBe(false);
  });

  it("404 for an unknown org, 400 for a malformed id, 401 without a token, 403 without policy:read", async () => {
    expect((await policy(crypto.randomUUID())).status).toBe(404);
    const bad = await policy("not-a-uuid");
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toContain("not-a-uuid");
    expect((await api("GET", `/api/v1/orgs/${crypto.randomUUID()}/retention-policy`)).status).toBe(401);
    expect((await policy(crypto.randomUUID(), writer)).status).toBe(403);
  });

  it("fails closed: 503 when the state cannot be read, never a guess", async () => {
    const orgId = await makeOrg(db, { zdr: "off" });
    const good = getDbHandle();
    const broken = testDbKind === "pglite" ? openPglite(undefined) : openPostgres("postgres://127.0.0.1:1/nothing", { max: 1 });
    if (broken.kind === "pglite") await broken.close();
    setDbHandle(broken);
    try {
      const res = await policy(orgId);
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const text = await res.text();
      expect(text).not.toMatch(/"honoured"|"zdr"/);
    } finally {
      setDbHandle(good);
    }
    // A state row that is missing is not read as "ZDR off".
    const [org] = await db
      .insert(organizations)
      .values({ name: "no state", slug: `no-state-${crypto.randomBytes(3).toString("hex")}` })
      .returning();
    const res = await policy(org.id);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
  });

  it("fails closed with 503 (not 401) when the token is valid but the database goes away mid-flight", async () => {
    const orgId = await makeOrg(db);
    await policy(orgId);
    const handle = getDbHandle();
    const original = handle.db.select.bind(handle.db);
    // The policy read fails; the token lookup before it is served from the cache.
    (handle.db as unknown as { select: unknown }).select = () => {
      throw new Error("connection lost");
    };
    try {
      await handle.db.execute(sql`update retention_states set version = version + 1 where org_id = ${orgId}`);
      const { value } = await until(
        () => policy(orgId),
        (r) => r.status !== 200,
        1000,
      );
      expect(value.status).toBe(503);
      expect((await value.json()).code).toBe("unavailable");
    } finally {
      (handle.db as unknown as { select: unknown }).select = original;
    }
  });
});

describe(`moderation flags API on ${testDbKind}`, () => {
  it("records a flag without content and does not restrict unless asked", async () => {
    const orgId = await makeOrg(db);
    const res = await api("POST", "/api/v1/moderation/flags", {
      token: moderator,
      body: { orgId, category: "self_harm", severity: "medium", restrict: false },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ orgId, restricted: false, restrictedByThisFlag: false });
    const [flag] = await db.select().from(moderationFlags).where(eq(moderationFlags.id, body.id));
    expect(flag).toMatchObject({ category: "self_harm", severity: "medium", restrict: false });
    expect((await (await policy(orgId)).json()).restriction).toBeNull();
  });

  it("with restrict: true restricts the org at once through the support domain function: policy, audit entry and notice follow", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    expect((await (await policy(orgId)).json()).zdr.honoured).toBe(true);
    const res = await api("POST", "/api/v1/moderation/flags", { token: moderator, body: { orgId, category: "fraud", severity: "critical", restrict: true } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ restricted: true, restrictedByThisFlag: true });
    // This instance answers from its cache: the restriction must already be there on the very next request.
    const after = await (await policy(orgId)).json();
    expect(after.restriction.reason).toBe("automated_flag");
    expect(after.zdr.honoured).toBe(false);
    const audits = await db.select().from(auditLog).where(eq(auditLog.orgId, orgId));
    expect(audits.map((a) => a.action)).toContain("zdr.restricted");
    expect(audits.find((a) => a.action === "zdr.restricted")!.actorType).toBe("service");
    const orgNotices = await db.select().from(notices).where(eq(notices.orgId, orgId));
    expect(orgNotices.map((n) => n.kind)).toContain("zdr_restricted");
    // A second flag on a restricted org is recorded and changes nothing.
    const second = await api("POST", "/api/v1/moderation/flags", { token: moderator, body: { orgId, category: "fraud", severity: "high", restrict: true } });
    expect(await second.json()).toMatchObject({ restricted: true, restrictedByThisFlag: false });
    const [n] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from moderation_flags where org_id = ${orgId}`);
    expect(n.n).toBe("2");
  });

  it("rejects content in a flag, an unknown org, and tokens without moderation:write", async () => {
    const orgId = await makeOrg(db);
    const withText = await api("POST", "/api/v1/moderation/flags", {
      token: moderator,
      body: { orgId, category: "fraud", severity: "low", restrict: false, excerpt: "the flagged text" },
    });
    expect(withText.status).toBe(400);
    const problem = await withText.json();
    expect(problem.errors).toEqual([{ path: "$.excerpt", problem: expect.any(String) }]);
    expect(JSON.stringify(problem)).not.toContain("the flagged text");
    const freeCategory = await api("POST", "/api/v1/moderation/flags", {
      token: moderator,
      body: { orgId, category: "User wrote: I want to ...", severity: "low", restrict: false },
    });
    expect(freeCategory.status).toBe(400);
    const unknown = await api("POST", "/api/v1/moderation/flags", {
      token: moderator,
      body: { orgId: crypto.randomUUID(), category: "fraud", severity: "low", restrict: true },
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].path).toBe("$.orgId");
    expect((await api("POST", "/api/v1/moderation/flags", { token: reader, body: { orgId, category: "fraud", severity: "low", restrict: true } })).status).toBe(
      403,
    );
    const [n] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from moderation_flags where org_id = ${orgId}`);
    expect(n.n).toBe("0");
  });
});
