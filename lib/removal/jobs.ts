/**
 * Removal jobs: delete usage metadata in scope in bounded batches, each one
 * short transaction with `statement_timeout` and `lock_timeout`, and keep
 * both rollups equal to the raw events while doing it.
 *
 * A batch is a slice of the scope's time: the usage store deletes the
 * scope's events of the slice, takes exactly what it deleted off the hourly
 * and daily rollups (rows that reach zero are deleted), and the job adds the
 * counts to its progress, all in one commit (lib/usage/removal.ts has the
 * statements and why they cannot deadlock with ingest). A crash loses only
 * the batch in flight, which rolls back whole, so the counts stay exact; the
 * job resumes (the lease of a dead runner expires) from the first event
 * still in scope. Slices are sized as the job goes: each aims at
 * `targetBatchMs` and at most `batchSize` events, from the rate the previous
 * ones ran at; a slice that runs out of time is rolled back and retried
 * smaller.
 *
 * Ingest goes on meanwhile; a batch that would wait for a lock longer than
 * `lock_timeout` gives way (it rolls back and is retried), so an ingest never
 * fails or waits long because of a removal.
 *
 * The job ends by reading the store in one snapshot: zero events in scope,
 * and every touched hourly and daily bucket equal to the raw events. Only
 * then is the request completed (with the counts the certificate states).
 * Events in scope found then (an ingest that began before the cut-off and
 * committed into a slice already passed) are taken by another pass.
 */
import { and, eq, sql } from "drizzle-orm";
import { getDb, queryRows, type Db, type Tx } from "@/lib/db";
import { removalJobs, removalOrders, removalRequests } from "@/lib/db/schema";
import type { SystemPrincipal } from "@/lib/auth/principal";
import { kickOutbox } from "@/lib/notify/worker";
import { scopeWhere, type RemovalVerification, type TimeSlice } from "@/lib/usage/removal";
import { usageStore, type UsageScope, type UsageStore } from "@/lib/usage/store";
import { recordTransitionIn, type RemovalRequest } from "./requests";

export type RemovalJob = typeof removalJobs.$inferSelect;

export const SYSTEM_REMOVAL: SystemPrincipal = { kind: "system", name: "removal job" };

export type JobOptions = {
  /** Most raw events a batch aims at (its slice is sized from the density seen so far). */
  batchSize?: number;
  /** The duration a batch aims at; slices grow or shrink towards it. */
  targetBatchMs?: number;
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

const DEFAULTS = { batchSize: 100_000, targetBatchMs: 300, leaseMs: 30_000, statementTimeoutMs: 2000, lockTimeoutMs: 200, maxAttempts: 5 };
/** The first slice of a job: this many events at most, to learn the rate before growing. */
const PROBE_EVENTS = 1000;
const HOUR = 3_600_000;

function scopeOf(job: RemovalJob): UsageScope {
  return { orgId: job.orgId, fromAt: job.fromAt, toAt: job.toAt, apiKeyId: job.apiKeyId, projectId: job.projectId, cutoffAt: job.cutoffAt };
}

/** Events in a job's scope, read now. */
export async function countInScope(db: Tx, job: Pick<RemovalJob, "orgId" | "fromAt" | "toAt" | "apiKeyId" | "projectId" | "cutoffAt">): Promise<number> {
  const [r] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from usage_events where ${scopeWhere(job)}`);
  return Number(r.n);
}

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

export type BatchResult = { deleted: number; ms: number };

/**
 * One batch in one short transaction: the scope's events of one slice of its
 * time, through the store. Returns how many raw events it deleted.
 */
export async function runBatch(db: Db, job: RemovalJob, slice: TimeSlice, options: JobOptions = {}, store?: UsageStore): Promise<BatchResult> {
  const o = { ...DEFAULTS, ...options };
  const s = store ?? (await usageStore());
  if (!s.removeSlice) throw new Error(`the ${s.kind} usage store removes a scope whole, not in batches`);
  const removeSlice = s.removeSlice.bind(s);
  const started = performance.now();
  const deleted = await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = ${Math.round(o.statementTimeoutMs)}`));
    await tx.execute(sql.raw(`set local lock_timeout = ${Math.round(o.lockTimeoutMs)}`));
    // The deleted rows are held for the aggregation: keep them in memory rather than in a temporary file.
    await tx.execute(sql.raw(`set local work_mem = '64MB'`));
    const r = await removeSlice(scopeOf(job), slice, { adjustRollups: job.adjustRollups }, tx);
    const n = r.eventsDeleted;
    if (o.pauseInBatchMs) await tx.execute(sql`select pg_sleep(${o.pauseInBatchMs / 1000})`);
    const ms = Math.round(performance.now() - started);
    await tx
      .update(removalJobs)
      .set({
        eventsDeleted: sql`${removalJobs.eventsDeleted} + ${n}`,
        hourlyRowsAdjusted: sql`${removalJobs.hourlyRowsAdjusted} + ${r.hourlyRowsAdjusted}`,
        hourlyRowsDeleted: sql`${removalJobs.hourlyRowsDeleted} + ${r.hourlyRowsDeleted}`,
        dailyRowsAdjusted: sql`${removalJobs.dailyRowsAdjusted} + ${r.dailyRowsAdjusted}`,
        dailyRowsDeleted: sql`${removalJobs.dailyRowsDeleted} + ${r.dailyRowsDeleted}`,
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

export type Verification = RemovalVerification & { verifiedAt: string };

/** Reads the store: events left in scope, and rollups against raw events for every bucket the job touched. */
export async function verifyJob(tx: Tx, job: RemovalJob, store: UsageStore): Promise<Verification> {
  if (!store.verifyRemoval) throw new Error(`the ${store.kind} usage store has no bounded removal`);
  const v = await store.verifyRemoval(scopeOf(job), { checkRollups: job.adjustRollups }, tx);
  return { verifiedAt: new Date().toISOString(), ...v };
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

/** Verifies and, if the store agrees, finishes the job (and its request when all parts are done); "more" when events are still in scope. */
async function finishJob(db: Db, job: RemovalJob, store: UsageStore): Promise<"done" | "more" | "mismatch"> {
  const outcome = await db.transaction(
    async (tx) => {
      const [current] = await tx.select().from(removalJobs).where(eq(removalJobs.id, job.id));
      const v = await verifyJob(tx, current, store);
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

/**
 * The slices of a job: from the first event in scope to the end of the
 * range, each sized from the last one's rate and density so it takes about
 * `targetBatchMs` and holds at most about `batchSize` events. Slices of an
 * hour or more end on a whole hour, so each hourly rollup row is corrected
 * by one batch.
 */
class Slicer {
  private windowMs: number;
  cursor: number;
  constructor(
    private readonly end: number,
    start: number,
    rowsRemaining: number,
    private readonly o: { batchSize: number; targetBatchMs: number },
  ) {
    this.cursor = start;
    const density = rowsRemaining / Math.max(1, end - start);
    this.windowMs = density > 0 ? Math.max(1, Math.min(PROBE_EVENTS, o.batchSize) / density) : end - start;
  }
  get done(): boolean {
    return this.cursor >= this.end;
  }
  next(): TimeSlice {
    let hi = this.cursor + this.windowMs;
    if (this.windowMs >= HOUR && Math.floor(hi / HOUR) * HOUR > this.cursor) hi = Math.floor(hi / HOUR) * HOUR;
    return { fromAt: new Date(this.cursor), toAt: new Date(Math.min(this.end, Math.ceil(hi))) };
  }
  /** A batch committed: move on, and size the next slice from what this one took. */
  advance(slice: TimeSlice, deleted: number, ms: number): void {
    this.cursor = slice.toAt.getTime();
    const width = slice.toAt.getTime() - slice.fromAt.getTime();
    let next = width * Math.min(2, Math.max(0.25, this.o.targetBatchMs / Math.max(1, ms)));
    if (deleted > 0) next = Math.min(next, (width * this.o.batchSize) / deleted);
    this.windowMs = Math.max(1, next);
  }
  /** The slice ran out of time and rolled back: try a quarter of it. */
  shrink(): void {
    this.windowMs = Math.max(1, this.windowMs / 4);
  }
  restart(from: number): void {
    this.cursor = from;
  }
}

/** Runs one job to its end (or the time budget). */
export async function runJob(
  db: Db,
  job: RemovalJob,
  options: JobOptions = {},
  report: RunReport = { jobs: 0, batches: 0, deleted: 0, retries: 0, maxBatchMs: 0 },
): Promise<RunReport> {
  const store = await usageStore();
  if (!store.removeSlice || !store.firstInScope) return runJobOnStore(db, job, store, report);
  const firstInScope = store.firstInScope.bind(store);
  const o = { ...DEFAULTS, ...options };
  const started = Date.now();
  let failures = 0;
  report.jobs++;
  // Where the job starts or resumes: the first event still in scope (a killed run's slices are gone already).
  const first = async () => (await firstInScope(scopeOf(job), db))?.getTime() ?? job.toAt.getTime();
  const slicer = new Slicer(job.toAt.getTime(), await first(), job.rowsRemaining ?? 0, o);
  for (;;) {
    if (options.timeBudgetMs !== undefined && Date.now() - started > options.timeBudgetMs) {
      await db.update(removalJobs).set({ leasedUntil: null }).where(eq(removalJobs.id, job.id));
      return report;
    }
    try {
      if (!slicer.done) {
        const slice = slicer.next();
        const b = await runBatch(db, job, slice, o, store);
        slicer.advance(slice, b.deleted, b.ms);
        if (b.deleted > 0) {
          report.batches++;
          report.deleted += b.deleted;
          report.maxBatchMs = Math.max(report.maxBatchMs, b.ms);
        }
        failures = 0;
        continue;
      }
      const end = await finishJob(db, job, store);
      if (end === "done") return report;
      if (end === "mismatch") {
        await failJob(db, job, "rollups did not equal the raw events after the removal");
        return report;
      }
      slicer.restart(await first());
    } catch (err) {
      if (isTransient(err)) {
        report.retries++;
        // A statement that ran out of time gets a smaller slice; a lock wait just waits a little.
        if (errorCode(err) === "57014") slicer.shrink();
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
