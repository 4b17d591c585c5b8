/**
 * Removal of a 30-day range of one org's usage events by the removal job
 * (bounded batches, each a short transaction that also subtracts from both
 * rollups) side by side with one plain `DELETE … WHERE` of the same rows on
 * a copy of the table, on the same PostgreSQL in the same run. While the job
 * runs, usage ingest into the same org and range goes on; its p99 is
 * compared with its p99 before the job (idle).
 *
 * Goals: job rows/s >= 0.5x the plain DELETE; every batch <= 1 s; ingest p99
 * during the job <= 2x idle. The job ends verified (0 rows in scope, rollups
 * equal raw for every touched bucket) or the benchmark fails.
 */
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { openPostgres, queryRows } from "@/lib/db";
import { removalJobs } from "@/lib/db/schema";
import { claimJob, runJob, type RunReport } from "@/lib/removal/jobs";
import { ingestUsageBatch } from "@/lib/usage/ingest";
import { createOrgs } from "../lib/generate";
import { generateRemovalData } from "../lib/removal-data";
import { percentile, round } from "../lib/stats";
import type { Benchmark, BenchRow } from "../lib/types";

const DAY = 86_400_000;
const fleet = { kind: "service" as const, tokenId: "00000000-0000-4000-8000-0000000000b1", name: "bench", scopes: ["usage:write" as const] };

function ingestBatch(orgId: string, fromMs: number, toMs: number, n: number) {
  return {
    events: Array.from({ length: n }, () => ({
      id: crypto.randomUUID(),
      orgId,
      occurredAt: new Date(fromMs + Math.random() * (toMs - fromMs)).toISOString(),
      product: "llm",
      model: "atlas-large",
      inputUnits: 100,
      outputUnits: 50,
      status: "ok",
      latencyMs: 300,
      apiKeyId: "key_1",
      zeroRetention: false,
    })),
  };
}

export const benchmark: Benchmark = {
  name: "removal",
  description: "removal job of a 30-day range vs one plain DELETE … WHERE on a copy; batch duration; ingest p99 during the job vs idle",
  async run(ctx) {
    const total = ctx.quick ? 200_000 : 10_000_000;
    const options = {
      ...(process.env.BENCH_REMOVAL_BATCH ? { batchSize: Number(process.env.BENCH_REMOVAL_BATCH) } : {}),
      ...(process.env.BENCH_REMOVAL_TARGET_MS ? { targetBatchMs: Number(process.env.BENCH_REMOVAL_TARGET_MS) } : {}),
    };
    const db = ctx.handle.db;
    const [orgId, otherId] = await createOrgs(db, 2, "removal");
    await db.execute(sql`update organizations set time_zone = 'UTC' where id in (${orgId}, ${otherId})`);
    const now = Date.now();
    // 60 days of events in time order, 90% for the org under removal; the range removed is days 15-45 ago (about half).
    ctx.log(`generating ${total.toLocaleString("en-US")} events`);
    await generateRemovalData(db, orgId, otherId, total, now, ctx.log);
    ctx.log("vacuum analyze");
    const pool = ctx.handle.pool!;
    const pg = { unsafe: (q: string) => pool.query(q) };
    await pg.unsafe("vacuum analyze usage_events");
    await pg.unsafe("vacuum analyze usage_rollups_hourly");
    await pg.unsafe("vacuum analyze usage_rollups_daily");

    const fromAt = new Date(Math.floor((now - 45 * DAY) / DAY) * DAY);
    const toAt = new Date(fromAt.getTime() + 30 * DAY);
    // Ingest on its own pool, as the app's would be: idle first.
    const ingestHandle = openPostgres(ctx.url, { max: 2 });
    const ingestLatencies = async (until: () => boolean, minBatches: number) => {
      const out: number[] = [];
      while (out.length < minBatches || !until()) {
        const t = performance.now();
        await ingestUsageBatch(fleet, ingestBatch(orgId, fromAt.getTime(), toAt.getTime(), 100), ingestHandle.db);
        out.push(performance.now() - t);
        if (out.length > 100_000) break;
      }
      return out;
    };
    ctx.log("ingest idle");
    const idle = await ingestLatencies(() => true, 200);

    // Counted after the idle ingest, which added events into the range: the copy, the plain DELETE and the job take these same rows.
    const [{ n: inScope }] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from usage_events where org_id = ${orgId} and occurred_at >= ${fromAt.toISOString()}::timestamptz and occurred_at < ${toAt.toISOString()}::timestamptz`,
    );

    // The plain DELETE on a copy (same rows, same index).
    ctx.log("copying the table for the plain DELETE");
    await pg.unsafe("create table bench_removal_copy as select * from usage_events");
    await pg.unsafe("create index on bench_removal_copy (org_id, occurred_at)");
    await pg.unsafe("vacuum analyze bench_removal_copy");
    const t0 = performance.now();
    const plain = await pg.unsafe(
      `delete from bench_removal_copy where org_id = '${orgId}' and occurred_at >= '${fromAt.toISOString()}' and occurred_at < '${toAt.toISOString()}'`,
    );
    const plainSeconds = (performance.now() - t0) / 1000;
    const plainRate = (plain.rowCount ?? 0) / plainSeconds;
    await pg.unsafe("drop table bench_removal_copy");

    await db.insert(removalJobs).values({ kind: "request", orgId, fromAt, toAt, adjustRollups: true });
    ctx.log(`removal job: ${inScope.toLocaleString("en-US")} rows in scope`);
    let finished = false;
    const t1 = performance.now();
    const jobRun = (async (): Promise<RunReport> => {
      const job = (await claimJob(db, options))!;
      const r = await runJob(db, job, options);
      finished = true;
      return r;
    })();
    const during = await ingestLatencies(() => finished, 20);
    const report = await jobRun;
    const jobSeconds = (performance.now() - t1) / 1000;
    await ingestHandle.close();
    const [job] = await db.select().from(removalJobs).where(eq(removalJobs.orgId, orgId));
    if (job.status !== "done") throw new Error(`the removal job ended ${job.status}: ${job.lastError ?? ""}`);
    const v = job.verification as { eventsInScope: number; hourlyMismatches: number; dailyMismatches: number };
    if (v.eventsInScope !== 0 || v.hourlyMismatches !== 0 || v.dailyMismatches !== 0) throw new Error(`verification failed: ${JSON.stringify(v)}`);
    const jobRate = job.eventsDeleted / jobSeconds;
    const idleP99 = percentile(idle, 99);
    const duringP99 = percentile(during, 99);
    const data = `${total.toLocaleString("en-US")} events over 60 days (2 orgs); ${inScope.toLocaleString("en-US")} in the 30-day range`;
    const rows: BenchRow[] = [
      {
        benchmark: "removal",
        variant: "removal job (time-sliced batches, rollups subtracted per batch, verified), ingest running",
        data,
        rate: round(jobRate),
        unit: "rows/s",
        note: `${round(jobRate / plainRate, 2)}x plain DELETE (goal >= 0.5x); ${report.batches} batches, max batch ${job.maxBatchMs} ms (goal <= 1000 ms); ${report.retries} lock retries; ${job.eventsDeleted.toLocaleString("en-US")} deleted (the events ingested during the job came after its cut-off and stay); job time includes the count at claim and the verification`,
      },
      {
        benchmark: "removal",
        variant: "one plain DELETE … WHERE on a copy (no rollups)",
        data,
        rate: round(plainRate),
        unit: "rows/s",
        note: `${round(plainSeconds, 2)} s in one transaction`,
      },
      {
        benchmark: "removal",
        variant: "ingest of 100-event batches into the range, idle",
        data: `${idle.length} batches`,
        rate: round((idle.length * 100) / (idle.reduce((a, b) => a + b, 0) / 1000)),
        unit: "events/s",
        p50Ms: round(percentile(idle, 50), 2),
        p99Ms: round(idleP99, 2),
      },
      {
        benchmark: "removal",
        variant: "ingest of 100-event batches into the range, during the job",
        data: `${during.length} batches`,
        rate: round((during.length * 100) / (during.reduce((a, b) => a + b, 0) / 1000)),
        unit: "events/s",
        p50Ms: round(percentile(during, 50), 2),
        p99Ms: round(duringP99, 2),
        note: `${round(duringP99 / idleP99, 2)}x idle p99 (goal <= 2x)`,
      },
    ];
    return rows;
  },
};
