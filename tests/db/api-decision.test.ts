/**
 * The per-request decision and the project policy, through both transports
 * (tests/helpers/api.ts): the fast path of server.ts and the route handler.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { projects } from "@/lib/db/schema";
import { cacheListener, closeCacheListener } from "@/lib/db/listen";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { api, makeOrg, makeToken } from "../helpers/api";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let reader: string;
let writer: string;

beforeAll(async () => {
  db = fresh.handle().db;
  reader = (await makeToken(db, ["policy:read"])).token;
  writer = (await makeToken(db, ["usage:write"])).token;
  await cacheListener(fresh.handle()).ready;
});

const decision = (orgId: string, query: string, token: string | null = reader, headers: Record<string, string> = {}) =>
  api("GET", `/api/v1/orgs/${orgId}/retention-decision?${query}`, { token, headers });

async function makeProject(orgId: string, over: Partial<typeof projects.$inferInsert> = {}): Promise<string> {
  const [p] = await db
    .insert(projects)
    .values({ orgId, name: "p", ...over })
    .returning({ id: projects.id });
  return p.id;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const started = performance.now();
  for (;;) {
    const v = await fn();
    if (ok(v) || performance.now() - started > ms) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(`retention-decision API on ${testDbKind}`, () => {
  it("answers ZDR for all requests, with an ETag and 304", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const res = await decision(orgId, "product=text_to_speech");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      serve: true,
      keepContent: false,
      zeroRetention: true,
      reason: "zdr_all_requests",
      contentRetentionDays: 0,
      trainingUse: false,
    });
    const etag = res.headers.get("etag")!;
    expect((await decision(orgId, "product=text_to_speech", reader, { "if-none-match": etag })).status).toBe(304);
    // Another product has another answer and another tag.
    const other = await decision(orgId, "product=voice_cloning");
    expect(await other.json()).toMatchObject({ serve: true, keepContent: true, reason: "product_not_eligible", contentRetentionDays: 30 });
    expect(other.headers.get("etag")).not.toBe(etag);
  });

  it("refuses a zero-retention request it cannot honour: serve false, still 200", async () => {
    const orgId = await makeOrg(db, { zdr: "off" });
    const res = await decision(orgId, "product=llm&enableLogging=false");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ serve: false, keepContent: false, reason: "zdr_off" });
    const free = await makeOrg(db, { plan: "free", zdr: "off" });
    expect(await (await decision(free, "product=llm&enableLogging=false")).json()).toMatchObject({ serve: false, reason: "not_entitled" });
  });

  it("a project tightens per_request to all requests; a change reaches the answer", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    await db.execute(sql`update retention_states set zdr_scope = 'per_request', version = version + 1 where org_id = ${orgId}`);
    const projectId = await makeProject(orgId, { contentRetentionDays: 7 });
    expect(await (await decision(orgId, `product=llm&projectId=${projectId}`)).json()).toMatchObject({
      keepContent: true,
      reason: "zdr_not_requested",
      contentRetentionDays: 7,
    });
    expect(await (await decision(orgId, "product=llm")).json()).toMatchObject({ keepContent: true, contentRetentionDays: 30 });
    await db.execute(sql`update projects set zdr_all_requests = true, version = version + 1 where id = ${projectId}`);
    const after = await until(
      () => decision(orgId, `product=llm&projectId=${projectId}`).then((r) => r.json()),
      (b) => b.reason === "zdr_all_requests",
    );
    expect(after).toMatchObject({ keepContent: false, zeroRetention: true });
    // The org's own answer is untouched.
    expect(await (await decision(orgId, "product=llm")).json()).toMatchObject({ reason: "zdr_not_requested" });
  });

  it("a restriction applies to every project at once", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const projectId = await makeProject(orgId, { zdrAllRequests: true });
    expect((await (await decision(orgId, `product=llm&projectId=${projectId}`)).json()).keepContent).toBe(false);
    await db.execute(
      sql`update retention_states set restriction = 'restricted', restriction_reason = 'automated_flag', restricted_since = now(), version = version + 1 where org_id = ${orgId}`,
    );
    const after = await until(
      () => decision(orgId, `product=llm&projectId=${projectId}`).then((r) => r.json()),
      (b) => b.reason === "restricted",
    );
    expect(after).toMatchObject({ keepContent: true, zeroRetention: false });
  });

  it("unknown org or project, and another org's project, are 404; bad parameters are 400 naming them", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const otherOrg = await makeOrg(db, { zdr: "active" });
    const theirs = await makeProject(otherOrg);
    expect((await decision(crypto.randomUUID(), "product=llm")).status).toBe(404);
    expect((await decision(orgId, `product=llm&projectId=${crypto.randomUUID()}`)).status).toBe(404);
    expect((await decision(orgId, `product=llm&projectId=${theirs}`)).status).toBe(404);
    expect((await api("GET", `/api/v1/orgs/${orgId}/retention-policy?projectId=${theirs}`, { token: reader })).status).toBe(404);
    const bad = await decision(orgId, "product=nope&enableLogging=maybe&projectId=x");
    expect(bad.status).toBe(400);
    const problem = await bad.json();
    expect(problem.detail).toContain("product");
    expect(problem.detail).toContain("enableLogging");
    expect(problem.detail).toContain("projectId");
    expect(problem.detail).not.toContain("maybe");
    expect((await decision(orgId, "")).status).toBe(400);
  });

  it("needs policy:read", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    expect((await decision(orgId, "product=llm", writer)).status).toBe(403);
    expect((await decision(orgId, "product=llm", null)).status).toBe(401);
  });

  it("the project's effective policy names its sources; the org's are all organization", async () => {
    const orgId = await makeOrg(db, { zdr: "active" });
    const projectId = await makeProject(orgId, { contentRetentionDays: 7, cacheWindowSeconds: 600 });
    const org = await (await api("GET", `/api/v1/orgs/${orgId}/retention-policy`, { token: reader })).json();
    expect(org.sources).toEqual({
      zdrScope: "organization",
      cacheWindowSeconds: "organization",
      contentRetentionDays: "organization",
      trainingUse: "organization",
    });
    expect(org.projectId).toBeNull();
    const prj = await (await api("GET", `/api/v1/orgs/${orgId}/retention-policy?projectId=${projectId}`, { token: reader })).json();
    expect(prj).toMatchObject({ projectId, contentRetentionDays: 7, cacheWindowSeconds: 600 });
    expect(prj.sources).toEqual({ zdrScope: "organization", cacheWindowSeconds: "project", contentRetentionDays: "project", trainingUse: "organization" });
  });
});
