/**
 * The usage store contract: the same suite on every store. On the pglite
 * project it runs the PostgreSQL store on PGlite and the ClickHouse store on
 * embedded chDB (control plane on PGlite); on the postgres project the
 * PostgreSQL store on PostgreSQL. The reference is a model kept in the test:
 * every accepted event, once, so "the dashboard equals a count over the raw
 * events" is checked against what was sent, not against the store itself.
 *
 * chDB is installed on demand (scripts/ensure-chdb.sh); `npm test` installs it
 * and sets CHDB_REQUIRED=1, so there the ClickHouse variant cannot be skipped.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/lib/db";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { ServicePrincipal, UserPrincipal } from "@/lib/auth/principal";
import { postgresUsageStore, UsageUnavailableError, type UsageStore } from "@/lib/usage/store";
import { chdbInstallDir, openClickHouse, type ClickHouseHandle } from "@/lib/usage/clickhouse/client";
import { clickhouseUsageStore } from "@/lib/usage/clickhouse/store";
import { localDate } from "@/lib/usage/range";
import { CSV_SECTIONS, readUsageCsv } from "@/lib/usage/csv";
import { addUnits, emptyUnits, mergeUnits, type UnitTotals } from "@/lib/usage/units";
import type { UsageEventInput } from "@/lib/usage/ingest";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const chdbInstalled = fs.existsSync(path.join(chdbInstallDir(), "node_modules", "chdb", "package.json"));
if (process.env.CHDB_REQUIRED === "1" && testDbKind === "pglite" && !chdbInstalled) {
  throw new Error("CHDB_REQUIRED=1 but the embedded ClickHouse engine is missing: run bash scripts/ensure-chdb.sh");
}

const fleet: ServicePrincipal = { kind: "service", tokenId: "contract", name: "contract test", scopes: ["usage:write"] };
const PRODUCTS = ["llm", "text_to_speech", "speech_to_text"] as const;
const KEYS = ["key_a", "key_b", null] as const;

type Variant = { name: string; make: () => Promise<{ store: UsageStore; relay: () => Promise<void>; close: () => Promise<void> }> };

const variants: Variant[] = [
  { name: `postgres store on ${testDbKind}`, make: async () => ({ store: postgresUsageStore, relay: async () => {}, close: async () => {} }) },
];
if (testDbKind === "pglite" && chdbInstalled) {
  variants.push({
    name: "clickhouse store on embedded chDB",
    make: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-chdb-"));
      const h: ClickHouseHandle = openClickHouse({ dataDir: dir });
      const store = clickhouseUsageStore({ clickhouse: () => h, relayAfterIngest: false });
      await store.migrate();
      return {
        store,
        relay: async () => {
          await store.relay();
        },
        close: async () => {
          await h.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
}

const now = new Date();
const DAY = 86_400_000;

function event(over: Partial<UsageEventInput> & { orgId: string }): UsageEventInput {
  return {
    id: crypto.randomUUID(),
    occurredAt: new Date(now.getTime() - 3 * DAY).toISOString(),
    product: "llm",
    model: "gpt-demo",
    inputUnits: 10,
    outputUnits: 20,
    status: "ok",
    latencyMs: 120,
    apiKeyId: "key_a",
    zeroRetention: true,
    ...over,
  };
}

for (const variant of variants) {
  describe(`usage store contract: ${variant.name}`, () => {
    const db = withFreshDatabase();
    let store: UsageStore;
    let relay: () => Promise<void>;
    let close: () => Promise<void> = async () => {};
    let admin: UserPrincipal;
    let orgId: string;
    let timeZone: string;
    /** Every accepted event, once: the reference. */
    const model = new Map<string, UsageEventInput>();

    beforeAll(async () => {
      await seedDemoWorld(db.handle().db, { usage: false });
      admin = (await loadUserPrincipalByEmail(db.handle().db, "admin@northwind.example"))!;
      orgId = admin.orgId!;
      const [org] = await queryRows<{ time_zone: string }>(db.handle().db, sql`select time_zone from organizations where id = ${orgId}`);
      timeZone = org.time_zone;
      ({ store, relay, close } = await variant.make());
    });
    afterAll(async () => close());

    async function ingest(events: UsageEventInput[]) {
      const r = await store.ingest(fleet, { events }, db.handle().db);
      const conflicts = new Set(r.conflicts);
      for (const e of events) if (!model.has(e.id) && !conflicts.has(e.id)) model.set(e.id, e);
      await relay();
      return r;
    }

    /** The model's totals over a day-grain window of the org's calendar. */
    function expected(from: string, to: string, pick: (e: UsageEventInput) => boolean = () => true) {
      let requests = 0;
      let errors = 0;
      let inputUnits = 0;
      const units = emptyUnits();
      for (const e of model.values()) {
        const d = localDate(new Date(e.occurredAt), timeZone);
        if (d < from || d > to || !pick(e)) continue;
        requests++;
        if (e.status !== "ok") errors++;
        inputUnits += e.inputUnits;
        addUnits(units, e.product, e.inputUnits, e.outputUnits);
      }
      return { requests, errors, inputUnits, units };
    }

    async function check90d() {
      const d = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      const w = d.context.range.current;
      const want = expected(w.from, w.to);
      expect({
        requests: d.totals.current.requests,
        errors: d.totals.current.errors,
        inputUnits: d.totals.current.inputUnits,
        units: d.totals.current.units,
      }).toEqual(want);
      // Amounts per unit add up the same way in the series and in every breakdown: never across units.
      const sum = (us: UnitTotals[]) => us.reduce((a, u) => mergeUnits(a, u), emptyUnits());
      expect(sum(d.series.map((p) => p.units))).toEqual(want.units);
      for (const dim of ["product", "model", "apiKey", "project"] as const) expect(sum(d.breakdowns[dim].map((r) => r.units))).toEqual(want.units);
      expect(d.series.reduce((a, p) => a + p.requests, 0)).toBe(want.requests);
      for (const p of d.series) expect(p.requests).toBe(expected(p.bucket, p.bucket).requests);
      for (const dim of ["product", "model", "apiKey"] as const) expect(d.breakdowns[dim].reduce((a, r) => a + r.requests, 0)).toBe(want.requests);
      return d;
    }

    it("a replay is counted as duplicates, a changed id is a conflict and the stored event is kept", async () => {
      const events = [event({ orgId }), event({ orgId, status: "server_error" }), event({ orgId, apiKeyId: "key_b" })];
      expect(await ingest(events)).toEqual({ accepted: 3, duplicates: 0, conflicts: [] });
      expect(await ingest(events)).toEqual({ accepted: 0, duplicates: 3, conflicts: [] });
      const changed = { ...events[0], inputUnits: 999 };
      expect(await ingest([changed, events[1]])).toEqual({ accepted: 0, duplicates: 1, conflicts: [changed.id] });
      const d = await check90d();
      expect(d.totals.current.inputUnits).toBe(30);
    });

    it("firstDay is the org's first calendar day with usage, null for an org with none", async () => {
      const days = [...model.values()].map((e) => localDate(new Date(e.occurredAt), timeZone)).sort();
      expect(await store.firstDay(orgId, db.handle().db)).toBe(days[0]);
      const [other] = await queryRows<{ id: string }>(db.handle().db, sql`select id from organizations where id <> ${orgId} order by slug limit 1`);
      expect(await store.firstDay(other.id, db.handle().db)).toBeNull();
    });

    it("an overlapping batch counts the overlap once, and a repeat inside one batch is a duplicate", async () => {
      const a = [event({ orgId }), event({ orgId })];
      const b = event({ orgId });
      expect(await ingest(a)).toMatchObject({ accepted: 2 });
      expect(await ingest([a[1], b, b])).toEqual({ accepted: 1, duplicates: 2, conflicts: [] });
      await check90d();
    });

    it("rollups equal the raw events for any batches, replays and overlaps (property)", async () => {
      const arb = fc.array(
        fc.record({
          ageMs: fc.integer({ min: 0, max: 85 * DAY }),
          product: fc.constantFrom(...PRODUCTS),
          key: fc.constantFrom(...KEYS),
          status: fc.constantFrom("ok", "ok", "client_error", "server_error"),
          latencyMs: fc.integer({ min: 0, max: 70_000 }),
          inputUnits: fc.integer({ min: 0, max: 5000 }),
        }),
        { minLength: 1, maxLength: 40 },
      );
      await fc.assert(
        fc.asyncProperty(arb, fc.integer({ min: 1, max: 4 }), async (draws, chunks) => {
          const events = draws.map((x) =>
            event({
              orgId,
              occurredAt: new Date(now.getTime() - x.ageMs).toISOString(),
              product: x.product,
              apiKeyId: x.key,
              status: x.status as UsageEventInput["status"],
              latencyMs: x.latencyMs,
              inputUnits: x.inputUnits,
            }),
          );
          // Overlapping chunks: each repeats the last event of the one before.
          const size = Math.ceil(events.length / chunks);
          for (let i = 0; i < events.length; i += size) await ingest(events.slice(Math.max(0, i - 1), i + size));
          await check90d();
        }),
        { numRuns: store.kind === "clickhouse" ? 6 : 12 },
      );
    });

    it("the 24h series is hourly and adds up to the totals; p95 comes from the rollups", async () => {
      await ingest([event({ orgId, occurredAt: new Date(now.getTime() - 3_600_000).toISOString(), latencyMs: 900 })]);
      const t = await store.totals(admin, { orgId, range: { key: "24h" }, now }, db.handle().db);
      const s = await store.series(admin, { orgId, range: { key: "24h" }, now }, db.handle().db);
      expect(s.points.length).toBe(24);
      expect(s.points.reduce((a, p) => a + p.requests, 0)).toBe(t.current.requests);
      const within = [...model.values()].filter(
        (e) => Date.parse(e.occurredAt) >= Date.parse(t.context.range.current.from) && Date.parse(e.occurredAt) < Date.parse(t.context.range.current.to),
      );
      expect(t.current.requests).toBe(within.length);
      expect(t.current.p95Ms).not.toBeNull();
    });

    it("the dashboard answers what totals, series and each breakdown answer, for hours and days, this period and the one before", async () => {
      const ages = [30 * 60_000, 5 * 3_600_000, 30 * 3_600_000, 3 * DAY, 40 * DAY, 100 * DAY, 150 * DAY];
      await ingest(
        ages.flatMap((age, i) => [
          event({ orgId, occurredAt: new Date(now.getTime() - age).toISOString(), apiKeyId: KEYS[i % KEYS.length], latencyMs: 100 * (i + 1) }),
          event({ orgId, occurredAt: new Date(now.getTime() - age - 1000).toISOString(), product: PRODUCTS[i % PRODUCTS.length], status: "server_error" }),
        ]),
      );
      for (const key of ["24h", "90d"] as const) {
        const args = { orgId, range: { key }, now };
        const d = await store.dashboard(admin, args, db.handle().db);
        const t = await store.totals(admin, args, db.handle().db);
        const s = await store.series(admin, args, db.handle().db);
        expect(d.totals).toEqual({ current: t.current, previous: t.previous, change: t.change });
        expect(d.totals.previous.requests).toBeGreaterThan(0);
        expect(d.series).toEqual(s.points);
        for (const dimension of ["product", "model", "apiKey"] as const) {
          const b = await store.breakdown(admin, { ...args, dimension }, db.handle().db);
          expect(d.breakdowns[dimension]).toEqual(b.rows);
        }
      }
    });

    it("the CSV holds the dashboard's numbers", async () => {
      const d = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      const text = await new Response(await store.csv(admin, { orgId, range: { key: "90d" }, now }, db.handle().db)).text();
      const csv = readUsageCsv(text);
      const totals = csv.get(CSV_SECTIONS.totals)!;
      const current = totals.rows.find((r) => r[0] === "current")!;
      expect(Number(current[totals.header.indexOf("requests")])).toBe(d.totals.current.requests);
      expect(csv.get(CSV_SECTIONS.daily)!.rows.length).toBe(d.series.length);
    });

    it("another tenant cannot read the org's usage (404)", async () => {
      const member = (await loadUserPrincipalByEmail(db.handle().db, "member@contoso.example"))!;
      await expect(store.totals(member, { orgId, range: { key: "7d" }, now }, db.handle().db)).rejects.toMatchObject({ code: "not_found" });
    });

    it("a rebuild from the raw events changes nothing", async () => {
      const before = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      await store.rebuild(orgId, db.handle().db);
      const after = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      expect(after.totals).toEqual(before.totals);
      expect(after.series).toEqual(before.series);
    });

    it("removal by scope deletes the raw events of one API key in a range and the rollups follow", async () => {
      const scope = {
        orgId,
        fromAt: new Date(now.getTime() - 40 * DAY),
        toAt: new Date(now.getTime() - 10 * DAY),
        apiKeyId: "key_b",
        projectId: null,
        cutoffAt: null,
      };
      const inScope = (e: UsageEventInput) =>
        e.apiKeyId === "key_b" && Date.parse(e.occurredAt) >= scope.fromAt.getTime() && Date.parse(e.occurredAt) < scope.toAt.getTime();
      const want = [...model.values()].filter(inScope).length;
      expect(await store.countInScope(scope, db.handle().db)).toBe(want);
      const r = await store.removeScope(scope, db.handle().db);
      expect(r.eventsDeleted).toBe(want);
      for (const e of [...model.values()]) if (inScope(e)) model.delete(e.id);
      expect(await store.countInScope(scope, db.handle().db)).toBe(0);
      await check90d();
    });

    it("a purge deletes raw events older than the window and keeps the rollups", async () => {
      const cutoff = new Date(now.getTime() - 30 * DAY);
      const before = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      const old = [...model.values()].filter((e) => Date.parse(e.occurredAt) < cutoff.getTime()).length;
      expect(old).toBeGreaterThan(0);
      expect(await store.purgeBefore(orgId, cutoff, db.handle().db)).toBe(old);
      const scope = { orgId, fromAt: new Date("2000-01-01T00:00:00Z"), toAt: cutoff, apiKeyId: null, projectId: null, cutoffAt: null };
      expect(await store.countInScope(scope, db.handle().db)).toBe(0);
      const after = await store.dashboard(admin, { orgId, range: { key: "90d" }, now }, db.handle().db);
      expect(after.totals.current.requests).toBe(before.totals.current.requests);
    });

    if (variant.name.startsWith("clickhouse")) {
      it("ClickHouse unreachable: ingest still acknowledges (durable in PostgreSQL), reads say unavailable, and the relay delivers each event once", async () => {
        const down = clickhouseUsageStore({ clickhouse: () => openClickHouse({ url: "http://127.0.0.1:1/" }), relayAfterIngest: false });
        const events = [
          event({ orgId, occurredAt: new Date(now.getTime() - 2 * DAY).toISOString() }),
          event({ orgId, occurredAt: new Date(now.getTime() - 2 * DAY).toISOString() }),
        ];
        const r = await down.ingest(fleet, { events }, db.handle().db);
        expect(r).toEqual({ accepted: 2, duplicates: 0, conflicts: [] });
        for (const e of events) model.set(e.id, e);
        await expect(down.totals(admin, { orgId, range: { key: "7d" }, now }, db.handle().db)).rejects.toBeInstanceOf(UsageUnavailableError);
        await expect(down.relay(db.handle().db)).rejects.toBeInstanceOf(UsageUnavailableError);
        const lag = await store.freshness(db.handle().db);
        expect(lag.pendingEvents).toBe(2);
        expect(lag.asOf).not.toBeNull();
        // The replay while ClickHouse is down is still a duplicate: the ledger decides, not ClickHouse.
        expect(await down.ingest(fleet, { events }, db.handle().db)).toEqual({ accepted: 0, duplicates: 2, conflicts: [] });
        await relay();
        expect(await store.freshness(db.handle().db)).toEqual({ asOf: null, pendingEvents: 0 });
        await check90d();
      });

      it("a crash after ClickHouse took a batch but before PostgreSQL forgot it: the resend is dropped by its deduplication token", async () => {
        const events = [
          event({ orgId, occurredAt: new Date(now.getTime() - DAY).toISOString() }),
          event({ orgId, occurredAt: new Date(now.getTime() - DAY).toISOString() }),
        ];
        await store.ingest(fleet, { events }, db.handle().db);
        for (const e of events) model.set(e.id, e);
        // What the relay does, up to the insert; then "the process dies" before the batch row is deleted.
        const [b] = await queryRows<{ id: string; rows: unknown }>(db.handle().db, sql`select id, rows from usage_relay_batches order by id limit 1`);
        const rows = (typeof b.rows === "string" ? JSON.parse(b.rows) : b.rows) as Record<string, unknown>[];
        const ch = (store as ReturnType<typeof clickhouseUsageStore>).clickhouse();
        await ch.client.insert({
          table: "usage_events",
          values: rows.map((x) => ({ ...x, relay_batch: Number(b.id) })),
          format: "JSONEachRow",
          clickhouse_settings: { insert_deduplication_token: `usage-relay-${b.id}`, deduplicate_blocks_in_dependent_materialized_views: 1 },
        });
        await relay();
        expect(await store.freshness(db.handle().db)).toEqual({ asOf: null, pendingEvents: 0 });
        const [raw] = await (
          await ch.client.query({ query: `SELECT count() AS n FROM usage_events WHERE relay_batch = ${Number(b.id)}`, format: "JSONEachRow" })
        ).json<{ n: string }>();
        expect(Number(raw.n)).toBe(2);
        await check90d();
      });
    }
  });
}
