/**
 * The retention-policy stream and the fleet client on it, against the real
 * route handlers and the file's database: a change reaches a connected
 * client; a reconnect with Last-Event-ID misses nothing; a client cut off
 * goes stale and fails closed within its bound.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as streamRoute } from "@/app/api/v1/retention-policy/stream/route";
import { GET as policyRoute } from "@/app/api/v1/orgs/[orgId]/retention-policy/route";
import { queryRows, type Db } from "@/lib/db";
import type { ServicePrincipal } from "@/lib/auth/principal";
import { cacheListener, closeCacheListener } from "@/lib/db/listen";
import { restrictOrganization } from "@/lib/retention/service";
import { createRetentionClient } from "@/packages/fleet-client/src/index";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { makeOrg, makeToken } from "../helpers/api";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let reader: string;
const moderator: ServicePrincipal = { kind: "service", tokenId: "00000000-0000-4000-8000-0000000000aa", name: "moderation", scopes: ["moderation:write"] };

beforeAll(async () => {
  db = fresh.handle().db;
  reader = (await makeToken(db, ["policy:read"])).token;
  await cacheListener(fresh.handle()).ready;
});

/** The fleet's fetch, answered in process by the route handlers; `cut()` drops every stream and refuses new connections. */
function inProcessFetch() {
  const streams = new Set<AbortController>();
  const state = { down: false, streamRequests: 0, lastEventIds: [] as (string | null)[] };
  const fetchFn = (async (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => {
    if (state.down) throw new TypeError("connection refused");
    const u = new URL(url);
    const headers = init?.headers ?? {};
    if (u.pathname === "/api/v1/retention-policy/stream") {
      state.streamRequests++;
      state.lastEventIds.push(headers["last-event-id"] ?? null);
      const ac = new AbortController();
      streams.add(ac);
      init?.signal?.addEventListener("abort", () => ac.abort());
      return streamRoute(new Request(url, { headers, signal: ac.signal }), { params: Promise.resolve({}) });
    }
    const m = /^\/api\/v1\/orgs\/([^/]+)\/retention-policy$/.exec(u.pathname);
    if (!m) return new Response("no route", { status: 404 });
    return policyRoute(new Request(url, { headers }), { params: Promise.resolve({ orgId: m[1] }) });
  }) as unknown as typeof fetch;
  const cut = () => {
    state.down = true;
    for (const ac of streams) ac.abort();
    streams.clear();
  };
  const restore = () => {
    state.down = false;
  };
  return { fetchFn, cut, restore, state };
}

async function until(ok: () => boolean, ms: number): Promise<number> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

/** Reads a stream's events until `stop` says enough (or the time is up). */
async function readEvents(res: Response, stop: (events: { event: string; id: string | null; data: string }[]) => boolean, ms = 3000) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; id: string | null; data: string }[] = [];
  let buffer = "";
  const deadline = Date.now() + ms;
  while (!stop(events) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const e = { event: "message", id: null as string | null, data: "" };
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) e.event = line.slice(7);
        else if (line.startsWith("id: ")) e.id = line.slice(4);
        else if (line.startsWith("data: ")) e.data = line.slice(6);
      }
      if (e.event !== "message") events.push(e);
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

const open = (lastEventId?: string) => {
  const headers: Record<string, string> = { authorization: `Bearer ${reader}` };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  const ac = new AbortController();
  const res = streamRoute(new Request("http://localhost/api/v1/retention-policy/stream", { headers, signal: ac.signal }), { params: Promise.resolve({}) });
  return { res, ac };
};

describe(`retention-policy stream on ${testDbKind}`, () => {
  it("needs a token with policy:read, and a Last-Event-ID that is a number", async () => {
    const none = await streamRoute(new Request("http://localhost/api/v1/retention-policy/stream"), { params: Promise.resolve({}) });
    expect(none.status).toBe(401);
    const writer = (await makeToken(db, ["usage:write"])).token;
    const wrong = await streamRoute(new Request("http://localhost/api/v1/retention-policy/stream", { headers: { authorization: `Bearer ${writer}` } }), {
      params: Promise.resolve({}),
    });
    expect(wrong.status).toBe(403);
    const { res } = open("abc");
    const bad = await res;
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Last-Event-ID");
  });

  it("a change reaches a connected client, which decides from the new policy at once", async () => {
    const org = await makeOrg(db);
    const f = inProcessFetch();
    const client = createRetentionClient({ baseUrl: "http://localhost", token: reader, staleAfterMs: 5000, refreshMs: 60_000, fetch: f.fetchFn });
    try {
      await until(() => client.streaming(), 3000);
      await client.sync(org);
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "zdr_all_requests", 2000);
      const started = performance.now();
      await restrictOrganization(moderator, { orgId: org, reason: "automated_flag", note: "stream test" }, db);
      // Polling is every 60 s here: only the stream can tell the client this fast.
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "restricted", 2000);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(client.decide({ orgId: org, product: "llm" })).toMatchObject({ keepContent: true, zeroRetention: false });
      expect(client.lastEventId()).toMatch(/^\d+$/);
    } finally {
      client.close();
    }
  });

  it("a reconnect with Last-Event-ID misses nothing committed while it was away", async () => {
    const orgs = [await makeOrg(db), await makeOrg(db), await makeOrg(db)];
    const first = open();
    const ready = await readEvents(await first.res, (e) => e.some((x) => x.event === "ready"));
    first.ac.abort();
    const cursor = ready.find((x) => x.event === "ready")!.id!;
    for (const orgId of orgs) await restrictOrganization(moderator, { orgId, reason: "automated_flag", note: "while away" }, db);

    const again = open(cursor);
    const events = await readEvents(await again.res, (e) => e.some((x) => x.event === "ready"));
    again.ac.abort();
    const changed = events.filter((x) => x.event === "change").map((x) => JSON.parse(x.data).orgId);
    for (const orgId of orgs) expect(changed).toContain(orgId);
    // Each numbered after the cursor (a change sent live while the replay runs may come twice: clients are idempotent).
    const ids = [...new Set(events.filter((x) => x.event === "change" && Number(x.id) > Number(cursor)).map((x) => Number(x.id)))];
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });

  it("the client resumes with its Last-Event-ID after a cut and hears what happened meanwhile", async () => {
    const org = await makeOrg(db);
    const f = inProcessFetch();
    const client = createRetentionClient({ baseUrl: "http://localhost", token: reader, staleAfterMs: 3000, refreshMs: 60_000, fetch: f.fetchFn });
    try {
      await until(() => client.streaming(), 3000);
      await client.sync(org);
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "zdr_all_requests", 2000);
      const seen = client.lastEventId();
      f.cut();
      await restrictOrganization(moderator, { orgId: org, reason: "automated_flag", note: "during the cut" }, db);
      f.restore();
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "restricted", 8000);
      expect(f.state.lastEventIds.at(-1)).not.toBeNull();
      expect(Number(f.state.lastEventIds.at(-1))).toBeGreaterThanOrEqual(Number(seen));
    } finally {
      client.close();
    }
  });

  it("a client cut off goes stale and fails closed within its bound", async () => {
    const org = await makeOrg(db);
    const f = inProcessFetch();
    const staleAfterMs = 1500;
    const client = createRetentionClient({ baseUrl: "http://localhost", token: reader, staleAfterMs, refreshMs: 60_000, fetch: f.fetchFn });
    try {
      await until(() => client.streaming(), 3000);
      await client.sync(org);
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "zdr_all_requests", 2000);
      f.cut();
      const cutAt = performance.now();
      await until(() => client.decide({ orgId: org, product: "llm" }).reason === "policy_unavailable", staleAfterMs + 1000);
      const waited = performance.now() - cutAt;
      expect(waited).toBeLessThanOrEqual(staleAfterMs + 500);
      expect(client.decide({ orgId: org, product: "llm", enableLogging: false })).toMatchObject({ keepContent: false, reason: "policy_unavailable" });
      expect(client.streaming()).toBe(false);
    } finally {
      client.close();
    }
  });

  it("every change of an org's retention state is numbered in its own transaction, and a rolled-back one is not", async () => {
    const org = await makeOrg(db);
    const count = async () => Number((await queryRows<{ n: number }>(db, sql`select count(*)::int as n from policy_changes where org_id = ${org}`))[0].n);
    const before = await count();
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`update retention_states set cache_window_seconds = 10 where org_id = ${org}`);
        tx.rollback();
      })
      .catch(() => undefined);
    expect(await count()).toBe(before);
    await db.execute(sql`update retention_states set cache_window_seconds = 10 where org_id = ${org}`);
    expect(await count()).toBe(before + 1);
  });
});
