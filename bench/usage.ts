/**
 * The /usage queries at scale: rollup-served time against a naive GROUP BY
 * over the raw events on the same data, per range; how rollup time grows
 * when the raw table grows 10×; and the p95 of one /usage render's data work
 * at 8 concurrent users.
 *
 * Creates a fresh PostgreSQL database (BENCH_DATABASE_URL's server, default
 * postgres://127.0.0.1:5432/postgres), fills it with generate_series straight
 * in SQL, builds the rollups with rebuildRollups, and drops it at the end.
 *
 *   npx tsx bench/usage.ts                   # 10M events
 *   BENCH_USAGE_EVENTS=1000000 npx tsx bench/usage.ts
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { adminSql } from "@/lib/db/admin";
import { sql, type SQL } from "drizzle-orm";
import { openPostgres, queryRows, type DbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { memberships, organizations, retentionStates, users } from "@/lib/db/schema";
import { loadUserPrincipal } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { rebuildRollups } from "@/lib/usage/rollups";
import { getUsageBreakdown, getUsageDashboard, getUsageSeries, getUsageTotals } from "@/lib/usage/queries";
import { resolveRange, type RangeInput } from "@/lib/usage/range";
import { getRetentionView } from "@/lib/retention/queries";
import { countUnacknowledgedNotices } from "@/lib/notices/queries";
import { hashPassword } from "@/lib/auth/password";
import { startServer } from "./lib/server";
import { ensureWrk, runWrk } from "./lib/wrk";
import { runLoad } from "./lib/http-load";

export type BenchResult = { name: string; value: number; unit: string; note?: string };

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL?.replace(/\/[^/]*$/, "/postgres") ?? "postgres://127.0.0.1:5432/postgres";
const DEFAULT_EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 10_000_000);
const TIME_ZONE = "America/New_York";
const RANGES: { label: string; input: RangeInput }[] = [
  { label: "24h", input: { key: "24h" } },
  { label: "7d", input: { key: "7d" } },
  { label: "30d", input: { key: "30d" } },
  { label: "90d", input: { key: "90d" } },
];
const QUERIES = ["totals", "series", "by_product", "by_model", "by_api_key"] as const;
const ROUTE_PORT = Number(process.env.BENCH_PORT ?? 3101) + 2;
const PASSWORD = "bench-password-1";
type QueryName = (typeof QUERIES)[number];

function log(msg: string) {
  process.stderr.write(`[bench:usage] ${msg}\n`);
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Median of n runs after one warm-up. */
async function median(fn: () => Promise<unknown>, n: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await timed(fn));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function createDatabase(): Promise<{ handle: DbHandle; url: string; drop: () => Promise<void> }> {
  const name = `zdr_bench_usage_${crypto.randomBytes(4).toString("hex")}`;
  await adminSql(SERVER_URL, `create database ${name}`);
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  const handle = openPostgres(u.toString(), { max: 10 });
  await migrateDatabase(handle);
  return {
    handle,
    url: u.toString(),
    async drop() {
      await handle.close();
      await adminSql(SERVER_URL, `drop database if exists ${name} with (force)`);
    },
  };
}

/** n events over the last 90 days: a realistic mix of products, models, keys, errors and latencies. */
export async function generateEvents(handle: DbHandle, orgId: string, n: number): Promise<void> {
  const chunk = 1_000_000;
  for (let done = 0; done < n; done += chunk) {
    const size = Math.min(chunk, n - done);
    const t = await timed(() =>
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`set local synchronous_commit = off`);
        await tx.execute(sql`
          insert into usage_events (id, org_id, occurred_at, product, model, input_units, output_units, status, latency_ms, api_key_id, zero_retention, received_at)
          select gen_random_uuid(), ${orgId}, ts, p.product::product, p.model,
                 50 + floor(u1 * u1 * 4000)::bigint, 20 + floor(u2 * 2000)::bigint,
                 (case when u3 < 0.02 then 'client_error' when u3 < 0.03 then 'server_error' else 'ok' end)::usage_status,
                 (100 + floor(u2 * u2 * 8000))::int, 'key_' || (1 + floor(u4 * 5))::int, true, ts
          from (
            select now() - random() * interval '90 days' as ts, floor(random() * 8)::int as r,
                   random() as u1, random() as u2, random() as u3, random() as u4
            from generate_series(1, ${size})
          ) s
          join (values (0, 'speech_to_text', 'scribe-v2'), (1, 'speech_to_text', 'scribe-v2-realtime'), (2, 'llm', 'atlas-large'),
                       (3, 'llm', 'atlas-small'), (4, 'text_to_speech', 'tts-multilingual-v3'), (5, 'text_to_speech', 'tts-flash-v2'),
                       (6, 'voice_changer', 'vc-sts-v2'), (7, 'llm', 'atlas-mini')) as p(i, product, model) on p.i = s.r`);
      }),
    );
    log(`  +${size.toLocaleString("en-US")} events in ${(t / 1000).toFixed(1)} s`);
  }
  await handle.pool!.query("analyze usage_events");
}

/**
 * Vacuum and checkpoint after a bulk load, before anything is timed; otherwise
 * autovacuum and the checkpointer work through the fresh rows during the
 * measurement, and the two sides of the growth ratio are timed under different load.
 */
export async function settle(handle: DbHandle): Promise<void> {
  await handle.pool!.query("vacuum analyze usage_events");
  // The rebuild deleted and rewrote every rollup row: compact them, as rollups grown by ingest would be, or the
  // second measurement reads twice the pages for the same rows and the growth ratio measures the rebuild.
  await handle.pool!.query("vacuum full analyze usage_rollups_hourly, usage_rollups_daily");
  await handle.pool!.query("checkpoint").catch(() => {});
}

async function buildRollups(handle: DbHandle, orgId: string): Promise<number> {
  const t = await timed(() => handle.db.transaction((tx) => rebuildRollups(tx, orgId)));
  await handle.pool!.query("analyze usage_rollups_hourly; analyze usage_rollups_daily");
  return t;
}

/** The query a developer would write first: the same answers, grouped straight from raw events. */
function naiveQuery(orgId: string, input: RangeInput, q: QueryName): SQL {
  const r = resolveRange(input, TIME_ZONE);
  const where =
    r.grain === "hour"
      ? sql`occurred_at >= ${r.current.from}::timestamptz and occurred_at < ${r.current.to}::timestamptz`
      : sql`(occurred_at at time zone ${TIME_ZONE})::date between ${r.current.from}::date and ${r.current.to}::date`;
  const measures = sql`count(*), count(*) filter (where status <> 'ok'), sum(input_units), sum(output_units)`;
  switch (q) {
    case "totals":
      return sql`select ${measures}, percentile_cont(0.5) within group (order by latency_ms), percentile_cont(0.95) within group (order by latency_ms)
                 from usage_events where org_id = ${orgId} and ${where}`;
    case "series":
      return r.grain === "hour"
        ? sql`select date_trunc('hour', occurred_at), ${measures} from usage_events where org_id = ${orgId} and ${where} group by 1 order by 1`
        : sql`select (occurred_at at time zone ${TIME_ZONE})::date, ${measures} from usage_events where org_id = ${orgId} and ${where} group by 1 order by 1`;
    default: {
      const col = sql.raw(q === "by_product" ? "product" : q === "by_model" ? "model" : "api_key_id");
      return sql`select ${col}, ${measures}, percentile_cont(0.95) within group (order by latency_ms)
                 from usage_events where org_id = ${orgId} and ${where} group by 1 order by 2 desc`;
    }
  }
}

function rollupQuery(user: UserPrincipal, handle: DbHandle, input: RangeInput, q: QueryName): () => Promise<unknown> {
  const args = { orgId: user.orgId!, range: input };
  const db = handle.db;
  switch (q) {
    case "totals":
      return () => getUsageTotals(user, args, db);
    case "series":
      return () => getUsageSeries(user, args, db);
    case "by_product":
      return () => getUsageBreakdown(user, { ...args, dimension: "product" }, db);
    case "by_model":
      return () => getUsageBreakdown(user, { ...args, dimension: "model" }, db);
    case "by_api_key":
      return () => getUsageBreakdown(user, { ...args, dimension: "apiKey" }, db);
  }
}

/**
 * The data work of one /usage render: the layout's reads and the widgets'.
 * On the page the widgets share one org lookup and one breakdown scan through
 * React's per-request cache; getUsageDashboard does the same reads outside React.
 */
function renderUsage(user: UserPrincipal, handle: DbHandle, input: RangeInput): Promise<unknown> {
  const db = handle.db;
  const orgId = user.orgId!;
  return Promise.all([
    loadUserPrincipal(db, user.userId),
    getRetentionView(user, { orgId }, db),
    countUnacknowledgedNotices(user, orgId, db),
    getUsageDashboard(user, { orgId, range: input }, db),
  ]);
}

async function concurrentP95(fn: () => Promise<unknown>, users: number, seconds: number): Promise<{ p50: number; p95: number; n: number }> {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (performance.now() < until) times.push(await timed(fn));
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), n: times.length };
}

async function rollupTimes(user: UserPrincipal, handle: DbHandle): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const r of RANGES) for (const q of QUERIES) out.set(`${r.label}/${q}`, await median(rollupQuery(user, handle, r.input, q), 31));
  return out;
}

/**
 * The /usage route as a browser gets it: the production server (server.ts) on
 * this database, a signed-in session, 8 connections each asking for the next
 * page as soon as the last byte of the previous one arrived (no think time),
 * 10 s per range. /notices, the same shell with a small page, is the floor:
 * what any signed-in page costs on this machine.
 */
async function routeOverHttp(handle: DbHandle, url: string, userId: string): Promise<BenchResult[]> {
  const log2 = (l: string) => log(l);
  await handle.db
    .update(users)
    .set({ passwordHash: await hashPassword(PASSWORD) })
    .where(sql`id = ${userId}`);
  const server = await startServer({ url, port: ROUTE_PORT, log: log2 });
  try {
    const signIn = await fetch(`${server.base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.base },
      body: JSON.stringify({ email: "bench@bench.example", password: PASSWORD }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    if (signIn.status !== 200 || !cookie) throw new Error(`sign-in answered ${signIn.status}`);
    const wrk = ensureWrk(log2);
    const out: BenchResult[] = [];
    const targets: [string, string][] = [
      ["notices_shell_floor", "/notices"],
      ...[RANGES[0], RANGES[2], RANGES[3]].map((r): [string, string] => [r.label, `/usage?range=${r.label}`]),
    ];
    for (const [label, path] of targets) {
      // The page itself, once: a redirect to /login or an error page would make the figures meaningless.
      // Once more on a reset: a pooled keep-alive connection can be closed by the server as it is reused.
      const get = () => fetch(`${server.base}${path}`, { headers: { cookie }, redirect: "manual" });
      const page = await get().catch(() => get());
      const html = await page.text();
      if (page.status !== 200 || !html.includes("Bench Health")) throw new Error(`${path} answered ${page.status} without the org's page`);
      let p50: number, p95: number, rate: number, client: string;
      if (wrk) {
        // Warm the JIT on this page first: the first seconds of a page are several times slower.
        runWrk(wrk, { baseUrl: server.base, targets: [path], headers: { cookie }, connections: 8, threads: 1, seconds: 5 });
        const r = runWrk(wrk, { baseUrl: server.base, targets: [path], headers: { cookie }, connections: 8, threads: 1, seconds: 10 });
        if (r.non2xx || r.socketErrors) throw new Error(`${path}: ${r.non2xx} errors, ${r.socketErrors} socket errors`);
        ({ p50Ms: p50, p95Ms: p95, rate } = r);
        client = "wrk";
      } else {
        const next = () => ({ method: "GET" as const, path, headers: { cookie } });
        await runLoad({ baseUrl: server.base, concurrency: 8, seconds: 5, next });
        const r = await runLoad({ baseUrl: server.base, concurrency: 8, seconds: 10, next });
        if ((r.statuses.get(200) ?? 0) !== r.requests) throw new Error(`${path} answered ${JSON.stringify([...r.statuses])}`);
        p50 = percentile(
          [...r.latenciesMs].sort((a, b) => a - b),
          0.5,
        );
        p95 = percentile(
          [...r.latenciesMs].sort((a, b) => a - b),
          0.95,
        );
        rate = r.requests / r.seconds;
        client = "Node client on the same cores (wrk unavailable)";
      }
      log(`route ${path}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ${rate.toFixed(0)} pages/s`);
      // The same 8 users as people use a dashboard: each reads a page for about a second (0 to 2 s) before asking for the next.
      const reading = await runLoad({
        baseUrl: server.base,
        concurrency: 8,
        seconds: 20,
        thinkMs: 1000,
        next: () => ({ method: "GET", path, headers: { cookie } }),
      });
      if ((reading.statuses.get(200) ?? 0) !== reading.requests) throw new Error(`${path} answered ${JSON.stringify([...reading.statuses])}`);
      const sortedReading = [...reading.latenciesMs].sort((a, b) => a - b);
      const readP95 = percentile(sortedReading, 0.95);
      out.push({
        name: `usage.route_http_p95.${label}.8_users`,
        value: +p95.toFixed(1),
        unit: "ms",
        note: `GET ${path} over HTTP, production server, signed in, ${html.length.toLocaleString("en-US")} bytes of HTML, 8 users without think time for 10 s (${client}): p50 ${p50.toFixed(1)} ms, ${rate.toFixed(0)} pages/s${label.endsWith("floor") ? "; the floor: the same shell with a small page" : "; goal p95 ≤ 50 ms"}`,
      });
      out.push({
        name: `usage.route_http_p95.${label}.8_users_reading_1s`,
        value: +readP95.toFixed(1),
        unit: "ms",
        note: `GET ${path}, the same 8 users each reading a page for 0 to 2 s (1 s on average) before the next (Node client), ${reading.requests} pages: p50 ${percentile(sortedReading, 0.5).toFixed(1)} ms`,
      });
    }
    return out;
  } finally {
    server.stop();
  }
}

export async function run(options: { events?: number } = {}): Promise<BenchResult[]> {
  const TOTAL_EVENTS = options.events ?? DEFAULT_EVENTS;
  const results: BenchResult[] = [];
  const small = Math.round(TOTAL_EVENTS / 10);
  log(`creating a database on ${SERVER_URL.replace(/\/\/[^@]*@/, "//")} for ${TOTAL_EVENTS.toLocaleString("en-US")} events`);
  const { handle, url, drop } = await createDatabase();
  try {
    const db = handle.db;
    const [org] = await db.insert(organizations).values({ name: "Bench Health", slug: "bench-health", plan: "enterprise", timeZone: TIME_ZONE }).returning();
    await db.insert(retentionStates).values({ orgId: org.id, zdrStatus: "active", zdrSince: new Date() });
    const [u] = await db.insert(users).values({ email: "bench@bench.example", name: "Bench" }).returning();
    await db.insert(memberships).values({ orgId: org.id, userId: u.id, role: "member" });
    const user = (await loadUserPrincipal(db, u.id))!;

    // A tenth first, so the growth of rollup time with the raw table can be measured.
    log(`generating ${small.toLocaleString("en-US")} events`);
    await generateEvents(handle, org.id, small);
    await buildRollups(handle, org.id);
    await settle(handle);
    const [smallCounts] = await queryRows<{ hourly: number; daily: number }>(
      db,
      sql`select (select count(*) from usage_rollups_hourly)::float8 as hourly, (select count(*) from usage_rollups_daily)::float8 as daily`,
    );
    // Rollup rows are bounded by days × products × models × keys, not by events: the reason time does not grow with the raw table.
    results.push({
      name: "usage.rollup_rows_at_tenth",
      value: Number(smallCounts.daily),
      unit: "daily rows",
      note: `${Number(smallCounts.hourly)} hourly rows at ${small.toLocaleString("en-US")} events`,
    });
    const before = await rollupTimes(user, handle);

    log(`generating ${(TOTAL_EVENTS - small).toLocaleString("en-US")} more events`);
    await generateEvents(handle, org.id, TOTAL_EVENTS - small);
    const rebuildMs = await buildRollups(handle, org.id);
    await settle(handle);
    const [counts] = await queryRows<{ raw: number; hourly: number; daily: number }>(
      db,
      sql`select (select count(*) from usage_events)::float8 as raw, (select count(*) from usage_rollups_hourly)::float8 as hourly,
                 (select count(*) from usage_rollups_daily)::float8 as daily`,
    );
    const data = `${Number(counts.raw).toLocaleString("en-US")} raw events, ${Number(counts.hourly).toLocaleString("en-US")} hourly and ${Number(counts.daily).toLocaleString("en-US")} daily rollup rows`;
    log(data);
    results.push({ name: "usage.rollup_rebuild", value: Math.round(rebuildMs), unit: "ms", note: `rebuildRollups of one org, ${data}` });
    results.push({
      name: "usage.rollup_rows_at_full",
      value: Number(counts.daily),
      unit: "daily rows",
      note: `${Number(counts.hourly)} hourly rows at ${TOTAL_EVENTS.toLocaleString("en-US")} events`,
    });

    const after = await rollupTimes(user, handle);
    for (const r of RANGES) {
      for (const q of QUERIES) {
        const key = `${r.label}/${q}`;
        const rollupMs = after.get(key)!;
        // Raw scans take seconds at this size: one warm-up and the median of three.
        const rawMs = await median(() => queryRows(db, naiveQuery(org.id, r.input, q)), 3);
        log(`${key}: rollup ${rollupMs.toFixed(2)} ms, raw ${rawMs.toFixed(0)} ms`);
        results.push({ name: `usage.${r.label}.${q}.rollup`, value: +rollupMs.toFixed(2), unit: "ms", note: "median of 31, via lib/usage/queries.ts" });
        results.push({
          name: `usage.${r.label}.${q}.raw_group_by`,
          value: +rawMs.toFixed(1),
          unit: "ms",
          note: "median of 3, naive GROUP BY over usage_events",
        });
        results.push({ name: `usage.${r.label}.${q}.speedup`, value: +(rawMs / rollupMs).toFixed(1), unit: "x", note: "raw / rollup; goal ≥ 100× for 90d" });
        results.push({
          name: `usage.${r.label}.${q}.growth_10x_raw`,
          value: +(rollupMs / before.get(key)!).toFixed(2),
          unit: "x",
          note: `rollup time at ${TOTAL_EVENTS.toLocaleString("en-US")} / at ${small.toLocaleString("en-US")} events (same rollup rows; sensitive to other load on the machine between the two measurements); goal ≤ 1.2×`,
        });
      }
    }

    for (const r of [RANGES[0], RANGES[2], RANGES[3]]) {
      const c = await concurrentP95(() => renderUsage(user, handle, r.input), 8, 10);
      log(`render ${r.label}: p50 ${c.p50.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms over ${c.n} renders`);
      results.push({
        name: `usage.route_data_p95.${r.label}.8_users`,
        value: +c.p95.toFixed(1),
        unit: "ms",
        note: `data work of one /usage render (principal, retention state, notices, totals, series, breakdowns), 8 concurrent users for 10 s, ${c.n} renders, p50 ${c.p50.toFixed(1)} ms; in-process, no HTTP or React; goal p95 ≤ 50 ms`,
      });
    }
    results.push(...(await routeOverHttp(handle, url, u.id)));
    return results;
  } finally {
    await drop();
  }
}

export default run;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const results = await run();
  console.table(results.map((r) => ({ name: r.name, value: r.value, unit: r.unit })));
  const dir = path.join(process.cwd(), "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "usage.json"), `${JSON.stringify({ at: new Date().toISOString(), events: DEFAULT_EVENTS, results }, null, 2)}\n`);
  process.exit(0);
}
