/**
 * The OpenAPI document describes every answer of the API. tests/helpers/api.ts
 * validates each response of every API test against it; this file makes the
 * API produce every status the document declares, so none goes unchecked.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDbHandle, openPostgres, setDbHandle, type Db } from "@/lib/db";
import { organizations, removalOrders, removalRequests } from "@/lib/db/schema";
import { closeCacheListener } from "@/lib/db/listen";
import { setRateLimits } from "@/lib/api/rate-limit";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { answered, api, makeEvent, makeOrg, makeToken } from "../helpers/api";
import { validateJsonSchema, validateResponse } from "../helpers/json-schema";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let doc: Record<string, unknown>;

beforeAll(async () => {
  db = fresh.handle().db;
  doc = await (await api("GET", "/api/v1/openapi.json")).json();
});

describe(`OpenAPI document on ${testDbKind}`, () => {
  it("is OpenAPI 3.1 with every $ref resolvable and the fail-closed rule stated", () => {
    expect(doc.openapi).toBe("3.1.0");
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const r of refs) {
      const target = r
        .slice(8, -1)
        .replace(/^#\//, "")
        .split("/")
        .reduce<unknown>((n, k) => (n as Record<string, unknown>)?.[k], doc);
      expect(target, r).toBeTruthy();
    }
    expect(JSON.stringify(doc)).toContain("keep no content");
  });

  it("the request schema in the document rejects what the API rejects", () => {
    const schema = { $ref: "#/components/schemas/UsageBatch" };
    const good = { events: [makeEvent(crypto.randomUUID())] };
    expect(validateJsonSchema(doc, schema, good)).toEqual([]);
    expect(validateJsonSchema(doc, schema, { events: [{ ...good.events[0], prompt: "x" }] })).not.toEqual([]);
    expect(validateJsonSchema(doc, schema, { events: [] })).not.toEqual([]);
  });

  it("the validator is not a rubber stamp: a wrong response fails", async () => {
    const wrong = new Response(JSON.stringify({ accepted: 1, duplicates: 0 }), { headers: { "content-type": "application/json" } });
    expect(await validateResponse(doc, "POST", "/api/v1/usage/events", wrong)).not.toEqual([]);
    const undeclared = new Response(null, { status: 418 });
    expect(await validateResponse(doc, "POST", "/api/v1/usage/events", undeclared)).not.toEqual([]);
  });

  it("every status the document declares is produced, and each answer matches the document", async () => {
    const orgId = await makeOrg(db);
    const all = (await makeToken(db, ["usage:write", "policy:read", "moderation:write"])).token;
    const none = (await makeToken(db, ["policy:read"])).token;
    const onlyUsage = (await makeToken(db, ["usage:write"])).token;
    const ev = "/api/v1/usage/events";
    const flags = "/api/v1/moderation/flags";
    const pol = `/api/v1/orgs/${orgId}/retention-policy`;

    await api("POST", ev, { token: all, body: { events: [makeEvent(orgId)] } });
    await api("POST", ev, { token: all, body: { events: [{ ...makeEvent(orgId), prompt: "x" }] } });
    await api("POST", ev, { body: { events: [makeEvent(orgId)] } });
    await api("POST", ev, { token: none, body: { events: [makeEvent(orgId)] } });
    await api("POST", ev, { token: all, rawBody: `{"events":[],"x":"${"a".repeat(2_100_000)}"}` });

    const first = await api("GET", pol, { token: all });
    await api("GET", pol, { token: all, headers: { "if-none-match": first.headers.get("etag")! } });
    await api("GET", "/api/v1/orgs/nope/retention-policy", { token: all });
    await api("GET", `/api/v1/orgs/${crypto.randomUUID()}/retention-policy`, { token: all });
    await api("GET", pol);
    await api("GET", pol, { token: onlyUsage });
    const [bare] = await db
      .insert(organizations)
      .values({ name: "bare", slug: `bare-${crypto.randomBytes(3).toString("hex")}` })
      .returning();
    await api("GET", `/api/v1/orgs/${bare.id}/retention-policy`, { token: all });

    const dec = `/api/v1/orgs/${orgId}/retention-decision?product=llm`;
    const d1 = await api("GET", dec, { token: all });
    await api("GET", dec, { token: all, headers: { "if-none-match": d1.headers.get("etag")! } });
    await api("GET", `/api/v1/orgs/${orgId}/retention-decision?product=nope`, { token: all });
    await api("GET", `/api/v1/orgs/${crypto.randomUUID()}/retention-decision?product=llm`, { token: all });
    await api("GET", dec);
    await api("GET", dec, { token: onlyUsage });
    await api("GET", `/api/v1/orgs/${bare.id}/retention-decision?product=llm`, { token: all });

    const stream = "/api/v1/retention-policy/stream";
    await api("GET", stream, { token: all });
    await api("GET", stream, { token: all, headers: { "last-event-id": "not-a-number" } });
    await api("GET", stream);
    await api("GET", stream, { token: onlyUsage });

    await api("POST", flags, { token: all, body: { orgId, category: "spam", severity: "low", restrict: false } });
    await api("POST", flags, { token: all, body: { orgId, category: "spam", severity: "low" } });
    await api("POST", flags, { body: { orgId, category: "spam", severity: "low", restrict: false } });
    await api("POST", flags, { token: none, body: { orgId, category: "spam", severity: "low", restrict: false } });
    await api("POST", flags, { token: all, rawBody: `{"x":"${"a".repeat(20_000)}"}` });

    // Removal orders: a request with content, approved, has one.
    const removal = (await makeToken(db, ["removal:read", "removal:write"])).token;
    const [req] = await db
      .insert(removalRequests)
      .values({
        orgId,
        scope: "organization",
        fromDay: "2026-01-01",
        toDay: "2026-01-02",
        fromAt: new Date("2026-01-01T00:00:00Z"),
        toAt: new Date("2026-01-03T00:00:00Z"),
        timeZone: "UTC",
        includeContent: true,
        status: "running",
      })
      .returning();
    const [order] = await db.insert(removalOrders).values({ requestId: req.id, orgId }).returning();
    const done = `/api/v1/removal-orders/${order.id}/completion`;
    const report = { itemsRemoved: 3, completedAt: new Date().toISOString() };
    await api("GET", "/api/v1/removal-orders", { token: removal });
    await api("GET", "/api/v1/removal-orders");
    await api("GET", "/api/v1/removal-orders", { token: none });
    await api("POST", done, { token: removal, body: { ...report, orgId: bare.id } });
    await api("POST", done, { token: removal, body: { ...report, content: "x" } });
    await api("POST", done, { token: removal, body: report });
    await api("POST", done, { token: removal, body: { ...report, itemsRemoved: 4 } });
    await api("POST", done);
    await api("POST", done, { token: none, body: report });
    await api("POST", done, { token: removal, rawBody: `{"x":"${"a".repeat(20_000)}"}` });

    setRateLimits({
      ingest: { perSecond: 1, burst: 1 },
      policy: { perSecond: 1, burst: 1 },
      moderation: { perSecond: 1, burst: 1 },
      removal: { perSecond: 1, burst: 1 },
    });
    try {
      const t = (await makeToken(db, ["usage:write", "policy:read", "moderation:write"])).token;
      for (let i = 0; i < 2; i++) {
        await api("POST", ev, { token: t, body: { events: [makeEvent(orgId)] } });
        // One call, not the fast path and the route handler both: each would take a token of the bucket of 1.
        await api("GET", pol, { token: t, parity: false });
        await api("GET", `/api/v1/orgs/${orgId}/retention-decision?product=llm`, { token: t, parity: false });
        await api("GET", "/api/v1/retention-policy/stream", { token: t });
        await api("POST", flags, { token: t, body: { orgId, category: "spam", severity: "low", restrict: false } });
      }
      const rt = (await makeToken(db, ["removal:read", "removal:write"])).token;
      for (let i = 0; i < 2; i++) await api("GET", "/api/v1/removal-orders", { token: rt });
      for (let i = 0; i < 2; i++) await api("POST", done, { token: rt, body: report });
    } finally {
      setRateLimits({});
    }

    // With the database unreachable every endpoint answers 503, so the fleet retries and keeps nothing.
    const real = getDbHandle();
    const down = openPostgres("postgres://127.0.0.1:1/unreachable", { max: 1 });
    setDbHandle(down);
    try {
      await api("POST", ev, { token: all, body: { events: [makeEvent(orgId)] } });
      await api("POST", flags, { token: all, body: { orgId, category: "spam", severity: "low", restrict: false } });
      await api("GET", pol, { token: all });
      await api("GET", "/api/v1/removal-orders", { token: removal });
      await api("POST", done, { token: removal, body: report });
      await api("GET", `/api/v1/orgs/${orgId}/retention-decision?product=llm`, { token: all });
      await api("GET", "/api/v1/retention-policy/stream", { token: all });
    } finally {
      setDbHandle(real);
      await down.close();
    }

    const declared: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const status of Object.keys(op.responses)) if (status !== "500") declared.push(`${method.toUpperCase()} ${p} ${status}`);
      }
    }
    const missing = declared.filter((d) => !answered.has(d));
    expect(missing).toEqual([]);
  });
});
