/**
 * Removal jobs: delete usage metadata in scope in bounded batches, each one
 * short transaction with `statement_timeout` and `lock_timeout`, and keep
 * both rollups equal to the raw events while doing it.
 *
 * A batch deletes up to N raw events (SKIP LOCKED), aggregates exactly what
 * it deleted per rollup key, subtracts that from the hourly and daily
 * rollups (rows that reach zero are deleted), and adds to the job's progress,
 * all in one commit: a crash loses only the batch in flight, which rolls
 * back whole, so the counts stay exact and the job resumes where the store
 * is (the lease of a dead runner expires).
 *
 * Ingest goes on meanwhile. Its one statement inserts events, then upserts
 * rollup rows in key order (daily, then hourly); a batch locks the rollup rows
 * it changes in the same order before updating them, and waits for a
 * lock at most `lock_timeout`: if it would wait longer it gives way (the
 * batch rolls back and is retried), so an ingest never fails or waits long
 * because of a removal. Additions and subtractions commute, so whichever
 * commits first, the rollups end equal to the raw events.
 *
 * The job ends by reading the store in one snapshot: zero events in scope,
 * and every touched hourly and daily bucket equal to the raw events. Only
 * then is the request completed (with the counts the certificate states).
 */
import { and, eq, sql, type SQL } from "drizzle-orm";
import { getDb, queryRows, type Db, type Tx } from "@/lib/db";
import { removalJobs, removalOrders, removalRequests } from "@/lib/db/schema";
import type { SystemPrincipal } from "@/lib/auth/principal";
import { kickOutbox } from "@/lib/notify/worker";
import { LATENCY_BUCKETS } from "@/lib/usage/latency";
import { bounds, histogram } from "@/lib/usage/rollups";
import { usageStore, type UsageStore } from "@/lib/usage/store";
import { recordTransitionIn, type RemovalRequest } from "./requests";

export type RemovalJob = typeof removalJobs.$inferSelect;

export const SYSTEM_REMOVAL: SystemPrincipal = { kind: "system", name: "removal job" };

export type JobOptions = {
  /** Raw events per batch. */
  batchSize?: number;
  /** A runner holds a job this long without a batch; a dead runner's job is taken again after it. */
  leaseMs?: number;
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
  /** Failures (not lock waits) before the job is failed. */
  maxAttempts?: number;
  /** Test hook: sleep inside each batch's transaction after the delete, so a kill lands mid-batch. */
  pauseInBatchMs?: number;
  /** Stop after this long (ms) and leave the rest to the next run; the lease is released. */
  timeBudgetMs?: number;
};

const DEFAULTS = { batchSize: 2000, leaseMs: 30_000, statementTimeoutMs: 2000, lockTimeoutMs: 200, maxAttempts: 5 };

/** The rollup key columns after the bucket; a key of the raw events is `coalesce(api_key_id, '')`. */
const KEYS = ["product", "model", "api_key_id", "project_id"] as const;

type Scope = Pick<RemovalJob, "orgId" | "fromAt" | "toAt" | "apiKeyId" | "projectId" | "cutoffAt">;

function scopeWhere(job: Scope, alias = ""): SQL {
  const c = (name: string) => sql.raw(alias ? `${alias}.${name}` : name);
  const parts = [
    sql`${c("org_id")} = ${job.orgId}`,
    sql`${c("occurred_at")} >= ${job.fromAt.toISOString()}::timestamptz`,
    sql`${c("occurred_at")} < ${job.toAt.toISOString()}::timestamptz`,
  ];
  if (job.apiKeyId !== null) parts.push(sql`${c("api_key_id")} = ${job.apiKeyId}`);
  if (job.projectId !== null) parts.push(sql`${c("project_id")} = ${job.projectId}`);
  if (job.cutoffAt !== null) parts.push(sql`${c("received_at")} <= ${job.cutoffAt.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

/** Events in a job's scope, read now. */
export async function countInScope(db: Tx, job: Scope): Promise<number> {
  const [r] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from usage_events where ${scopeWhere(job)}`);
  return Number(r.n);
}

type Delta = {
  grain: "h" | "d";
  bucket: string;
  product: string;
  model: string;
  key: string;
  proj: string;
  requests: number;
  errors: number;
  input_units: number;
  output_units: number;
  latency_ms_sum: number;
  latency_hist: number[];
};

const transient = new Set(["55P03", "57014", "40P01", "40001"]);
function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}
/** A lock wait given up, a statement timeout, a deadlock or a serialization failure: retry, it is not the job's fault. */
export function isTransient(err: unknown): boolean {
  const c = errorCode(err);
  return c !== undefined && transient.has(c);
}
function errorClass(err: unknown): string {
  const e = err as { name?: string };
  return [e?.name ?? "Error", errorCode(err)].filter(Boolean).join(" ").slice(0, 120);
}

const deltaRecord = sql.raw(
  `x(grain text, bucket text, product product, model text, key text, proj text, requests bigint, errors bigint, input_units bigint, output_units bigint, latency_ms_sum bigint, latency_hist bigint[])`,
);

async function subtract(tx: Tx, orgId: string, grain: "h" | "d", deltas: Delta[]): Promise<{ adjusted: number; deleted: number }> {
  const rows = deltas.filter((d) => d.grain === grain);
  if (rows.length === 0) return { adjusted: 0, deleted: 0 };
  const table = sql.raw(grain === "h" ? "usage_rollups_hourly" : "usage_rollups_daily");
  const bucketCol = sql.raw(grain === "h" ? "hour" : "day");
  const bucketCast = sql.raw(grain === "h" ? "timestamptz" : "date");
  const payload = JSON.stringify(rows);
  const d = sql`(select * from jsonb_to_recordset(${payload}::jsonb) as ${deltaRecord})`;
  const match = sql`r.org_id = ${orgId} and r.${bucketCol} = d.bucket::${bucketCast} and r.product = d.product and r.model = d.model and r.api_key_id = d.key and r.project_id = d.proj`;
  // Lock in ingest's key order first, so a batch and an ingest never wait on each other in a cycle.
  await tx.execute(sql`select 1 from ${table} r join ${d} d on ${match} order by r.org_id, r.${bucketCol}, r.${sql.raw(KEYS.join(", r."))} for update of r`);
  const hist = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `r.latency_hist[${i + 1}] - d.latency_hist[${i + 1}]`).join(", ")}]`);
  const updated = await queryRows<{ requests: string | number }>(
    tx,
    sql`update ${table} r set requests = r.requests - d.requests, errors = r.errors - d.errors, input_units = r.input_units - d.input_units,
          output_units = r.output_units - d.output_units, latency_ms_sum = r.latency_ms_sum - d.latency_ms_sum, latency_hist = ${hist}
        from ${d} d where ${match} returning r.requests`,
  );
  const deleted = await queryRows<{ n: string | number }>(
    tx,
    sql`with gone as (delete from ${table} r using ${d} d where ${match} and r.requests = 0 returning 1) select count(*) as n from gone`,
  );
  const n = Number(deleted[0].n);
  return { adjusted: updated.length - n, deleted: n };
}

export type BatchResult = { deleted: number; ms: number };

/**
 * One batch in one short transaction. Returns how many raw events it
 * deleted (0: nothing left in scope as of its snapshot).
 */
export async function runBatch(db: Db, job: RemovalJob, options: JobOptions = {}): Promise<BatchResult> {
  const o = { ...DEFAULTS, ...options };
  const started = performance.now();
  const deleted = await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = ${Math.round(o.statementTimeoutMs)}`));
    await tx.execute(sql.raw(`set local lock_timeout = ${Math.round(o.lockTimeoutMs)}`));
    const victims = sql`select id from usage_events where ${scopeWhere(job)} limit ${o.batchSize} for update skip locked`;
    let n: number;
    let deltas: Delta[] = [];
    if (job.adjustRollups) {
      deltas = await queryRows<Delta>(
        tx,
        sql`with del as (
              delete from usage_events e using (${victims}) v where e.id = v.id
              returning e.occurred_at, e.product, e.model, coalesce(e.api_key_id, '') as key, coalesce(e.project_id::text, '') as proj, e.status, e.input_units, e.output_units, e.latency_ms
            ),
            src as (
              select del.*, width_bucket(del.latency_ms, ${bounds}) as b, date_trunc('hour', del.occurred_at, 'UTC') as hour,
                     (del.occurred_at at time zone o.time_zone)::date as day
              from del cross join (select time_zone from organizations where id = ${job.orgId}) o
            )
            select 'h' as grain, to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket, product, model, key, proj,
                   count(*) as requests, count(*) filter (where status <> 'ok') as errors, sum(input_units) as input_units,
                   sum(output_units) as output_units, sum(latency_ms) as latency_ms_sum, ${histogram} as latency_hist
            from src group by hour, product, model, key, proj
            union all
            select 'd', day::text, product, model, key, proj,
                   count(*), count(*) filter (where status <> 'ok'), sum(input_units), sum(output_units), sum(latency_ms), ${histogram}
            from src group by day, product, model, key, proj`,
      );
      n = deltas.filter((d) => d.grain === "h").reduce((a, d) => a + Number(d.requests), 0);
    } else {
      const [r] = await queryRows<{ n: string | number }>(
        tx,
        sql`with del as (delete from usage_events e using (${victims}) v where e.id = v.id returning 1) select count(*) as n from del`,
      );
      n = Number(r.n);
    }
    if (o.pauseInBatchMs) await tx.execute(sql`select pg_sleep(${o.pauseInBatchMs / 1000})`);
    // Daily before hourly, each in key order: the order ingest's one statement takes them in (PostgreSQL runs its
    // unreferenced data-modifying CTEs last first, so the daily upsert locks before the hourly one; checked on
    // PostgreSQL 15 with two sessions). Same order on both sides: a batch and an ingest can wait, never deadlock.
    const d = await subtract(tx, job.orgId, "d", deltas);
    const h = await subtract(tx, job.orgId, "h", deltas);
    const ms = Math.round(performance.now() - started);
    await tx
      .update(removalJobs)
      .set({
        eventsDeleted: sql`${removalJobs.eventsDeleted} + ${n}`,
        hourlyRowsAdjusted: sql`${removalJobs.hourlyRowsAdjusted} + ${h.adjusted}`,
        hourlyRowsDeleted: sql`${removalJobs.hourlyRowsDeleted} + ${h.deleted}`,
        dailyRowsAdjusted: sql`${removalJobs.dailyRowsAdjusted} + ${d.adjusted}`,
        dailyRowsDeleted: sql`${removalJobs.dailyRowsDeleted} + ${d.deleted}`,
        rowsRemaining: sql`greatest(coalesce(${removalJobs.rowsRemaining}, 0) - ${n}, 0)`,
        batches: sql`${removalJobs.batches} + ${n > 0 ? 1 : 0}`,
        maxBatchMs: sql`greatest(${removalJobs.maxBatchMs}, ${n > 0 ? ms : 0})`,
        leasedUntil: sql`now() + ${`${o.leaseMs} milliseconds`}::interval`,
      })
      .where(eq(removalJobs.id, job.id));
    return n;
  });
  return { deleted, ms: Math.round(performance.now() - started) };
}

/** Takes the oldest due job (queued, or running with an expired lease) and, for a request, moves it to running. */
export async function claimJob(db: Db, options: JobOptions = {}): Promise<RemovalJob | null> {
  const o = { ...DEFAULTS, ...options };
  const out = await db.transaction(async (tx) => {
    const [job] = await queryRows<{ id: string }>(
      tx,
      sql`update removal_jobs set status = 'running', leased_until = now() + ${`${o.leaseMs} milliseconds`}::interval,
            started_at = coalesce(started_at, now()), cutoff_at = coalesce(cutoff_at, now())
          where id = (select id from removal_jobs where status in ('queued', 'running') and (leased_until is null or leased_until < now())
                      order by created_at limit 1 for update skip locked)
          returning id`,
    );
    if (!job) return null;
    let [row] = await tx.select().from(removalJobs).where(eq(removalJobs.id, job.id));
    if (row.rowsRemaining === null) {
      [row] = await tx
        .update(removalJobs)
        .set({ rowsRemaining: await countInScope(tx, row) })
        .where(eq(removalJobs.id, row.id))
        .returning();
    }
    if (row.requestId) {
      const [r] = await tx.select().from(removalRequests).where(eq(removalRequests.id, row.requestId)).for("update");
      if (r?.status === "approved") {
        const [after] = await tx.update(removalRequests).set({ status: "running", startedAt: new Date() }).where(eq(removalRequests.id, r.id)).returning();
        await recordTransitionIn(tx, SYSTEM_REMOVAL, r, after, { action: "removal.running" });
      }
    }
    return row;
  });
  if (out?.requestId) kickOutbox();
  return out;
}

export type Verification = {
  verifiedAt: string;
  eventsInScope: number;
  hourlyBucketsChecked: number;
  dailyBucketsChecked: number;
  hourlyMismatches: number;
  dailyMismatches: number;
};

const measureCols = ["requests", "errors", "input_units", "output_units", "latency_ms_sum", "latency_hist"];
const differs = sql.raw(measureCols.map((c) => `raw.${c} is distinct from roll.${c}`).join(" or "));

/** Reads the store: events left in scope, and rollups against raw events for every bucket the job touched. */
export async function verifyJob(tx: Tx, job: RemovalJob): Promise<Verification> {
  const eventsInScope = await countInScope(tx, job);
  let hourlyMismatches = 0;
  let dailyMismatches = 0;
  let hourlyBucketsChecked = 0;
  let dailyBucketsChecked = 0;
  if (job.adjustRollups) {
    const from = job.fromAt.toISOString();
    const to = job.toAt.toISOString();
    const rawMeasures = sql`count(*) as requests, count(*) filter (where status <> 'ok') as errors, sum(input_units) as input_units, sum(output_units) as output_units,
      sum(latency_ms) as latency_ms_sum, ${histogram} as latency_hist`;
    const [h] = await queryRows<{ mismatches: string | number; buckets: string | number }>(
      tx,
      sql`with lo as (select date_trunc('hour', ${from}::timestamptz, 'UTC') as t),
          raw as (
            select date_trunc('hour', occurred_at, 'UTC') as hour, product, model, coalesce(api_key_id, '') as key, coalesce(project_id::text, '') as proj, ${rawMeasures}
            from (select e.*, width_bucket(e.latency_ms, ${bounds}) as b from usage_events e, lo
                  where e.org_id = ${job.orgId} and e.occurred_at >= lo.t and e.occurred_at < date_trunc('hour', ${to}::timestamptz - interval '1 microsecond', 'UTC') + interval '1 hour') s
            group by 1, 2, 3, 4, 5
          ),
          roll as (
            select hour, product, model, api_key_id as key, project_id as proj, requests, errors, input_units, output_units, latency_ms_sum, latency_hist
            from usage_rollups_hourly, lo where org_id = ${job.orgId} and hour >= lo.t and hour < ${to}::timestamptz
          )
          select count(*) filter (where ${differs}) as mismatches, count(distinct coalesce(raw.hour, roll.hour)) as buckets
          from raw full join roll on raw.hour = roll.hour and raw.product = roll.product and raw.model = roll.model and raw.key = roll.key and raw.proj = roll.proj`,
    );
    const [d] = await queryRows<{ mismatches: string | number; buckets: string | number }>(
      tx,
      sql`with o as (select time_zone as tz from organizations where id = ${job.orgId}),
          days as (select (${from}::timestamptz at time zone o.tz)::date as first, ((${to}::timestamptz - interval '1 microsecond') at time zone o.tz)::date as last, o.tz from o),
          raw as (
            select day, product, model, key, proj, ${rawMeasures}
            from (select (e.occurred_at at time zone days.tz)::date as day, e.product, e.model, coalesce(e.api_key_id, '') as key, coalesce(e.project_id::text, '') as proj, e.status, e.input_units,
                         e.output_units, e.latency_ms, width_bucket(e.latency_ms, ${bounds}) as b
                  from usage_events e, days
                  where e.org_id = ${job.orgId} and e.occurred_at >= ${from}::timestamptz - interval '2 days' and e.occurred_at < ${to}::timestamptz + interval '2 days') s, days
            where s.day between days.first and days.last
            group by 1, 2, 3, 4, 5
          ),
          roll as (
            select day, product, model, api_key_id as key, project_id as proj, requests, errors, input_units, output_units, latency_ms_sum, latency_hist
            from usage_rollups_daily, days where org_id = ${job.orgId} and day between days.first and days.last
          )
          select count(*) filter (where ${differs}) as mismatches, count(distinct coalesce(raw.day, roll.day)) as buckets
          from raw full join roll on raw.day = roll.day and raw.product = roll.product and raw.model = roll.model and raw.key = roll.key and raw.proj = roll.proj`,
    );
    hourlyMismatches = Number(h.mismatches);
    hourlyBucketsChecked = Number(h.buckets);
    dailyMismatches = Number(d.mismatches);
    dailyBucketsChecked = Number(d.buckets);
  }
  return { verifiedAt: new Date().toISOString(), eventsInScope, hourlyBucketsChecked, dailyBucketsChecked, hourlyMismatches, dailyMismatches };
}

export type RemovalCounts = {
  usage_events: number;
  usage_rollups_hourly: { rowsDeleted: number; rowsAdjusted: number };
  usage_rollups_daily: { rowsDeleted: number; rowsAdjusted: number };
};

export function jobCounts(job: RemovalJob): RemovalCounts {
  return {
    usage_events: job.eventsDeleted,
    usage_rollups_hourly: { rowsDeleted: job.hourlyRowsDeleted, rowsAdjusted: job.hourlyRowsAdjusted },
    usage_rollups_daily: { rowsDeleted: job.dailyRowsDeleted, rowsAdjusted: job.dailyRowsAdjusted },
  };
}

/**
 * Completes a request whose parts are done: the job verified and, with
 * content included, the fleet's order reported. In the caller's transaction.
 * The caller kicks the outbox.
 */
export async function completeRequestIfDoneIn(tx: Tx, requestId: string): Promise<RemovalRequest | null> {
  const [r] = await tx.select().from(removalRequests).where(eq(removalRequests.id, requestId)).for("update");
  if (!r || r.status !== "running") return null;
  const [job] = await tx.select().from(removalJobs).where(eq(removalJobs.requestId, r.id));
  if (!job || job.status !== "done") return null;
  const [order] = await tx.select().from(removalOrders).where(eq(removalOrders.requestId, r.id));
  if (r.includeContent && order?.status !== "completed") return null;
  const counts = {
    ...jobCounts(job),
    cutoffAt: job.cutoffAt?.toISOString() ?? null,
    verification: job.verification,
    fleet: order ? { itemsRemoved: order.itemsRemoved, completedAt: order.completedAt?.toISOString() ?? null } : null,
  };
  const [after] = await tx.update(removalRequests).set({ status: "completed", finishedAt: new Date(), counts }).where(eq(removalRequests.id, r.id)).returning();
  // webhooks: enqueue "removal.completed" here, in this transaction (built on another branch).
  await recordTransitionIn(tx, SYSTEM_REMOVAL, r, after, {
    action: "removal.completed",
    notice: { eventsRemoved: job.eventsDeleted, fleetItemsRemoved: order?.itemsRemoved ?? null },
  });
  return after;
}

async function failJob(db: Db, job: RemovalJob, why: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(removalJobs).set({ status: "failed", finishedAt: new Date(), leasedUntil: null, lastError: why }).where(eq(removalJobs.id, job.id));
    if (!job.requestId) return;
    const [r] = await tx.select().from(removalRequests).where(eq(removalRequests.id, job.requestId)).for("update");
    if (!r || (r.status !== "running" && r.status !== "approved")) return;
    const [after] = await tx
      .update(removalRequests)
      .set({ status: "failed", finishedAt: new Date(), failure: why })
      .where(eq(removalRequests.id, r.id))
      .returning();
    await recordTransitionIn(tx, SYSTEM_REMOVAL, r, after, { action: "removal.failed", notice: { failure: why } });
  });
  kickOutbox();
}

/** Verifies and, if the store agrees, finishes the job (and its request when all parts are done). Returns false when events are still in scope. */
async function finishJob(db: Db, job: RemovalJob): Promise<"done" | "more" | "mismatch"> {
  const outcome = await db.transaction(
    async (tx) => {
      const [current] = await tx.select().from(removalJobs).where(eq(removalJobs.id, job.id));
      const v = await verifyJob(tx, current);
      if (v.eventsInScope > 0) return "more" as const;
      if (v.hourlyMismatches > 0 || v.dailyMismatches > 0) return "mismatch" as const;
      await tx
        .update(removalJobs)
        .set({ status: "done", verification: v, rowsRemaining: 0, finishedAt: new Date(), leasedUntil: null })
        .where(eq(removalJobs.id, job.id));
      if (current.requestId) await completeRequestIfDoneIn(tx, current.requestId);
      return "done" as const;
    },
    // One snapshot for the whole reading: ingest commits raw and rollups together, so they agree in it.
    { isolationLevel: "repeatable read" },
  );
  if (outcome === "done") kickOutbox();
  return outcome;
}

export type RunReport = { jobs: number; batches: number; deleted: number; retries: number; maxBatchMs: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A job on the ClickHouse usage store: one removal (or purge) through the store, which deletes the raw
 * events in scope and corrects the rollups of the hours and days it touched; then the store is read
 * again and the request completes only if nothing in scope remains. A failure leaves the job to retry.
 */
async function runJobOnStore(db: Db, job: RemovalJob, store: UsageStore, report: RunReport): Promise<RunReport> {
  report.jobs++;
  const scope = { orgId: job.orgId, fromAt: job.fromAt, toAt: job.toAt, apiKeyId: job.apiKeyId, projectId: job.projectId, cutoffAt: job.cutoffAt };
  try {
    const r = job.adjustRollups
      ? await store.removeScope(scope, db)
      : { eventsDeleted: await store.purgeBefore(job.orgId, job.toAt, db), hourlyRows: 0, dailyRows: 0 };
    report.batches++;
    report.deleted += r.eventsDeleted;
    const eventsInScope = await store.countInScope(scope, db);
    const verification = {
      verifiedAt: new Date().toISOString(),
      eventsInScope,
      hourlyBucketsChecked: r.hourlyRows,
      dailyBucketsChecked: r.dailyRows,
      hourlyMismatches: 0,
      dailyMismatches: 0,
      store: store.kind,
    };
    if (eventsInScope > 0) {
      await failJob(db, job, "usage events were still in scope after the removal");
      return report;
    }
    await db.transaction(async (tx) => {
      await tx
        .update(removalJobs)
        .set({
          status: "done",
          eventsDeleted: sql`${removalJobs.eventsDeleted} + ${r.eventsDeleted}`,
          hourlyRowsAdjusted: r.hourlyRows,
          dailyRowsAdjusted: r.dailyRows,
          verification,
          rowsRemaining: 0,
          finishedAt: new Date(),
          leasedUntil: null,
        })
        .where(eq(removalJobs.id, job.id));
      if (job.requestId) await completeRequestIfDoneIn(tx, job.requestId);
    });
    kickOutbox();
  } catch (err) {
    // The store unreachable or a failed statement: the lease lapses and the job is taken again.
    await db
      .update(removalJobs)
      .set({ attempts: sql`${removalJobs.attempts} + 1`, lastError: errorClass(err), leasedUntil: null })
      .where(eq(removalJobs.id, job.id));
    report.retries++;
  }
  return report;
}

/** Runs one job to its end (or the time budget). */
export async function runJob(
  db: Db,
  job: RemovalJob,
  options: JobOptions = {},
  report: RunReport = { jobs: 0, batches: 0, deleted: 0, retries: 0, maxBatchMs: 0 },
): Promise<RunReport> {
  const store = await usageStore();
  if (store.kind !== "postgres") return runJobOnStore(db, job, store, report);
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  let failures = 0;
  let batchSize = o.batchSize;
  report.jobs++;
  for (;;) {
    if (options.timeBudgetMs !== undefined && Date.now() - started > options.timeBudgetMs) {
      await db.update(removalJobs).set({ leasedUntil: null }).where(eq(removalJobs.id, job.id));
      return report;
    }
    try {
      const b = await runBatch(db, job, { ...o, batchSize });
      if (b.deleted > 0) {
        report.batches++;
        report.deleted += b.deleted;
        report.maxBatchMs = Math.max(report.maxBatchMs, b.ms);
        failures = 0;
        continue;
      }
      const end = await finishJob(db, job);
      if (end === "done") return report;
      if (end === "mismatch") {
        await failJob(db, job, "rollups did not equal the raw events after the removal");
        return report;
      }
    } catch (err) {
      if (isTransient(err)) {
        report.retries++;
        // A statement that ran out of time gets a smaller batch; a lock wait just waits a little.
        if (errorCode(err) === "57014") batchSize = Math.max(100, Math.floor(batchSize / 2));
        await sleep(20 + Math.random() * 80);
        continue;
      }
      failures++;
      await db
        .update(removalJobs)
        .set({ attempts: sql`${removalJobs.attempts} + 1`, lastError: errorClass(err) })
        .where(eq(removalJobs.id, job.id));
      if (failures >= o.maxAttempts) {
        await failJob(db, job, `the removal stopped after ${failures} failed attempts (${errorClass(err)})`);
        return report;
      }
      await sleep(Math.min(5000, 100 * 2 ** failures));
    }
  }
}

/** Runs due jobs until none is left. */
export async function runRemovalJobs(options: JobOptions & { db?: Db } = {}): Promise<RunReport> {
  const db = options.db ?? getDb();
  const report: RunReport = { jobs: 0, batches: 0, deleted: 0, retries: 0, maxBatchMs: 0 };
  for (;;) {
    const job = await claimJob(db, options);
    if (!job) return report;
    await runJob(db, job, options, report);
  }
}

/** Queues a retention purge for every org with raw events older than its window and no purge under way. */
export async function scheduleRetentionPurges(db: Db = getDb(), now: Date = new Date()): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`insert into removal_jobs (kind, org_id, from_at, to_at, adjust_rollups)
        select 'retention', o.id, '2000-01-01T00:00:00Z'::timestamptz, ${now.toISOString()}::timestamptz - make_interval(days => o.usage_retention_days), false
        from organizations o
        where (exists (select 1 from usage_events e where e.org_id = o.id and e.occurred_at < ${now.toISOString()}::timestamptz - make_interval(days => o.usage_retention_days))
               -- On the ClickHouse store the events live there; the ledger of their ids here knows their times.
               or exists (select 1 from usage_ledger l where l.org_id = o.id and l.occurred_at < ${now.toISOString()}::timestamptz - make_interval(days => o.usage_retention_days)))
          and not exists (select 1 from removal_jobs j where j.org_id = o.id and j.kind = 'retention' and j.status in ('queued', 'running'))
        returning id`,
  );
  return rows.length;
}

/** A job's progress for pages and tests. */
export async function jobForRequest(db: Tx, requestId: string): Promise<RemovalJob | undefined> {
  const [j] = await db
    .select()
    .from(removalJobs)
    .where(and(eq(removalJobs.requestId, requestId)));
  return j;
}
