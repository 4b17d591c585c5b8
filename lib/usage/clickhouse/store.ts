/**
 * The ClickHouse usage store (USAGE_STORE=clickhouse).
 *
 * Exactly once, by construction (README, "Usage on ClickHouse"):
 * 1. Ingest decides new / replay / conflict in PostgreSQL, in one
 *    transaction: the ids go into `usage_ledger` (primary key; a fingerprint
 *    of the fields tells a replay from a conflict) and the new events into
 *    one `usage_relay_batches` row. The answer is sent after that commit, so
 *    what is acknowledged is durable, whether or not ClickHouse is up.
 * 2. The relay sends each batch to ClickHouse as one insert with
 *    `insert_deduplication_token = usage-relay-<batch id>` and deletes the
 *    batch row in the transaction that saw ClickHouse confirm (holding the
 *    row lock meanwhile). A crash between the two resends the same batch
 *    with the same token, and ClickHouse drops the repeated block, in the
 *    raw table and in the materialized views' rollups alike
 *    (`deduplicate_blocks_in_dependent_materialized_views`). The raw table is
 *    a ReplacingMergeTree on the id besides, and exact reads use FINAL.
 * 3. Until a batch is relayed the dashboard says "data as of" the oldest
 *    waiting batch; ClickHouse unreachable, reads throw UsageUnavailableError
 *    and pages say the figures are unavailable.
 *
 * Removal, purge and rebuild hold the relay's advisory lock and relay what
 * waits first, so nothing accepted lands after a removal ran, and a rebuild
 * never races a relay insert into the rollups it rebuilds.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { organizations, projects } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import type { Principal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { prepareUsageBatch, type IngestResult, type UsageEventRow } from "../ingest";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from "../latency";
import { changesOf } from "../compare";
import {
  breakdownOf,
  combineBy,
  seriesPoints,
  totalsFrom,
  usageContext,
  type BreakdownDimension,
  type Breakdowns,
  type MeasureRow,
  type TotalsWithChange,
  type UsageContext,
  type UsageDashboard,
  type UsageQueryArgs,
} from "../queries";
import type { ResolvedRange } from "../range";
import { localDate } from "../range";
import { usageCsvStream } from "../csv";
import { scopeSpan, UsageUnavailableError, type UsageScope, type UsageStore } from "../store";
import { getClickHouse, type ClickHouseHandle } from "./client";
import { migrateClickHouse } from "./migrate";

/** The relay's advisory lock key (pg_advisory_xact_lock): relay, removal, purge and rebuild take turns. */
const RELAY_LOCK = 7_170_017;
/** Batches sent per relay transaction. */
const RELAY_PASS = 8;

/** ClickHouse's text form of an instant: 'YYYY-MM-DD HH:MM:SS.sss' in UTC. */
export function chTime(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return d.toISOString().replace("T", " ").replace("Z", "");
}

/** The fields of an event, in a fixed order, hashed: equal fingerprints are a replay, different ones a conflict. */
export function fingerprint(r: UsageEventRow): string {
  const fields = [
    r.org_id,
    new Date(r.occurred_at).toISOString(),
    r.product,
    r.model,
    r.input_units,
    r.output_units,
    r.status,
    r.latency_ms,
    r.api_key_id ?? null,
    r.project_id ?? null,
    r.zero_retention,
  ];
  return crypto.createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

type ChRow = {
  id: string;
  org_id: string;
  occurred_at: string;
  day: string;
  product: string;
  model: string;
  input_units: number;
  output_units: number;
  status: string;
  latency_ms: number;
  api_key_id: string;
  project_id: string;
  zero_retention: boolean;
  received_at: string;
};

function unavailable(err: unknown): never {
  if (err instanceof AppError) throw err;
  throw new UsageUnavailableError();
}

async function chRows<T>(h: ClickHouseHandle, query: string, params: Record<string, unknown>): Promise<T[]> {
  try {
    const r = await h.client.query({ query, query_params: params, format: "JSONEachRow" });
    return await r.json<T>();
  } catch (err) {
    return unavailable(err);
  }
}

/**
 * A statement with its settings written into it (the embedded engine's connection does not carry
 * per-request settings to every statement): mutations wait for every replica, so what follows sees them done.
 */
async function chCommand(
  h: ClickHouseHandle,
  query: string,
  params: Record<string, unknown> = {},
  settings: Record<string, string | number> = {},
): Promise<void> {
  const all = { ...(query.startsWith("ALTER") ? { mutations_sync: 2 } : query.startsWith("DELETE") ? { lightweight_deletes_sync: 2 } : {}), ...settings };
  const clause = Object.entries(all)
    .map(([k, v]) => `${k} = ${v}`)
    .join(", ");
  const text =
    clause && query.startsWith("INSERT INTO")
      ? query.replace(/^INSERT INTO (\w+)/, `INSERT INTO $1 SETTINGS ${clause}`)
      : clause
        ? `${query} SETTINGS ${clause}`
        : query;
  await h.client.command({ query: text, query_params: params });
}

/** A rebuild may write a block equal to one written before (the same rows again): that is no repeat to drop. */
const rebuildInsert = { insert_deduplicate: 0 };
const readMeasures = "sum(requests) AS req, sum(errors) AS err, sum(input_units) AS inp, sum(output_units) AS outp, sumForEachMerge(latency_hist) AS hist";

type ChMeasure = { req: string | number; err: string | number; inp: string | number; outp: string | number; hist?: (string | number)[] };

function measureRow(r: ChMeasure | undefined): MeasureRow {
  return r
    ? { requests: Number(r.req), errors: Number(r.err), input_units: Number(r.inp), output_units: Number(r.outp), hist: (r.hist ?? []).map(Number) }
    : { requests: 0, errors: 0, input_units: 0, output_units: 0, hist: [] };
}

/** The rollup table and the filter of a window of a range, with its parameters. */
function windowOf(range: ResolvedRange, w: { from: string; to: string }, p: string): { where: string; params: Record<string, string> } {
  return range.grain === "hour"
    ? { where: `hour >= {${p}f:DateTime64(3, 'UTC')} AND hour < {${p}t:DateTime64(3, 'UTC')}`, params: { [`${p}f`]: chTime(w.from), [`${p}t`]: chTime(w.to) } }
    : { where: `day BETWEEN {${p}f:Date} AND {${p}t:Date}`, params: { [`${p}f`]: w.from, [`${p}t`]: w.to } };
}

const tableOf = (range: ResolvedRange) => (range.grain === "hour" ? "usage_rollups_hourly" : "usage_rollups_daily");

function scopeWhere(s: UsageScope): { where: string; params: Record<string, string> } {
  const parts = ["org_id = {org:UUID}", "occurred_at >= {from:DateTime64(3, 'UTC')}", "occurred_at < {to:DateTime64(3, 'UTC')}"];
  const params: Record<string, string> = { org: s.orgId, from: chTime(s.fromAt), to: chTime(s.toAt) };
  if (s.apiKeyId !== null) {
    parts.push("api_key_id = {key:String}");
    params.key = s.apiKeyId;
  }
  if (s.projectId !== null) {
    parts.push("project_id = {proj:String}");
    params.proj = s.projectId;
  }
  if (s.cutoffAt !== null) {
    parts.push("received_at <= {cutoff:DateTime64(3, 'UTC')}");
    params.cutoff = chTime(s.cutoffAt);
  }
  return { where: parts.join(" AND "), params };
}

function ledgerScopeWhere(s: UsageScope) {
  const parts = [sql`org_id = ${s.orgId}`, sql`occurred_at >= ${s.fromAt.toISOString()}::timestamptz`, sql`occurred_at < ${s.toAt.toISOString()}::timestamptz`];
  if (s.apiKeyId !== null) parts.push(sql`api_key_id = ${s.apiKeyId}`);
  if (s.projectId !== null) parts.push(sql`project_id = ${s.projectId}`);
  if (s.cutoffAt !== null) parts.push(sql`received_at <= ${s.cutoffAt.toISOString()}::timestamptz`);
  return sql.join(parts, sql` and `);
}

export type ClickHouseStoreOptions = {
  /** The ClickHouse of the store (default: the process's, from the environment). */
  clickhouse?: () => ClickHouseHandle;
  /** Relay right after each ingest commits (default true; tests turn it off to hold batches back). */
  relayAfterIngest?: boolean;
};

export function clickhouseUsageStore(o: ClickHouseStoreOptions = {}): UsageStore & {
  relay(db?: Tx): Promise<number>;
  migrate(): Promise<string[]>;
  adoptPostgresEvents(db?: Tx): Promise<number>;
  clickhouse(): ClickHouseHandle;
} {
  const ch = o.clickhouse ?? getClickHouse;
  const relayAfterIngest = o.relayAfterIngest ?? true;
  let migrated: Promise<string[]> | undefined;
  const ready = async (): Promise<ClickHouseHandle> => {
    const h = ch();
    migrated ??= migrateClickHouse(h).catch((err) => {
      migrated = undefined;
      throw err;
    });
    try {
      await migrated;
    } catch (err) {
      unavailable(err);
    }
    return h;
  };

  /**
   * One pass: up to RELAY_PASS waiting batches, oldest first, in one transaction. Each is still its own
   * ClickHouse insert with its own token, so a pass that fails half-way (or a crash before the delete)
   * resends blocks ClickHouse drops; the pass only shares PostgreSQL's round trips (lock, select,
   * delete, commit), which cost the relay as much as ClickHouse's insert did on a loaded machine.
   */
  async function relayIn(tx: Tx, h: ClickHouseHandle): Promise<{ batches: number; events: number }> {
    const batches = await queryRows<{ id: string | number; rows: ChRow[] | string }>(
      tx,
      sql`select id, rows from usage_relay_batches order by id limit ${RELAY_PASS} for update skip locked`,
    );
    let events = 0;
    for (const b of batches) {
      const rows = (typeof b.rows === "string" ? JSON.parse(b.rows) : b.rows) as ChRow[];
      await h.client.insert({
        table: "usage_events",
        values: rows.map((r) => ({ ...r, relay_batch: Number(b.id) })),
        format: "JSONEachRow",
        clickhouse_settings: {
          insert_deduplicate: 1,
          insert_deduplication_token: `usage-relay-${b.id}`,
          deduplicate_blocks_in_dependent_materialized_views: 1,
          ...(h.cluster ? { distributed_foreground_insert: 1 } : {}),
        },
      });
      events += rows.length;
    }
    if (batches.length) {
      await tx.execute(
        sql`delete from usage_relay_batches where id in (${sql.join(
          batches.map((b) => sql`${Number(b.id)}`),
          sql`, `,
        )})`,
      );
    }
    return { batches: batches.length, events };
  }

  async function relay(db: Tx = getDb()): Promise<number> {
    const h = await ready();
    let sent = 0;
    // Until nothing waits: a start after a crash, or a burst of ingest, leaves more than one pass's worth.
    for (;;) {
      let pass: { batches: number; events: number };
      try {
        pass = await db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(${RELAY_LOCK})`);
          return relayIn(tx, h);
        });
      } catch (err) {
        await db
          .execute(
            sql`update usage_relay_batches set attempts = attempts + 1, last_error = ${String((err as Error)?.name ?? "Error").slice(0, 120)} where id = (select min(id) from usage_relay_batches)`,
          )
          .catch(() => {});
        throw err;
      }
      sent += pass.events;
      // A short pass saw everything committed when it looked; what commits later kicks the relay again.
      if (pass.batches < RELAY_PASS) break;
    }
    return sent;
  }

  /** Runs fn under the relay lock after relaying everything that waits (in the same transaction). */
  async function exclusive<T>(db: Tx, fn: (tx: Tx, h: ClickHouseHandle) => Promise<T>): Promise<T> {
    const h = await ready();
    return db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${RELAY_LOCK})`);
      try {
        while ((await relayIn(tx, h)).batches > 0);
        return await fn(tx, h);
      } catch (err) {
        return unavailable(err);
      }
    });
  }

  let relaying: Promise<unknown> | null = null;
  let kickedAgain = false;
  function kickRelay(db: Tx) {
    if (relaying) {
      // A batch committed while the relay ran may have been past its last look: go round once more.
      kickedAgain = true;
      return;
    }
    kickedAgain = false;
    relaying = relay(db)
      .catch(() => {
        // ClickHouse unreachable: the batches wait in PostgreSQL; the next ingest or the start retries.
      })
      .finally(() => {
        relaying = null;
        if (kickedAgain) kickRelay(db);
      });
  }

  /**
   * Makes the rollups of a span equal to the raw events again by appending corrections (raw minus
   * rollup, per key), never by deleting rollup rows: an append commutes with the views' own appends,
   * and the embedded engine was seen to apply a rollup DELETE mutation to a part inserted after it.
   * A key that nets to zero everywhere is not written; one left at zero is hidden by the reads.
   */
  async function rebuildSpan(h: ClickHouseHandle, orgId: string, span: { fromHour: string; toHour: string; fromDay: string; toDay: string } | null) {
    const hourIn = span ? " AND hour >= {fh:DateTime64(3, 'UTC')} AND hour < {th:DateTime64(3, 'UTC')}" : "";
    const rawHourIn = span ? " AND occurred_at >= {fh:DateTime64(3, 'UTC')} AND occurred_at < {th:DateTime64(3, 'UTC')}" : "";
    const dayIn = span ? " AND day BETWEEN {fd:Date} AND {td:Date}" : "";
    const params = { org: orgId, ...(span ? { fh: chTime(span.fromHour), th: chTime(span.toHour), fd: span.fromDay, td: span.toDay } : {}) };
    const oneHot = `arrayMap(i -> toInt64(i = arrayCount(b -> latency_ms >= b, [${LATENCY_BOUNDS_MS.join(", ")}])), range(${LATENCY_BUCKETS}))`;
    const keys = (bucket: string) => `org_id, ${bucket}, product, model, api_key_id, project_id`;
    const correction = (table: string, bucket: string, bucketExpr: string, rawIn: string, rollIn: string) =>
      `INSERT INTO ${table} SELECT ${keys(bucket)}, sum(r), sum(e), sum(i), sum(o), sum(l), sumForEachState(hh) FROM (
         SELECT org_id, ${bucketExpr} AS ${bucket}, product, model, api_key_id, project_id, toInt64(count()) AS r, toInt64(countIf(status != 'ok')) AS e,
                toInt64(sum(input_units)) AS i, toInt64(sum(output_units)) AS o, toInt64(sum(latency_ms)) AS l, sumForEach(${oneHot}) AS hh
         FROM usage_events FINAL WHERE org_id = {org:UUID}${rawIn} GROUP BY ${keys(bucket)}
         UNION ALL
         SELECT ${keys(bucket)}, -sum(requests) AS r, -sum(errors) AS e, -sum(input_units) AS i, -sum(output_units) AS o, -sum(latency_ms_sum) AS l,
                arrayMap(x -> -x, sumForEachMerge(latency_hist)) AS hh
         FROM ${table} WHERE org_id = {org:UUID}${rollIn} GROUP BY ${keys(bucket)}
       ) GROUP BY ${keys(bucket)}
       HAVING sum(r) != 0 OR sum(e) != 0 OR sum(i) != 0 OR sum(o) != 0 OR sum(l) != 0 OR arrayExists(x -> x != 0, sumForEach(hh))`;
    await chCommand(h, correction("usage_rollups_hourly", "hour", "toStartOfHour(occurred_at)", rawHourIn, hourIn), params, rebuildInsert);
    await chCommand(h, correction("usage_rollups_daily", "day", "day", dayIn, dayIn), params, rebuildInsert);
  }

  /** The /usage project filter (?project=), as in the PostgreSQL store: rows of that project only. */
  function projectIn(context: UsageContext): { where: string; params: Record<string, string> } {
    const id = context.project?.id ?? null;
    return id === null ? { where: "", params: {} } : { where: " AND project_id = {proj:String}", params: { proj: id } };
  }

  async function totals(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()): Promise<TotalsWithChange & { context: UsageContext }> {
    const context = await usageContext(actor, args, db);
    const h = await ready();
    const { range } = context;
    const cur = windowOf(range, range.current, "c");
    const prev = windowOf(range, range.previous, "p");
    const proj = projectIn(context);
    // Per product too, so amounts add up per unit, as in PostgreSQL.
    const rows = await chRows<ChMeasure & { period: string; pr: string }>(
      h,
      `SELECT if(${cur.where}, 'current', 'previous') AS period, toString(product) AS pr, ${readMeasures}
       FROM ${tableOf(range)} WHERE org_id = {org:UUID} AND ((${cur.where}) OR (${prev.where}))${proj.where} GROUP BY period, pr`,
      { org: args.orgId, ...cur.params, ...prev.params, ...proj.params },
    );
    const by = combineBy(
      rows.map((r) => ({ ...measureRow(r), product: r.pr, period: r.period })),
      (r) => r.period,
    );
    const current = totalsFrom(by.get("current") ?? measureRow(undefined));
    const previous = totalsFrom(by.get("previous") ?? measureRow(undefined));
    return { current, previous, change: changesOf(current, previous), context };
  }

  async function series(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()) {
    const context = await usageContext(actor, args, db);
    const h = await ready();
    const { range } = context;
    const w = windowOf(range, range.current, "c");
    const bucket = range.grain === "hour" ? "formatDateTime(hour, '%Y-%m-%dT%H:00:00.000Z', 'UTC')" : "toString(day)";
    const proj = projectIn(context);
    const rows = await chRows<ChMeasure & { bucket: string; pr: string }>(
      h,
      `SELECT ${bucket} AS bucket, toString(product) AS pr, ${readMeasures} FROM ${tableOf(range)} WHERE org_id = {org:UUID} AND ${w.where}${proj.where} GROUP BY bucket, pr`,
      { org: args.orgId, ...w.params, ...proj.params },
    );
    const byBucket = combineBy(
      rows.map((r) => ({ ...measureRow(r), product: r.pr, bucket: r.bucket })),
      (r) => r.bucket,
    );
    return { points: seriesPoints(range, byBucket), context };
  }

  async function breakdownRows(h: ClickHouseHandle, db: Tx, orgId: string, context: UsageContext): Promise<Breakdowns> {
    const range = context.range;
    const w = windowOf(range, range.current, "c");
    const proj = projectIn(context);
    // A key whose rows net to zero (after a removal) is no row of the breakdown, as in PostgreSQL.
    // Per key and product, so a key's amounts add up per unit (breakdownOf combines them).
    const one = (dim: BreakdownDimension, col: string) =>
      `SELECT '${dim}' AS dim, toString(${col}) AS k, toString(product) AS pr, ${readMeasures} FROM ${tableOf(range)} WHERE org_id = {org:UUID} AND ${w.where}${proj.where} GROUP BY k, pr HAVING req != 0`;
    const [rows, names] = await Promise.all([
      chRows<ChMeasure & { dim: BreakdownDimension; k: string; pr: string }>(
        h,
        `${one("product", "product")} UNION ALL ${one("model", "model")} UNION ALL ${one("apiKey", "api_key_id")} UNION ALL ${one("project", "project_id")}`,
        { org: orgId, ...w.params, ...proj.params },
      ),
      db.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.orgId, orgId)),
    ]);
    const out: Breakdowns = { product: [], model: [], apiKey: [], project: [], projectNames: new Map(names.map((n) => [n.id, n.name])) };
    for (const r of rows) {
      const m = measureRow(r);
      out[r.dim].push({
        ...m,
        product: r.pr,
        model: r.dim === "model" ? r.k : null,
        api_key_id: r.dim === "apiKey" ? r.k : null,
        project_id: r.dim === "project" ? r.k : null,
        g: 0,
      });
    }
    return out;
  }

  /**
   * Everything /usage shows in one ClickHouse query: one scan of the rollup over both periods,
   * GROUPING SETS for the totals of each period, the series and the four breakdowns. Three
   * queries (a UNION ALL of four scans among them) cost about 3x this one: on rollups of a few
   * thousand rows ClickHouse's time is per query and per scan, not per row (bench: usage-stores).
   * group_by_use_nulls marks the columns a grouping set leaves out as NULL, which tells the sets apart.
   */
  async function dashboard(actor: Principal, args: UsageQueryArgs, db: Tx = getDb()): Promise<UsageDashboard> {
    const context = await usageContext(actor, { ...args, now: args.now ?? new Date() }, db);
    const h = await ready();
    const { range } = context;
    const cur = windowOf(range, range.current, "c");
    const prev = windowOf(range, range.previous, "p");
    const proj = projectIn(context);
    const bucket = range.grain === "hour" ? "formatDateTime(hour, '%Y-%m-%dT%H:00:00.000Z', 'UTC')" : "toString(day)";
    type Row = ChMeasure & { c: number; bk: string | null; pr: string | null; mo: string | null; ak: string | null; pj: string | null };
    const [rows, names] = await Promise.all([
      chRows<Row>(
        h,
        `SELECT toUInt8(${cur.where}) AS c, ${bucket} AS bk, toString(product) AS pr, toString(model) AS mo, api_key_id AS ak, project_id AS pj, ${readMeasures}
         FROM ${tableOf(range)} WHERE org_id = {org:UUID} AND ((${cur.where}) OR (${prev.where}))${proj.where}
         GROUP BY GROUPING SETS ((c, pr), (c, bk, pr), (c, mo, pr), (c, ak, pr), (c, pj, pr))
         SETTINGS group_by_use_nulls = 1`,
        { org: args.orgId, ...cur.params, ...prev.params, ...proj.params },
      ),
      db.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.orgId, args.orgId)),
    ]);
    // Every set keeps the product, so amounts add up per unit; the (c, pr) rows are both the totals and the product breakdown.
    const totalRows: (MeasureRow & { product: string; period: string })[] = [];
    const bucketRows: (MeasureRow & { product: string; bucket: string })[] = [];
    const keyed: Breakdowns = { product: [], model: [], apiKey: [], project: [], projectNames: new Map(names.map((n) => [n.id, n.name])) };
    for (const r of rows) {
      const current = Number(r.c) === 1;
      const m = { ...measureRow(r), product: r.pr ?? "" };
      const key = (dim: BreakdownDimension, k: string) =>
        keyed[dim].push({
          ...m,
          model: dim === "model" ? k : null,
          api_key_id: dim === "apiKey" ? k : null,
          project_id: dim === "project" ? k : null,
          g: 0,
        });
      const totalsSet = r.bk === null && r.mo === null && r.ak === null && r.pj === null;
      if (totalsSet) totalRows.push({ ...m, period: current ? "current" : "previous" });
      // The series and the breakdowns are of the current period only.
      if (!current) continue;
      else if (r.bk !== null) bucketRows.push({ ...m, bucket: r.bk });
      // A key netting to zero (after a removal) is no row of a breakdown, as in PostgreSQL.
      else if (m.requests === 0) continue;
      else if (totalsSet) key("product", m.product);
      else if (r.mo !== null) key("model", r.mo);
      else if (r.ak !== null) key("apiKey", r.ak);
      else if (r.pj !== null) key("project", r.pj);
    }
    const totalsBy = combineBy(totalRows, (r) => r.period);
    const current = totalsFrom(totalsBy.get("current") ?? measureRow(undefined));
    const previous = totalsFrom(totalsBy.get("previous") ?? measureRow(undefined));
    const series = seriesPoints(
      range,
      combineBy(bucketRows, (r) => r.bucket),
    );
    return {
      context,
      totals: { current, previous, change: changesOf(current, previous) },
      series,
      breakdowns: {
        product: breakdownOf("product", keyed.product),
        model: breakdownOf("model", keyed.model),
        apiKey: breakdownOf("apiKey", keyed.apiKey),
        project: breakdownOf("project", keyed.project, keyed.projectNames),
      },
    };
  }

  /**
   * Moves usage events that PostgreSQL holds (the demo seed, or a deployment switching stores) into
   * ClickHouse through the same ledger and relay as ingest, 5,000 at a time, each chunk in one
   * transaction: ledger rows and a relay batch in, the PostgreSQL rows out. Then PostgreSQL's rollups
   * of the moved events go (ClickHouse's views rebuilt them from the relayed rows).
   */
  async function adoptPostgresEvents(db: Tx = getDb()): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = await db.transaction(async (tx) => {
        const rows = await queryRows<Record<string, unknown>>(
          tx,
          sql`select e.*, o.time_zone from usage_events e join organizations o on o.id = e.org_id order by e.id limit 5000 for update of e`,
        );
        if (rows.length === 0) return 0;
        const events: UsageEventRow[] = rows.map((r) => ({
          id: String(r.id),
          org_id: String(r.org_id),
          occurred_at: new Date(r.occurred_at as string).toISOString(),
          product: String(r.product),
          model: String(r.model),
          input_units: Number(r.input_units),
          output_units: Number(r.output_units),
          status: String(r.status),
          latency_ms: Number(r.latency_ms),
          api_key_id: (r.api_key_id as string | null) ?? null,
          project_id: (r.project_id as string | null) ?? null,
          zero_retention: Boolean(r.zero_retention),
        }));
        const ledger = events.map((e) => ({
          id: e.id,
          org_id: e.org_id,
          occurred_at: e.occurred_at,
          fingerprint: fingerprint(e),
          api_key_id: e.api_key_id,
          project_id: e.project_id,
        }));
        await tx.execute(sql`insert into usage_ledger (id, org_id, occurred_at, fingerprint, api_key_id, project_id)
              select * from jsonb_to_recordset(${JSON.stringify(ledger)}::jsonb) as x(id uuid, org_id uuid, occurred_at timestamptz, fingerprint text, api_key_id text, project_id uuid)
              on conflict (id) do nothing`);
        const batch: ChRow[] = events.map((e, i) => ({
          id: e.id,
          org_id: e.org_id,
          occurred_at: chTime(e.occurred_at),
          day: localDate(new Date(e.occurred_at), String(rows[i].time_zone)),
          product: e.product,
          model: e.model,
          input_units: e.input_units,
          output_units: e.output_units,
          status: e.status,
          latency_ms: e.latency_ms,
          api_key_id: e.api_key_id ?? "",
          project_id: e.project_id ?? "",
          zero_retention: e.zero_retention,
          received_at: chTime(new Date(rows[i].received_at as string)),
        }));
        await tx.execute(sql`insert into usage_relay_batches (rows, events) values (${JSON.stringify(batch)}, ${batch.length})`);
        await tx.execute(
          sql`delete from usage_events where id in (select (x->>'id')::uuid from jsonb_array_elements(${JSON.stringify(ledger.map((l) => ({ id: l.id })))}::jsonb) x)`,
        );
        return rows.length;
      });
      if (n === 0) break;
      moved += n;
    }
    if (moved > 0) {
      await db.execute(sql`delete from usage_rollups_hourly where not exists (select 1 from usage_events e where e.org_id = usage_rollups_hourly.org_id)`);
      await db.execute(sql`delete from usage_rollups_daily where not exists (select 1 from usage_events e where e.org_id = usage_rollups_daily.org_id)`);
    }
    return moved;
  }

  return {
    kind: "clickhouse",
    clickhouse: ch,
    adoptPostgresEvents,
    async start(db = getDb()) {
      await ready();
      await adoptPostgresEvents(db);
      await relay(db);
    },
    deliverPending: (db = getDb()) => relay(db),
    migrate: async () => {
      migrated = undefined;
      return ready().then(() => migrated ?? []);
    },
    relay,

    async ingest(actor, body, db = getDb(), options = {}): Promise<IngestResult> {
      const prepared = await prepareUsageBatch(actor, body, db, options);
      const conflicts = new Set(prepared.conflicts);
      let duplicates = prepared.duplicates;
      const ledger = prepared.rows.map((r) => ({
        id: r.id,
        org_id: r.org_id,
        occurred_at: r.occurred_at,
        fingerprint: fingerprint(r),
        api_key_id: r.api_key_id,
        project_id: r.project_id,
      }));
      const accepted = await db.transaction(async (tx) => {
        const inserted = await queryRows<{ id: string }>(
          tx,
          sql`insert into usage_ledger (id, org_id, occurred_at, fingerprint, api_key_id, project_id)
              select * from jsonb_to_recordset(${JSON.stringify(ledger)}::jsonb) as x(id uuid, org_id uuid, occurred_at timestamptz, fingerprint text, api_key_id text, project_id uuid)
              on conflict (id) do nothing returning id`,
        );
        const ids = new Set(inserted.map((r) => r.id));
        const known = ledger.filter((r) => !ids.has(r.id));
        if (known.length) {
          const differing = await queryRows<{ id: string }>(
            tx,
            sql`select l.id from jsonb_to_recordset(${JSON.stringify(known.map((k) => ({ id: k.id, fingerprint: k.fingerprint })))}::jsonb) as x(id uuid, fingerprint text)
                join usage_ledger l on l.id = x.id where l.fingerprint <> x.fingerprint`,
          );
          for (const r of differing) conflicts.add(r.id);
          duplicates += known.length - differing.length;
        }
        const receivedAt = chTime(new Date());
        const fresh: ChRow[] = prepared.rows
          .filter((r) => ids.has(r.id))
          .map((r) => ({
            id: r.id,
            org_id: r.org_id,
            occurred_at: chTime(r.occurred_at),
            day: localDate(new Date(r.occurred_at), prepared.timeZones.get(r.org_id)!),
            product: r.product,
            model: r.model,
            input_units: r.input_units,
            output_units: r.output_units,
            status: r.status,
            latency_ms: r.latency_ms,
            api_key_id: r.api_key_id ?? "",
            project_id: r.project_id ?? "",
            zero_retention: r.zero_retention,
            received_at: receivedAt,
          }));
        if (fresh.length) await tx.execute(sql`insert into usage_relay_batches (rows, events) values (${JSON.stringify(fresh)}, ${fresh.length})`);
        return fresh.length;
      });
      if (accepted > 0 && relayAfterIngest) kickRelay(db);
      return { accepted, duplicates, conflicts: [...conflicts].sort() };
    },

    totals,
    series,
    async breakdown(actor, args, db = getDb()) {
      const context = await usageContext(actor, args, db);
      const all = await breakdownRows(await ready(), db, args.orgId, context);
      return { context, rows: breakdownOf(args.dimension, all[args.dimension], all.projectNames) };
    },
    dashboard,
    async csv(actor, args, db = getDb()) {
      return usageCsvStream(await dashboard(actor, args, db));
    },

    async removeScope(scope, db = getDb()) {
      return exclusive(db, async (tx, h) => {
        const span = await scopeSpan(tx, scope);
        const s = scopeWhere(scope);
        const [c] = await chRows<{ n: string }>(h, `SELECT count() AS n FROM usage_events FINAL WHERE ${s.where}`, s.params);
        await chCommand(h, `DELETE FROM usage_events WHERE ${s.where}`, s.params);
        await tx.execute(sql`delete from usage_ledger where ${ledgerScopeWhere(scope)}`);
        await rebuildSpan(h, scope.orgId, span);
        const p = { org: scope.orgId, fh: chTime(span.fromHour), th: chTime(span.toHour), fd: span.fromDay, td: span.toDay };
        const [hr] = await chRows<{ n: string }>(
          h,
          "SELECT count() AS n FROM usage_rollups_hourly FINAL WHERE org_id = {org:UUID} AND hour >= {fh:DateTime64(3, 'UTC')} AND hour < {th:DateTime64(3, 'UTC')}",
          p,
        );
        const [dr] = await chRows<{ n: string }>(
          h,
          "SELECT count() AS n FROM usage_rollups_daily FINAL WHERE org_id = {org:UUID} AND day BETWEEN {fd:Date} AND {td:Date}",
          p,
        );
        return { eventsDeleted: Number(c.n), hourlyRows: Number(hr.n), dailyRows: Number(dr.n) };
      });
    },

    async purgeBefore(orgId, cutoff, db = getDb()) {
      return exclusive(db, async (tx, h) => {
        const p = { org: orgId, cutoff: chTime(cutoff) };
        const [c] = await chRows<{ n: string }>(
          h,
          "SELECT count() AS n FROM usage_events FINAL WHERE org_id = {org:UUID} AND occurred_at < {cutoff:DateTime64(3, 'UTC')}",
          p,
        );
        await chCommand(h, "DELETE FROM usage_events WHERE org_id = {org:UUID} AND occurred_at < {cutoff:DateTime64(3, 'UTC')}", p);
        await tx.execute(sql`delete from usage_ledger where org_id = ${orgId} and occurred_at < ${cutoff.toISOString()}::timestamptz`);
        return Number(c.n);
      });
    },

    async rebuild(orgId, db = getDb()) {
      await exclusive(db, async (tx, h) => {
        const [org] = await tx.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, orgId));
        if (!org) return;
        // The org's calendar days follow its time zone of now (a change of zone moves them).
        await chCommand(
          h,
          "ALTER TABLE usage_events UPDATE day = toDate(occurred_at, {tz:String}) WHERE org_id = {org:UUID} AND day != toDate(occurred_at, {tz:String})",
          { org: orgId, tz: org.timeZone },
        );
        await rebuildSpan(h, orgId, null);
      });
    },

    async freshness(db = getDb()) {
      const [r] = await queryRows<{ oldest: string | Date | null; n: number }>(
        db,
        sql`select min(created_at) as oldest, coalesce(sum(events), 0)::int as n from usage_relay_batches`,
      );
      return { asOf: r.oldest ? new Date(r.oldest).toISOString() : null, pendingEvents: Number(r.n) };
    },

    async firstDay(orgId, db = getDb()) {
      void db;
      const [r] = await chRows<{ day: string }>(
        await ready(),
        "SELECT toString(day) AS day FROM usage_rollups_daily WHERE org_id = {org:UUID} GROUP BY day HAVING sum(requests) != 0 ORDER BY day LIMIT 1",
        { org: orgId },
      );
      return r?.day ?? null;
    },

    async countInScope(scope, db = getDb()) {
      void db;
      const h = await ready();
      const s = scopeWhere(scope);
      const [c] = await chRows<{ n: string }>(h, `SELECT count() AS n FROM usage_events FINAL WHERE ${s.where}`, s.params);
      return Number(c.n);
    },
  };
}
