/**
 * The two usage stores side by side, in one run:
 * - ingest over HTTP into each (the production server, USAGE_STORE=postgres
 *   and USAGE_STORE=clickhouse on embedded chDB, each on a database of its
 *   own, the same generated batches of 1,000, concurrency 2); for ClickHouse
 *   the clock runs until the relay has made every accepted event readable;
 * - the 90-day dashboard read (the /usage data work, in process) of one org
 *   with N events in PostgreSQL's rollups and 10 x N in ClickHouse's,
 *   generated inside each engine (generate_series, numbers()), not over HTTP;
 * - bytes on disk per million events of those generated sets.
 *
 * Sizes: BENCH_STORES_PG_EVENTS (default 1,000,000; BENCH_QUICK 100,000) and
 * BENCH_STORES_CH_EVENTS (default 10 x that). BENCH_STORES_PG_EVENTS=10000000
 * runs the 10M vs 100M: about 15 minutes on the 2-core machine and
 * 4 GB of disk (chDB generates 5M events, with both rollups, in about 20 s).
 * A read costs a scan of rollup rows, bounded by days x products x models x
 * keys, and in ClickHouse by the parts not yet merged: the read is measured
 * as inserted and again after OPTIMIZE … FINAL. ClickHouse is skipped
 * without chDB (scripts/ensure-chdb.sh).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { adminSql } from "@/lib/db/admin";
import { openPostgres, queryRows, type DbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import type { UserPrincipal } from "@/lib/auth/principal";
import { createServiceToken } from "@/lib/tokens/tokens";
import { rebuildRollups } from "@/lib/usage/rollups";
import { postgresUsageStore, type UsageStore } from "@/lib/usage/store";
import { chdbInstallDir, openClickHouse, type ClickHouseHandle } from "@/lib/usage/clickhouse/client";
import { clickhouseUsageStore } from "@/lib/usage/clickhouse/store";
import { generateEvents as generatePgEvents, settle } from "../usage";
import { createOrgs, generateEvents } from "../lib/generate";
import { runLoad } from "../lib/http-load";
import { startServer } from "../lib/server";
import { percentile, round } from "../lib/stats";
import type { BenchContext, Benchmark, BenchRow } from "../lib/types";

const PORT = Number(process.env.BENCH_PORT ?? 3101) + 4;
const MIB = 2 ** 20;

function serverUrl(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function freshDatabase(ctx: BenchContext, label: string): Promise<{ handle: DbHandle; url: string; drop(): Promise<void> }> {
  const name = `zdr_bench_stores_${label}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = serverUrl(ctx.url, "postgres");
  await adminSql(admin, `create database ${name}`);
  const url = serverUrl(ctx.url, name);
  const handle = { ...openPostgres(url, { max: 4 }), url } as DbHandle;
  await migrateDatabase(handle);
  return {
    handle,
    url,
    async drop() {
      await handle.close();
      await adminSql(admin, `drop database if exists ${name} with (force)`);
    },
  };
}

/** HTTP ingest of `total` events into the server's store; for ClickHouse, until the relay has drained. */
async function ingestOverHttp(
  ctx: BenchContext,
  label: "postgres" | "clickhouse",
  total: number,
): Promise<{ rate: number; p50: number; p99: number; ledgerBytesPerEvent: number }> {
  const fresh = await freshDatabase(ctx, label);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `zdr-bench-${label}-`));
  let server: { stop(): void } | undefined;
  try {
    const db = fresh.handle.db;
    const orgIds = await createOrgs(db, 50, `stores-${label}`);
    const { token } = await createServiceToken({ kind: "system", name: "bench" }, { name: "bench stores", scopes: ["usage:write"] }, db);
    const s = await startServer({
      url: fresh.url,
      port: PORT + (label === "postgres" ? 0 : 1),
      log: ctx.log,
      env: { USAGE_STORE: label, DATA_DIR: dataDir },
    });
    server = s;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const drained = async () => {
      for (;;) {
        const [r] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_relay_batches`);
        if (Number(r.n) === 0) return;
        await new Promise((res) => setTimeout(res, 20));
      }
    };
    const warm = generateEvents(orgIds, 5000);
    for (let i = 0; i < warm.length; i += 1000) {
      await runLoad({
        baseUrl: s.base,
        concurrency: 1,
        total: 1,
        next: () => ({ method: "POST", path: "/api/v1/usage/events", headers, body: JSON.stringify({ events: warm.slice(i, i + 1000) }) }),
      });
    }
    await drained();
    const events = generateEvents(orgIds, total);
    const bodies: Buffer[] = [];
    for (let i = 0; i < events.length; i += 1000) bodies.push(Buffer.from(JSON.stringify({ events: events.slice(i, i + 1000) })));
    const t0 = performance.now();
    const http = await runLoad({
      baseUrl: s.base,
      concurrency: 2,
      total: bodies.length,
      keepBodies: true,
      next: (i) => ({ method: "POST", path: "/api/v1/usage/events", headers, body: bodies[i] }),
    });
    await drained();
    const seconds = (performance.now() - t0) / 1000;
    const accepted = http.bodies!.reduce((a, b) => a + (JSON.parse(b).accepted ?? 0), 0);
    if (accepted !== total) throw new Error(`${label}: ingest answered ${JSON.stringify([...http.statuses])}, accepted ${accepted} of ${total}`);
    let ledgerBytesPerEvent = 0;
    if (label === "clickhouse") {
      // The ledger alone: the relay's batches are gone once delivered (their dead rows are vacuum's).
      await fresh.handle.pool!.query("vacuum analyze usage_ledger");
      const [l] = await queryRows<{ b: number; n: number }>(
        db,
        sql`select pg_total_relation_size('usage_ledger')::float8 as b, (select count(*) from usage_ledger)::float8 as n`,
      );
      if (Number(l.n) !== total + warm.length) throw new Error(`clickhouse: the ledger holds ${l.n} of ${total + warm.length}`);
      ledgerBytesPerEvent = Number(l.b) / Number(l.n);
    } else {
      const [c] = await queryRows<{ raw: number; daily: number }>(
        db,
        sql`select (select count(*) from usage_events)::float8 as raw, (select sum(requests) from usage_rollups_daily)::float8 as daily`,
      );
      if (Number(c.raw) !== total + warm.length || Number(c.daily) !== Number(c.raw)) throw new Error(`postgres: ${JSON.stringify(c)}`);
    }
    return {
      rate: total / seconds,
      p50: percentile(http.latenciesMs, 50),
      p99: percentile(http.latenciesMs, 99),
      ledgerBytesPerEvent,
    };
  } finally {
    server?.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await fresh.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** n events for one org over the last 90 days inside chDB, shaped like bench/usage.ts's PostgreSQL ones; the views build the rollups. */
async function generateClickHouseEvents(h: ClickHouseHandle, orgId: string, timeZone: string, n: number, log: (l: string) => void): Promise<void> {
  const chunk = 5_000_000;
  for (let done = 0; done < n; done += chunk) {
    const size = Math.min(chunk, n - done);
    const t = performance.now();
    await h.client.command({
      query: `INSERT INTO usage_events (id, org_id, occurred_at, day, product, model, input_units, output_units, status, latency_ms, api_key_id, project_id, zero_retention, received_at, relay_batch)
        SELECT generateUUIDv4(number), toUUID({org:String}), ts, toDate(ts, {tz:String}), p[1], p[2],
               50 + toUInt64(floor(u1 * u1 * 4000)), 20 + toUInt64(floor(u2 * 2000)),
               multiIf(u3 < 0.02, 'client_error', u3 < 0.03, 'server_error', 'ok'),
               toUInt32(100 + floor(u2 * u2 * 8000)), concat('key_', toString(1 + toUInt8(floor(u4 * 5)))), '', true, ts, 0
        FROM (
          SELECT number, now64(3) - toIntervalMillisecond(toUInt64(randCanonical(1) * 90 * 86400000)) AS ts,
                 [['speech_to_text', 'scribe-v2'], ['speech_to_text', 'scribe-v2-realtime'], ['llm', 'atlas-large'], ['llm', 'atlas-small'],
                  ['text_to_speech', 'tts-multilingual-v3'], ['text_to_speech', 'tts-flash-v2'], ['voice_changer', 'vc-sts-v2'], ['llm', 'atlas-mini']][1 + toUInt8(floor(randCanonical(2) * 8))] AS p,
                 randCanonical(3) AS u1, randCanonical(4) AS u2, randCanonical(5) AS u3, randCanonical(6) AS u4
          FROM numbers(${done}, ${size})
        )`,
      query_params: { org: orgId, tz: timeZone },
    });
    log(`  clickhouse +${size.toLocaleString("en-US")} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/** Bytes on disk, raw and daily rollup rows, and the daily rollup's active parts of the usage tables. */
async function chParts(h: ClickHouseHandle) {
  const [r] = await (
    await h.client.query({
      query: `SELECT sum(bytes_on_disk) AS b, sumIf(rows, table = 'usage_events') AS raw, sumIf(rows, table = 'usage_rollups_daily') AS daily,
                     countIf(table = 'usage_rollups_daily') AS daily_parts
              FROM system.parts WHERE active AND database = currentDatabase() AND table LIKE 'usage_%'`,
      format: "JSONEachRow",
    })
  ).json<{ b: string; raw: string; daily: string; daily_parts: string }>();
  return r;
}

function reader(orgId: string, orgName: string): UserPrincipal {
  return {
    kind: "user",
    userId: orgId,
    email: "bench@example.com",
    name: "bench",
    isSupport: false,
    orgId,
    role: "member",
    memberships: [{ orgId, orgName, role: "member" }],
  };
}

/** The 90-day dashboard read: 30 one after another (after 3 to warm up), then 8 concurrent readers for 5 s. */
async function reads(store: UsageStore, user: UserPrincipal, db: DbHandle["db"], expected: number, label: string) {
  const read = () => store.dashboard(user, { orgId: user.orgId!, range: { key: "90d" } }, db);
  for (let i = 0; i < 3; i++) {
    const d = await read();
    const counted = d.totals.current.requests + d.totals.previous.requests;
    if (i === 0 && counted !== expected) throw new Error(`${label}: the dashboard counted ${counted} of ${expected}`);
  }
  const one: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await read();
    one.push(performance.now() - t);
  }
  const eight: number[] = [];
  const until = performance.now() + 5000;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await read();
        eight.push(performance.now() - t);
      }
    }),
  );
  return { p50: percentile(one, 50), p95: percentile(one, 95), p95at8: percentile(eight, 95), n8: eight.length };
}

export const benchmark: Benchmark = {
  name: "usage-stores",
  description: "PostgreSQL vs ClickHouse (embedded chDB) usage stores: HTTP ingest events/s, 90-day dashboard read at 10x the data, bytes per million events",
  async run(ctx) {
    if (!fs.existsSync(path.join(chdbInstallDir(), "node_modules", "chdb", "package.json"))) {
      ctx.log("usage-stores: chdb is not installed (bash scripts/ensure-chdb.sh); skipped");
      return [];
    }
    const ingestEvents = ctx.quick ? 20_000 : 200_000;
    const pgEvents = Number(process.env.BENCH_STORES_PG_EVENTS ?? (ctx.quick ? 100_000 : 1_000_000));
    const chEvents = Number(process.env.BENCH_STORES_CH_EVENTS ?? pgEvents * 10);
    const rows: BenchRow[] = [];

    // Ingest over HTTP, each store on a database and a server of its own.
    const ingest = new Map<string, Awaited<ReturnType<typeof ingestOverHttp>>>();
    for (const label of ["postgres", "clickhouse"] as const) {
      ctx.log(`usage-stores: HTTP ingest of ${ingestEvents.toLocaleString("en-US")} events into the ${label} store`);
      const r = await ingestOverHttp(ctx, label, ingestEvents);
      ingest.set(label, r);
      rows.push({
        benchmark: "usage-stores",
        variant: `${label}: HTTP POST /api/v1/usage/events (1,000/batch, concurrency 2${label === "clickhouse" ? ", until the relay has delivered all" : ", rollups in the transaction"})`,
        data: `${ingestEvents.toLocaleString("en-US")} events, 50 orgs`,
        rate: round(r.rate),
        unit: "events/s",
        p50Ms: round(r.p50, 2),
        p99Ms: round(r.p99, 2),
      });
    }

    // Reads on generated data: N events in PostgreSQL, 10 x N in ClickHouse, one org each.
    const db = ctx.handle.db;
    const [pgOrg, chOrg] = await createOrgs(db, 2, "stores-read");
    const orgs = await queryRows<{ id: string; name: string; time_zone: string }>(
      db,
      sql`select id, name, time_zone from organizations where id in (${pgOrg}, ${chOrg})`,
    );
    const org = (id: string) => orgs.find((o) => o.id === id)!;
    ctx.log(`usage-stores: generating ${pgEvents.toLocaleString("en-US")} events in PostgreSQL`);
    await generatePgEvents(ctx.handle, pgOrg, pgEvents);
    await db.transaction((tx) => rebuildRollups(tx, pgOrg));
    await settle(ctx.handle);
    const [pgSize] = await queryRows<{ b: number; raw: number; daily: number }>(
      db,
      sql`select (pg_total_relation_size('usage_events') + pg_total_relation_size('usage_rollups_hourly') + pg_total_relation_size('usage_rollups_daily'))::float8 as b,
                 (select count(*) from usage_events)::float8 as raw, (select count(*) from usage_rollups_daily where org_id = ${pgOrg})::float8 as daily`,
    );
    const pg = await reads(postgresUsageStore, reader(pgOrg, org(pgOrg).name), db, pgEvents, "postgres");

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-bench-ch-"));
    const h = openClickHouse({ dataDir: dir });
    try {
      const ch = clickhouseUsageStore({ clickhouse: () => h, relayAfterIngest: false });
      await ch.migrate();
      ctx.log(`usage-stores: generating ${chEvents.toLocaleString("en-US")} events in ClickHouse`);
      await generateClickHouseEvents(h, chOrg, org(chOrg).time_zone, chEvents, ctx.log);
      const chSize = await chParts(h);
      const c = await reads(ch, reader(chOrg, org(chOrg).name), db, chEvents, "clickhouse");
      // The same read once the rollups' parts are merged, as ClickHouse's background merges leave a
      // table at rest; the generated data arrives as one part per insert, so the read above merges at query time.
      for (const t of ["usage_rollups_daily", "usage_rollups_hourly"]) await h.client.command({ query: `OPTIMIZE TABLE ${t} FINAL` });
      const merged = await chParts(h);
      const cm = await reads(ch, reader(chOrg, org(chOrg).name), db, chEvents, "clickhouse merged");

      const ledger = ingest.get("clickhouse")!.ledgerBytesPerEvent;
      const pgPerM = (Number(pgSize.b) / Number(pgSize.raw)) * 1e6;
      const chPerM = (Number(chSize.b) / Number(chSize.raw)) * 1e6 + ledger * 1e6;
      rows.push(
        {
          benchmark: "usage-stores",
          variant: "postgres: 90-day dashboard read (in process)",
          data: `${pgEvents.toLocaleString("en-US")} events, 1 org (${Number(pgSize.daily).toLocaleString("en-US")} daily rollup rows)`,
          rate: round(1000 / pg.p50, 1),
          unit: "reads/s",
          p50Ms: round(pg.p50, 2),
          p99Ms: round(pg.p95, 2),
          note: `p99 column is p95 of 30; p95 at 8 concurrent readers ${round(pg.p95at8, 1)} ms (${pg.n8} reads)`,
        },
        {
          benchmark: "usage-stores",
          variant: "clickhouse: 90-day dashboard read (in process, one GROUPING SETS query)",
          data: `${chEvents.toLocaleString("en-US")} events, 1 org (${Number(chSize.daily).toLocaleString("en-US")} daily rollup rows in ${chSize.daily_parts} parts, unmerged)`,
          rate: round(1000 / c.p50, 1),
          unit: "reads/s",
          p50Ms: round(c.p50, 2),
          p99Ms: round(c.p95, 2),
          note: `p99 column is p95 of 30; p95 at 8 concurrent readers ${round(c.p95at8, 1)} ms (${c.n8} reads)`,
        },
        {
          benchmark: "usage-stores",
          variant: "clickhouse: 90-day dashboard read, rollup parts merged (OPTIMIZE … FINAL)",
          data: `${chEvents.toLocaleString("en-US")} events, 1 org (${Number(merged.daily).toLocaleString("en-US")} daily rollup rows in ${merged.daily_parts} parts)`,
          rate: round(1000 / cm.p50, 1),
          unit: "reads/s",
          p50Ms: round(cm.p50, 2),
          p99Ms: round(cm.p95, 2),
          note: `p99 column is p95 of 30; p95 at 8 concurrent readers ${round(cm.p95at8, 1)} ms (${cm.n8} reads)`,
        },
        {
          benchmark: "usage-stores",
          variant: "postgres: bytes on disk per million events",
          data: `${Number(pgSize.raw).toLocaleString("en-US")} events`,
          rate: round(pgPerM / MIB),
          unit: "MiB/1M events",
          note: "raw + both rollups with indexes",
        },
        {
          benchmark: "usage-stores",
          variant: "clickhouse: bytes on disk per million events",
          data: `${Number(chSize.raw).toLocaleString("en-US")} events`,
          rate: round(chPerM / MIB),
          unit: "MiB/1M events",
          note: `raw + rollups in ClickHouse (${round(((Number(chSize.b) / Number(chSize.raw)) * 1e6) / MIB)} MiB) + the PostgreSQL ledger (${round((ledger * 1e6) / MIB)} MiB, measured after the HTTP ingest)`,
        },
        {
          benchmark: "usage-stores",
          variant: "clickhouse / postgres",
          data: `ingest ${ingestEvents.toLocaleString("en-US")} events each; reads ${chEvents.toLocaleString("en-US")} vs ${pgEvents.toLocaleString("en-US")} events`,
          rate: round(ingest.get("clickhouse")!.rate / ingest.get("postgres")!.rate, 2),
          unit: "x ingest",
          note: `goal >= 2x; 90-day read p50 ${round(c.p50 / pg.p50, 2)}x, p95 at 8 readers ${round(c.p95at8 / pg.p95at8, 2)}x at ${round(chEvents / pgEvents)}x the events as inserted, ${round(cm.p50 / pg.p50, 2)}x and ${round(cm.p95at8 / pg.p95at8, 2)}x with the rollup parts merged (goal <= 1x); disk ${round(chPerM / pgPerM, 2)}x per event`,
        },
      );
    } finally {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
