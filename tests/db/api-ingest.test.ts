import crypto from "node:crypto";
import fc from "fast-check";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/lib/db";
import { projects, serviceTokens, usageEvents } from "@/lib/db/schema";
import { closeCacheListener } from "@/lib/db/listen";
import { rebuildRollups } from "@/lib/usage/rollups";
import { revokeServiceToken } from "@/lib/tokens/tokens";
import { setRateLimits } from "@/lib/api/rate-limit";
import { testDbKind, withFreshDatabase } from "../helpers/db";
import { api, makeEvent, makeOrg, makeToken, SYSTEM, type EventInput } from "../helpers/api";

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());

let db: Db;
let orgId: string;
let writer: string;
let reader: string;

beforeAll(async () => {
  db = fresh.handle().db;
  orgId = await makeOrg(db, { timeZone: "America/New_York" });
  writer = (await makeToken(db, ["usage:write"])).token;
  reader = (await makeToken(db, ["policy:read"])).token;
});

const ingest = (events: unknown[], token = writer) => api("POST", "/api/v1/usage/events", { token, body: { events } });

async function count(where = orgId): Promise<number> {
  const [row] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from usage_events where org_id = ${where}`);
  return Number(row.n);
}

/** Rollups as text, so both drivers and both grains compare exactly. */
async function rollupSnapshot(org: string): Promise<{ hourly: string[]; daily: string[] }> {
  const cols = sql.raw(`product::text, model, api_key_id, project_id, requests::text, errors::text, input_units::text, output_units::text,
    latency_ms_sum::text, latency_hist::text`);
  const hourly = await queryRows<Record<string, string>>(
    db,
    sql`select to_char(hour at time zone 'UTC', 'YYYY-MM-DD HH24') as k, ${cols} from usage_rollups_hourly where org_id = ${org}`,
  );
  const daily = await queryRows<Record<string, string>>(db, sql`select day::text as k, ${cols} from usage_rollups_daily where org_id = ${org}`);
  const line = (r: Record<string, string>) => Object.values(r).join("|");
  return { hourly: hourly.map(line).sort(), daily: daily.map(line).sort() };
}

describe(`usage ingest on ${testDbKind}`, () => {
  it("stores a batch and answers with its counts", async () => {
    const events = [makeEvent(orgId), makeEvent(orgId, { apiKeyId: undefined }), makeEvent(orgId, { status: "server_error", product: "text_to_speech" })];
    const res = await ingest(events);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, conflicts: [] });
    const [stored] = await db.select().from(usageEvents).where(eq(usageEvents.id, events[2].id));
    expect(stored).toMatchObject({ orgId, product: "text_to_speech", status: "server_error", inputUnits: events[2].inputUnits });
  });

  it("counts a replayed batch once", async () => {
    const events = Array.from({ length: 20 }, () => makeEvent(orgId));
    const before = await count();
    expect(await (await ingest(events)).json()).toEqual({ accepted: 20, duplicates: 0, conflicts: [] });
    expect(await (await ingest(events)).json()).toEqual({ accepted: 0, duplicates: 20, conflicts: [] });
    expect(await count()).toBe(before + 20);
  });

  it("counts an overlapping batch's known ids as duplicates and stores the new ones", async () => {
    const first = Array.from({ length: 10 }, () => makeEvent(orgId));
    const second = [...first.slice(5), ...Array.from({ length: 7 }, () => makeEvent(orgId))];
    const before = await count();
    await ingest(first);
    expect(await (await ingest(second)).json()).toEqual({ accepted: 7, duplicates: 5, conflicts: [] });
    expect(await count()).toBe(before + 17);
  });

  it("reports a known id sent with different fields as a conflict and keeps the stored event", async () => {
    const original = makeEvent(orgId, { inputUnits: 100 });
    await ingest([original]);
    const changed = { ...original, inputUnits: 999 };
    const fresh1 = makeEvent(orgId);
    const body = await (await ingest([changed, fresh1, { ...fresh1 }])).json();
    expect(body).toEqual({ accepted: 1, duplicates: 1, conflicts: [original.id] });
    const [stored] = await db.select().from(usageEvents).where(eq(usageEvents.id, original.id));
    expect(stored.inputUnits).toBe(100);
  });

  it("a same id twice in one batch with different fields is one event and one conflict", async () => {
    const a = makeEvent(orgId);
    const body = await (await ingest([a, { ...a, latencyMs: a.latencyMs + 1 }])).json();
    expect(body).toEqual({ accepted: 1, duplicates: 0, conflicts: [a.id] });
  });

  it("a batch with one bad event stores nothing", async () => {
    const before = await count();
    const good = Array.from({ length: 50 }, () => makeEvent(orgId));
    const bads: [string, Record<string, unknown>, string][] = [
      ["unknown field", { ...makeEvent(orgId), prompt: "hello" }, "$.events[37].prompt"],
      ["wrong type", { ...makeEvent(orgId), inputUnits: "12" }, "$.events[37].inputUnits"],
      ["negative units", { ...makeEvent(orgId), outputUnits: -1 }, "$.events[37].outputUnits"],
      ["unknown product", { ...makeEvent(orgId), product: "telepathy" }, "$.events[37].product"],
      ["missing field", (({ status, ...rest }) => (void status, rest))(makeEvent(orgId)), "$.events[37].status"],
      ["future timestamp", makeEvent(orgId, { occurredAt: new Date(Date.now() + 3600_000).toISOString() }), "$.events[37].occurredAt"],
      ["unknown org", makeEvent(crypto.randomUUID()), "$.events[37].orgId"],
      ["free text as model", makeEvent(orgId, { model: "summarise this patient note" }), "$.events[37].model"],
    ];
    for (const [why, bad, path] of bads) {
      const events = [...good.slice(0, 37), bad, ...good.slice(37)];
      const res = await ingest(events);
      expect(res.status, why).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = await res.json();
      expect(
        problem.errors.map((e: { path: string }) => e.path),
        why,
      ).toEqual([path]);
    }
    expect(await count()).toBe(before);
  });

  it("lists every offending path of every event, and the fields of the batch itself", async () => {
    const res = await ingest([{ ...makeEvent(orgId), text: "x", audio: "y" }, makeEvent(orgId), { ...makeEvent(orgId), transcript: "z" }]);
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path).sort();
    expect(paths).toEqual(["$.events[0].audio", "$.events[0].text", "$.events[2].transcript"]);
    const top = await api("POST", "/api/v1/usage/events", { token: writer, body: { events: [makeEvent(orgId)], note: "n" } });
    expect((await top.json()).errors).toEqual([{ path: "$.note", problem: expect.stringContaining("unknown field") }]);
  });

  it("refuses an empty batch, a batch over 5,000 events, a body that is not JSON", async () => {
    expect((await ingest([])).status).toBe(400);
    const big = await ingest(Array.from({ length: 5001 }, () => ({ id: "x" })));
    expect(big.status).toBe(400);
    expect((await big.json()).errors[0].path).toBe("$.events");
    const notJson = await api("POST", "/api/v1/usage/events", { token: writer, rawBody: '{"events": [' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).detail).toBe("body: not valid JSON");
  });

  it("answers 413 to a body over 2 MiB before parsing it", async () => {
    const before = await count();
    const filler = "a".repeat(2 * 1024 * 1024);
    const res = await api("POST", "/api/v1/usage/events", { token: writer, rawBody: `{"events":[],"pad":"${filler}"}` });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    // Without a Content-Length the stream is counted as it arrives.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024 * 1024)));
        c.close();
      },
    });
    const { POST } = await import("@/app/api/v1/usage/events/route");
    const streamed = await POST(
      new Request("http://localhost/api/v1/usage/events", {
        method: "POST",
        headers: { authorization: `Bearer ${writer}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit),
      { params: Promise.resolve({}) },
    );
    expect(streamed.status).toBe(413);
    expect(await count()).toBe(before);
  });

  it("refuses a missing, malformed or unknown token with 401 and a token without the scope with 403", async () => {
    const events = [makeEvent(orgId)];
    const missing = await api("POST", "/api/v1/usage/events", { body: { events } });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await ingest(events, "zdr_st_" + "A".repeat(43))).status).toBe(401);
    expect((await ingest(events, "not-a-token")).status).toBe(401);
    expect((await api("POST", "/api/v1/usage/events", { body: { events }, headers: { authorization: `Basic ${writer}` } })).status).toBe(401);
    const wrongScope = await ingest(events, reader);
    expect(wrongScope.status).toBe(403);
    expect((await wrongScope.json()).detail).toContain("usage:write");
    expect(await count()).toBeGreaterThan(0);
    const [row] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from usage_events where id = ${events[0].id}`);
    expect(row.n).toBe("0");
  });

  it("refuses a revoked token on its very next request, though it was just used (and cached)", async () => {
    const t = await makeToken(db, ["usage:write"]);
    expect((await ingest([makeEvent(orgId)], t.token)).status).toBe(200);
    await revokeServiceToken(SYSTEM, { tokenId: t.id }, db);
    expect((await ingest([makeEvent(orgId)], t.token)).status).toBe(401);
  });

  it("records when a token was last used, and stores only its hash", async () => {
    const t = await makeToken(db, ["usage:write"]);
    await ingest([makeEvent(orgId)], t.token);
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await db.select().from(serviceTokens).where(eq(serviceTokens.id, t.id));
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    const dump = await queryRows<{ t: string }>(db, sql`select row_to_json(s)::text as t from service_tokens s`);
    expect(dump.some((r) => r.t.includes(t.token))).toBe(false);
    expect(dump.some((r) => r.t.includes(t.token.slice(7)))).toBe(false);
  });

  it("limits each token's rate with 429 and Retry-After", async () => {
    setRateLimits({ ingest: { perSecond: 1, burst: 2 } });
    try {
      const t = await makeToken(db, ["usage:write"]);
      const other = await makeToken(db, ["usage:write"]);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await ingest([makeEvent(orgId)], t.token)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await ingest([makeEvent(orgId)], t.token);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await limited.json()).code).toBe("rate_limited");
      // The limit is the token's own: another token is not affected.
      expect((await ingest([makeEvent(orgId)], other.token)).status).toBe(200);
    } finally {
      setRateLimits({});
    }
  });

  it("rollup totals equal the raw events after random batches, replays and conflicts (property)", async () => {
    const zones = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "Europe/London"];
    const day = 24 * 3600_000;
    const base = Date.now() - 40 * day;
    const eventArb = fc.record({
      offsetMs: fc.integer({ min: 0, max: 40 * day }),
      product: fc.constantFrom("llm", "text_to_speech", "speech_to_text", "dubbing"),
      model: fc.constantFrom("m-a", "m-b"),
      apiKeyId: fc.constantFrom(undefined, null, "k1", "k2"),
      project: fc.constantFrom(undefined, null, 0, 1),
      status: fc.constantFrom("ok", "ok", "client_error", "server_error"),
      inputUnits: fc.integer({ min: 0, max: 1_000_000 }),
      outputUnits: fc.integer({ min: 0, max: 100_000 }),
      latencyMs: fc.integer({ min: 0, max: 70_000 }),
    });
    const batchArb = fc.record({
      fresh: fc.array(eventArb, { minLength: 1, maxLength: 30 }),
      replays: fc.integer({ min: 0, max: 10 }),
      conflicts: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...zones), fc.array(batchArb, { minLength: 1, maxLength: 4 }), async (timeZone, batches) => {
        const org = await makeOrg(db, { timeZone });
        const projectIds = (
          await db
            .insert(projects)
            .values([
              { orgId: org, name: "a" },
              { orgId: org, name: "b" },
            ])
            .returning({ id: projects.id })
        ).map((p) => p.id);
        const sent: EventInput[] = [];
        let expectedStored = 0;
        for (const b of batches) {
          const fresh2 = b.fresh.map(({ offsetMs, project, ...e }) =>
            makeEvent(org, {
              ...e,
              projectId: typeof project === "number" ? projectIds[project] : project,
              occurredAt: new Date(base + offsetMs).toISOString(),
            }),
          );
          const replays = sent.slice(0, b.replays);
          const conflicts = sent
            .slice(-b.conflicts || sent.length)
            .slice(0, b.conflicts)
            .map((e) => ({ ...e, outputUnits: e.outputUnits + 1 }));
          const res = await ingest([...fresh2, ...replays, ...conflicts]);
          expect(res.status).toBe(200);
          const body = await res.json();
          expect(body.accepted).toBe(fresh2.length);
          expect(body.duplicates + body.conflicts.length).toBe(replays.length + conflicts.length);
          sent.push(...fresh2);
          expectedStored += fresh2.length;
        }
        expect(await count(org)).toBe(expectedStored);
        const incremental = await rollupSnapshot(org);
        await db.transaction((tx) => rebuildRollups(tx, org));
        const rebuilt = await rollupSnapshot(org);
        expect(incremental).toEqual(rebuilt);
        const [totals] = await queryRows<{ raw: string; hourly: string; daily: string }>(
          db,
          sql`select (select count(*) from usage_events where org_id = ${org})::text as raw,
                     (select sum(requests) from usage_rollups_hourly where org_id = ${org})::text as hourly,
                     (select sum(requests) from usage_rollups_daily where org_id = ${org})::text as daily`,
        );
        expect(totals.hourly).toBe(totals.raw);
        expect(totals.daily).toBe(totals.raw);
        // Per project too ('' is "no project" in the rollups).
        const perProject = await queryRows<{ p: string; raw: string; hourly: string | null; daily: string | null }>(
          db,
          sql`select r.p, r.raw,
                     (select sum(requests)::text from usage_rollups_hourly h where h.org_id = ${org} and h.project_id = r.p) as hourly,
                     (select sum(requests)::text from usage_rollups_daily d where d.org_id = ${org} and d.project_id = r.p) as daily
              from (select coalesce(project_id::text, '') as p, count(*)::text as raw from usage_events where org_id = ${org} group by 1) r`,
        );
        for (const r of perProject) expect([r.p, r.hourly, r.daily]).toEqual([r.p, r.raw, r.raw]);
      }),
      { numRuns: testDbKind === "pglite" ? 12 : 20 },
    );
  });

  it("accepts a project of the event's org and refuses an unknown one or another org's, naming $.events[i].projectId", async () => {
    const other = await makeOrg(db);
    const [mine] = await db.insert(projects).values({ orgId, name: "mine" }).returning({ id: projects.id });
    const [theirs] = await db.insert(projects).values({ orgId: other, name: "theirs" }).returning({ id: projects.id });
    const before = await count();
    const res = await ingest([
      makeEvent(orgId, { projectId: mine.id }),
      makeEvent(orgId, { projectId: theirs.id }),
      makeEvent(orgId, { projectId: crypto.randomUUID() }),
    ]);
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(["$.events[1].projectId", "$.events[2].projectId"]);
    expect(JSON.stringify(problem)).not.toContain(theirs.id);
    expect(await count()).toBe(before);
    expect((await ingest([makeEvent(orgId, { projectId: mine.id })])).status).toBe(200);
    const [stored] = await queryRows<{ n: string }>(db, sql`select count(*)::text as n from usage_events where project_id = ${mine.id}`);
    expect(stored.n).toBe("1");
  });

  it("concurrent overlapping batches count each id exactly once", async () => {
    const org = await makeOrg(db);
    const pool = Array.from({ length: 300 }, () => makeEvent(org));
    const batches = Array.from({ length: 6 }, (_, i) => pool.slice(i * 40, i * 40 + 120));
    const answers = await Promise.all(batches.map((b) => ingest(b).then((r) => r.json())));
    const accepted = answers.reduce((a, b) => a + b.accepted, 0);
    expect(answers.every((a) => a.conflicts.length === 0)).toBe(true);
    expect(accepted).toBe(new Set(batches.flat().map((e) => e.id)).size);
    expect(await count(org)).toBe(accepted);
    const before = await rollupSnapshot(org);
    await db.transaction((tx) => rebuildRollups(tx, org));
    expect(await rollupSnapshot(org)).toEqual(before);
  });
});
