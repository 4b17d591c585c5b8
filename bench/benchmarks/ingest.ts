/**
 * Usage ingest throughput over HTTP (the production app, batches of 1,000,
 * idempotent, rollups in the same transaction) side by side with a plain
 * `INSERT … ON CONFLICT DO NOTHING` of the same rows in batches of 500 into a
 * bare table, and with `COPY`, on the same PostgreSQL in the same run.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { sql } from "drizzle-orm";
import { pgConnection, queryRows } from "@/lib/db";
import { createServiceToken } from "@/lib/tokens/tokens";
import { createOrgs, generateEvents, type BenchEvent } from "../lib/generate";
import { runLoad } from "../lib/http-load";
import { percentile, round } from "../lib/stats";
import type { Benchmark, BenchRow } from "../lib/types";

const COLUMNS = [
  "id",
  "org_id",
  "occurred_at",
  "product",
  "model",
  "input_units",
  "output_units",
  "status",
  "latency_ms",
  "api_key_id",
  "zero_retention",
] as const;
const BARE_TABLE = (name: string) => `create table ${name} (
  id uuid primary key, org_id uuid not null, occurred_at timestamptz not null, product text not null, model text not null,
  input_units bigint not null, output_units bigint not null, status text not null, latency_ms integer not null,
  api_key_id text, zero_retention boolean not null)`;

function asRow(e: BenchEvent) {
  return {
    id: e.id,
    org_id: e.orgId,
    occurred_at: e.occurredAt,
    product: e.product,
    model: e.model,
    input_units: e.inputUnits,
    output_units: e.outputUnits,
    status: e.status,
    latency_ms: e.latencyMs,
    api_key_id: e.apiKeyId,
    zero_retention: e.zeroRetention,
  };
}

export const benchmark: Benchmark = {
  name: "ingest",
  description: "usage ingest over HTTP vs plain INSERT … ON CONFLICT vs COPY",
  async run(ctx) {
    const total = ctx.quick ? 20_000 : 200_000;
    const batchSize = 1000;
    const concurrency = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 2);
    const db = ctx.handle.db;
    const orgIds = await createOrgs(db, 50, "ingest");
    const { token } = await createServiceToken({ kind: "system", name: "bench" }, { name: "bench ingest", scopes: ["usage:write"] }, db);
    const warmup = generateEvents(orgIds, 5 * batchSize);
    const events = generateEvents(orgIds, total);
    const bodies: Buffer[] = [];
    for (let i = 0; i < events.length; i += batchSize) bodies.push(Buffer.from(JSON.stringify({ events: events.slice(i, i + batchSize) })));
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const base = await ctx.app();
    const data = `${total.toLocaleString("en-US")} events (random UUIDs, ${orgIds.length} orgs x 3 keys, served in the last minute), concurrency ${concurrency}`;
    const rows: BenchRow[] = [];

    // Warm the app (JIT, pools) on other events.
    for (let i = 0; i < warmup.length; i += batchSize) {
      await runLoad({
        baseUrl: base,
        concurrency: 1,
        total: 1,
        next: () => ({ method: "POST", path: "/api/v1/usage/events", headers, body: JSON.stringify({ events: warmup.slice(i, i + batchSize) }) }),
      });
    }

    ctx.log(`ingest over HTTP: ${bodies.length} batches of ${batchSize}`);
    const http = await runLoad({
      baseUrl: base,
      concurrency,
      total: bodies.length,
      keepBodies: true,
      next: (i) => ({ method: "POST", path: "/api/v1/usage/events", headers, body: bodies[i] }),
    });
    const accepted = http.bodies!.reduce((a, b) => a + (JSON.parse(b).accepted ?? 0), 0);
    if (accepted !== total || http.statuses.get(200) !== bodies.length) {
      throw new Error(`ingest answered ${JSON.stringify([...http.statuses])}, accepted ${accepted} of ${total}`);
    }
    const [check] = await queryRows<{ raw: number; hourly: number; daily: number }>(
      db,
      sql`select (select count(*) from usage_events)::int as raw, (select sum(requests) from usage_rollups_hourly)::int as hourly,
                 (select sum(requests) from usage_rollups_daily)::int as daily`,
    );
    if (check.raw !== check.hourly || check.raw !== check.daily) throw new Error(`rollups drifted: ${JSON.stringify(check)}`);
    const httpRate = total / http.seconds;

    ctx.log("replaying 20 batches (all duplicates)");
    const replay = await runLoad({
      baseUrl: base,
      concurrency,
      total: 20,
      next: (i) => ({ method: "POST", path: "/api/v1/usage/events", headers, body: bodies[i] }),
    });

    // The same rows, straight into bare tables, through a pool of the same size.
    const pool = new pg.Pool({ ...pgConnection(ctx.url), max: concurrency });
    await pool.query(BARE_TABLE("bench_plain_events"));
    await pool.query(BARE_TABLE("bench_copy_events"));
    const plainRows = events.map(asRow);
    ctx.log("plain INSERT … ON CONFLICT DO NOTHING, batches of 500");
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const start = next;
          next += 500;
          if (start >= plainRows.length) return;
          const batch = plainRows.slice(start, start + 500);
          const params: unknown[] = [];
          const tuples = batch.map((r) => `(${COLUMNS.map((c) => `$${params.push(r[c])}`).join(", ")})`);
          await pool.query(`insert into bench_plain_events (${COLUMNS.join(", ")}) values ${tuples.join(", ")} on conflict do nothing`, params);
        }
      }),
    );
    const plainRate = total / ((performance.now() - t0) / 1000);

    ctx.log("COPY");
    const t1 = performance.now();
    const copyClient = await pool.connect();
    const writable = copyClient.query(copyFrom(`copy bench_copy_events (${COLUMNS.join(", ")}) from stdin`));
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < events.length; i += 1000) {
            yield (
              events
                .slice(i, i + 1000)
                .map((e) =>
                  [e.id, e.orgId, e.occurredAt, e.product, e.model, e.inputUnits, e.outputUnits, e.status, e.latencyMs, e.apiKeyId, e.zeroRetention].join("\t"),
                )
                .join("\n") + "\n"
            );
          }
        })(),
      ),
      writable,
    );
    const copyRate = total / ((performance.now() - t1) / 1000);
    copyClient.release();
    await pool.end();

    rows.push({
      benchmark: "ingest",
      variant: "HTTP POST /api/v1/usage/events (1,000/batch, idempotent, hourly+daily rollups in the same transaction)",
      data,
      rate: round(httpRate),
      unit: "events/s",
      p50Ms: round(percentile(http.latenciesMs, 50), 2),
      p99Ms: round(percentile(http.latenciesMs, 99), 2),
      note: `${round(httpRate / plainRate, 2)}x plain INSERT (goal >= 1.0x); rollups == raw checked`,
    });
    rows.push({
      benchmark: "ingest",
      variant: "HTTP replay of 20 batches (all duplicates)",
      data: "20,000 events already stored",
      rate: round((20 * batchSize) / replay.seconds),
      unit: "events/s",
      p50Ms: round(percentile(replay.latenciesMs, 50), 2),
      p99Ms: round(percentile(replay.latenciesMs, 99), 2),
    });
    rows.push({
      benchmark: "ingest",
      variant: "plain SQL INSERT … ON CONFLICT DO NOTHING (500/batch, bare table)",
      data,
      rate: round(plainRate),
      unit: "rows/s",
    });
    rows.push({
      benchmark: "ingest",
      variant: "COPY (bare table, one stream)",
      data: `${total.toLocaleString("en-US")} rows`,
      rate: round(copyRate),
      unit: "rows/s",
    });
    return rows;
  },
};
