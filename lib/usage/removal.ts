/**
 * Removal on the PostgreSQL usage store, one time slice at a time.
 *
 * A slice is a range of `occurred_at` inside the scope. Its one statement
 * deletes the scope's events of the slice through the (org_id, occurred_at)
 * index (usage arrives in time order, so a slice is a contiguous run of
 * pages), aggregates exactly the deleted rows (RETURNING) per hour and per
 * org-local day, and takes that off both rollups; a second statement drops
 * the rollup rows that reached zero. Both run in the caller's transaction
 * (the removal job's batch, which also records its progress there).
 *
 * Because a slice is a run of time, it touches only the rollup rows of its
 * own hours and days: a few hundred rows for a batch of a hundred thousand
 * events, where a batch of rows picked at random over the range touched
 * about one rollup row per event.
 *
 * Ingest goes on meanwhile. Its statement inserts events, then upserts
 * daily rollup rows and then hourly ones, each in key order; the slice locks
 * the rollup rows it changes in the same order (daily, then hourly, each in
 * key order) before changing them, so the two can wait on each other but
 * never deadlock, and it locks them last, after the delete, so an ingest
 * waits at most for the end of the slice's statement and its commit. In
 * READ COMMITTED an UPDATE of a row changed since the statement's snapshot
 * applies to the newest version, and additions and subtractions commute:
 * whichever commits first, the rollups end equal to the raw events.
 */
import { sql, type SQL } from "drizzle-orm";
import { affectedRows, queryRows, type Tx } from "@/lib/db";
import { LATENCY_BUCKETS } from "./latency";
import { bounds, histogram } from "./rollups";
import type { UsageScope } from "./store";

/** A slice's events were deleted by another transaction while it ran: the batch must roll back and run again. */
export class RemovalRaceError extends Error {
  /** Retried as a serialization failure is. */
  readonly code = "40001";
  constructor() {
    super("events of the slice were deleted by another transaction meanwhile");
    this.name = "RemovalRaceError";
  }
}

/** A range of `occurred_at`, [fromAt, toAt), inside a scope. */
export type TimeSlice = { fromAt: Date; toAt: Date };

export type SliceRemoval = {
  eventsDeleted: number;
  hourlyRowsAdjusted: number;
  hourlyRowsDeleted: number;
  dailyRowsAdjusted: number;
  dailyRowsDeleted: number;
};

export type RemovalVerification = {
  eventsInScope: number;
  hourlyBucketsChecked: number;
  dailyBucketsChecked: number;
  hourlyMismatches: number;
  dailyMismatches: number;
};

const iso = (d: Date) => d.toISOString();

/** The scope's events, optionally only those of a slice (the intersection of both ranges). */
export function scopeWhere(s: UsageScope, slice?: TimeSlice): SQL {
  const from = slice && slice.fromAt > s.fromAt ? slice.fromAt : s.fromAt;
  const to = slice && slice.toAt < s.toAt ? slice.toAt : s.toAt;
  const parts = [sql`org_id = ${s.orgId}`, sql`occurred_at >= ${iso(from)}::timestamptz`, sql`occurred_at < ${iso(to)}::timestamptz`];
  if (s.apiKeyId !== null) parts.push(sql`api_key_id = ${s.apiKeyId}`);
  if (s.projectId !== null) parts.push(sql`project_id = ${s.projectId}`);
  if (s.cutoffAt !== null) parts.push(sql`received_at <= ${iso(s.cutoffAt)}::timestamptz`);
  return sql.join(parts, sql` and `);
}

/** The time of the scope's first event (the index's order), or null when nothing is in scope. */
export async function firstInScope(tx: Tx, s: UsageScope): Promise<Date | null> {
  const [r] = await queryRows<{ t: string | Date }>(tx, sql`select occurred_at as t from usage_events where ${scopeWhere(s)} order by occurred_at limit 1`);
  return r ? new Date(r.t) : null;
}

const measures = ["requests", "errors", "input_units", "output_units", "latency_ms_sum"] as const;
/** The element-wise sum of the histograms of a group of rows. */
const sumHist = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `sum(latency_hist[${i + 1}])`).join(", ")}]::bigint[]`);
const subtractHist = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `r.latency_hist[${i + 1}] - d.latency_hist[${i + 1}]`).join(", ")}]`);
const subtractMeasures = sql.raw(measures.map((m) => `${m} = r.${m} - d.${m}`).join(", "));
const KEY_ORDER = "r.product, r.model, r.api_key_id, r.project_id";
/** A UTC midnight: date_bin('1 hour', t, ORIGIN) is t's UTC hour. */
const ORIGIN = "2000-01-01T00:00:00Z";

/**
 * Deletes the scope's events of one slice and corrects both rollups by
 * exactly what was deleted, in the caller's transaction. With
 * `adjustRollups: false` (a retention purge) the rollups are left as they are.
 */
export async function removeSlice(tx: Tx, s: UsageScope, slice: TimeSlice, options: { adjustRollups: boolean }): Promise<SliceRemoval> {
  if (!options.adjustRollups) {
    const n = await affectedRows(tx, sql`delete from usage_events where ${scopeWhere(s, slice)}`);
    return { eventsDeleted: n, hourlyRowsAdjusted: 0, hourlyRowsDeleted: 0, dailyRowsAdjusted: 0, dailyRowsDeleted: 0 };
  }
  const from = slice.fromAt > s.fromAt ? slice.fromAt : s.fromAt;
  const to = slice.toAt < s.toAt ? slice.toAt : s.toAt;
  // The slice's own hours and days, spelled out so the rollups are read by their primary key's range, not whole.
  const span = {
    hour: sql`r.hour >= date_bin('1 hour', ${iso(from)}::timestamptz, ${ORIGIN}::timestamptz) and r.hour < ${iso(to)}::timestamptz`,
    day: sql`r.day between (select first from o) and (select last from o)`,
  };
  const match = (bucket: "hour" | "day") =>
    sql`r.org_id = ${s.orgId} and ${span[bucket]} and r.${sql.raw(bucket)} = d.${sql.raw(bucket)} and r.product = d.product and r.model = d.model and r.api_key_id = d.key and r.project_id = d.proj`;
  const sums = sql`sum(requests)::bigint as requests, sum(errors)::bigint as errors, sum(input_units)::bigint as input_units,
    sum(output_units)::bigint as output_units, sum(latency_ms_sum)::bigint as latency_ms_sum, ${sumHist} as latency_hist`;
  // One statement: the delete is its main part, so its count comes back as the command tag and no deleted row has to
  // be returned. The rest runs after the delete (PostgreSQL runs data-modifying WITH parts that nothing reads once the
  // main statement is done), in the statement's one snapshot: the aggregate still reads the rows the delete took.
  const deleted = await affectedRows(
    tx,
    sql`with o as (
          select time_zone as tz, (${iso(from)}::timestamptz at time zone time_zone)::date as first,
                 ((${iso(to)}::timestamptz - interval '1 microsecond') at time zone time_zone)::date as last
          from organizations where id = ${s.orgId}
        ),
        -- The hours of the slice that do not lie in one local day at one offset (zones off by a fraction of an hour, a
        -- change of offset): only their rows need their own local day; every other row's day is its hour's.
        split as (
          select coalesce(array_agg(h), '{}') as hours
          from o, generate_series(date_bin('1 hour', ${iso(from)}::timestamptz, ${ORIGIN}::timestamptz), ${iso(to)}::timestamptz, interval '1 hour') h
          where (h at time zone o.tz)::date <> ((h + interval '1 hour' - interval '1 microsecond') at time zone o.tz)::date
             or (h at time zone o.tz) - (h at time zone 'UTC')
                <> ((h + interval '1 hour' - interval '1 microsecond') at time zone o.tz) - ((h + interval '1 hour' - interval '1 microsecond') at time zone 'UTC')
        ),
        -- The rows the delete takes, read in the same snapshot, with as little work per row as there can be (date_bin
        -- is the UTC hour as date_trunc('hour', t, 'UTC') is, without a time-zone lookup per row). The delete can take
        -- no row this read does not see; that it took all of them is checked by their number below.
        g as (
          select hour, day, product, model, api_key_id, project_id, count(*) as requests, count(*) filter (where status <> 'ok') as errors,
                 sum(input_units) as input_units, sum(output_units) as output_units, sum(latency_ms) as latency_ms_sum, ${histogram} as latency_hist
          from (select e.*, x.hour, width_bucket(latency_ms, ${bounds}) as b,
                       case when x.hour = any((select hours from split)::timestamptz[]) then (occurred_at at time zone (select tz from o))::date end as day
                from usage_events e, lateral (select date_bin('1 hour', e.occurred_at, ${ORIGIN}::timestamptz) as hour) x
                where ${scopeWhere(s, slice)}
                -- Not flattened into the aggregate, so the bucket is computed once per row, not once per histogram entry.
                offset 0) e
          group by 1, 2, 3, 4, 5, 6
        ),
        k as (
          select hour, coalesce(day, (hour at time zone (select tz from o))::date) as day, product, model, coalesce(api_key_id, '') as key,
                 coalesce(project_id::text, '') as proj, requests, errors, input_units, output_units, latency_ms_sum, latency_hist
          from g
        ),
        dd as (select day, product, model, key, proj, ${sums} from k group by day, product, model, key, proj),
        hd as (select hour, product, model, key, proj, ${sums} from k group by hour, product, model, key, proj),
        -- What was read, for the caller to hold against the delete's count (a statement has one result: the delete's).
        seen as (
          select set_config('zdr.removal_slice', (select coalesce(sum(requests), 0) from dd) || ' ' || (select count(*) from dd) || ' ' || (select count(*) from hd), true) as v
        ),
        -- Daily rows first, then hourly, each locked in key order: the order ingest's statement takes them in.
        lock_d as (
          select 1 from usage_rollups_daily r join dd d on ${match("day")} where (select v from seen) is not null
          order by r.day, ${sql.raw(KEY_ORDER)} for update of r
        ),
        upd_d as (
          update usage_rollups_daily r set ${subtractMeasures}, latency_hist = ${subtractHist}
          from dd d where (select count(*) from lock_d) >= 0 and ${match("day")} returning 1
        ),
        lock_h as (
          select 1 from usage_rollups_hourly r join hd d on ${match("hour")} where (select count(*) from upd_d) >= 0 order by r.hour, ${sql.raw(KEY_ORDER)} for update of r
        ),
        upd_h as (
          update usage_rollups_hourly r set ${subtractMeasures}, latency_hist = ${subtractHist}
          from hd d where (select count(*) from lock_h) >= 0 and ${match("hour")}
        )
        delete from usage_events where ${scopeWhere(s, slice)}`,
  );
  // Rows that reached zero hold no event: they go (a later statement, so it reads the rows as the update left them).
  const [z] = await queryRows<{ daily: string | number; hourly: string | number; seen: string | null }>(
    tx,
    sql`with o as (select time_zone as tz from organizations where id = ${s.orgId}),
        zd as (
          delete from usage_rollups_daily where org_id = ${s.orgId} and requests = 0
            and day between (select (${iso(from)}::timestamptz at time zone tz)::date from o) and (select ((${iso(to)}::timestamptz - interval '1 microsecond') at time zone tz)::date from o)
          returning 1
        ),
        zh as (
          delete from usage_rollups_hourly where org_id = ${s.orgId} and requests = 0
            and hour >= date_bin('1 hour', ${iso(from)}::timestamptz, ${ORIGIN}::timestamptz) and hour < ${iso(to)}::timestamptz
          returning 1
        )
        select (select count(*) from zd) as daily, (select count(*) from zh) as hourly, current_setting('zdr.removal_slice', true) as seen`,
  );
  if (!z.seen) throw new Error("the removal statement did not report what it read");
  const [events, dailyTouched, hourlyTouched] = z.seen.split(" ").map(Number);
  // Fewer deleted than read: another transaction removed some of them first; what was taken off the rollups is then wrong.
  if (deleted !== events) throw new RemovalRaceError();
  if (events === 0) return { eventsDeleted: 0, hourlyRowsAdjusted: 0, hourlyRowsDeleted: 0, dailyRowsAdjusted: 0, dailyRowsDeleted: 0 };
  const dailyDeleted = Number(z.daily);
  const hourlyDeleted = Number(z.hourly);
  return {
    eventsDeleted: events,
    dailyRowsDeleted: dailyDeleted,
    dailyRowsAdjusted: dailyTouched - dailyDeleted,
    hourlyRowsDeleted: hourlyDeleted,
    hourlyRowsAdjusted: hourlyTouched - hourlyDeleted,
  };
}

const measureCols = ["requests", "errors", "input_units", "output_units", "latency_ms_sum", "latency_hist"];
const differs = sql.raw(measureCols.map((c) => `raw.${c} is distinct from roll.${c}`).join(" or "));

/**
 * Reads the store for a removal: events left in scope and, with
 * `checkRollups`, every hourly and daily rollup row of the buckets the scope
 * touches against the raw events (one snapshot: the caller's transaction).
 */
export async function verifyRemoval(tx: Tx, s: UsageScope, options: { checkRollups: boolean }): Promise<RemovalVerification> {
  const [c] = await queryRows<{ n: string | number }>(tx, sql`select count(*) as n from usage_events where ${scopeWhere(s)}`);
  const out: RemovalVerification = { eventsInScope: Number(c.n), hourlyBucketsChecked: 0, dailyBucketsChecked: 0, hourlyMismatches: 0, dailyMismatches: 0 };
  if (!options.checkRollups) return out;
  const from = iso(s.fromAt);
  const to = iso(s.toAt);
  const rawMeasures = sql`count(*) as requests, count(*) filter (where status <> 'ok') as errors, sum(input_units) as input_units, sum(output_units) as output_units,
    sum(latency_ms) as latency_ms_sum, ${histogram} as latency_hist`;
  const [h] = await queryRows<{ mismatches: string | number; buckets: string | number }>(
    tx,
    sql`with lo as (select date_trunc('hour', ${from}::timestamptz, 'UTC') as t),
        raw as (
          select date_trunc('hour', occurred_at, 'UTC') as hour, product, model, coalesce(api_key_id, '') as key, coalesce(project_id::text, '') as proj, ${rawMeasures}
          from (select e.*, width_bucket(e.latency_ms, ${bounds}) as b from usage_events e, lo
                where e.org_id = ${s.orgId} and e.occurred_at >= lo.t and e.occurred_at < date_trunc('hour', ${to}::timestamptz - interval '1 microsecond', 'UTC') + interval '1 hour') s
          group by 1, 2, 3, 4, 5
        ),
        roll as (
          select hour, product, model, api_key_id as key, project_id as proj, requests, errors, input_units, output_units, latency_ms_sum, latency_hist
          from usage_rollups_hourly, lo where org_id = ${s.orgId} and hour >= lo.t and hour < ${to}::timestamptz
        )
        select count(*) filter (where ${differs}) as mismatches, count(distinct coalesce(raw.hour, roll.hour)) as buckets
        from raw full join roll on raw.hour = roll.hour and raw.product = roll.product and raw.model = roll.model and raw.key = roll.key and raw.proj = roll.proj`,
  );
  const [d] = await queryRows<{ mismatches: string | number; buckets: string | number }>(
    tx,
    sql`with o as (select time_zone as tz from organizations where id = ${s.orgId}),
        days as (select (${from}::timestamptz at time zone o.tz)::date as first, ((${to}::timestamptz - interval '1 microsecond') at time zone o.tz)::date as last, o.tz from o),
        raw as (
          select day, product, model, key, proj, ${rawMeasures}
          from (select (e.occurred_at at time zone days.tz)::date as day, e.product, e.model, coalesce(e.api_key_id, '') as key, coalesce(e.project_id::text, '') as proj, e.status, e.input_units,
                       e.output_units, e.latency_ms, width_bucket(e.latency_ms, ${bounds}) as b
                from usage_events e, days
                where e.org_id = ${s.orgId} and e.occurred_at >= ${from}::timestamptz - interval '2 days' and e.occurred_at < ${to}::timestamptz + interval '2 days') s, days
          where s.day between days.first and days.last
          group by 1, 2, 3, 4, 5
        ),
        roll as (
          select day, product, model, api_key_id as key, project_id as proj, requests, errors, input_units, output_units, latency_ms_sum, latency_hist
          from usage_rollups_daily, days where org_id = ${s.orgId} and day between days.first and days.last
        )
        select count(*) filter (where ${differs}) as mismatches, count(distinct coalesce(raw.day, roll.day)) as buckets
        from raw full join roll on raw.day = roll.day and raw.product = roll.product and raw.model = roll.model and raw.key = roll.key and raw.proj = roll.proj`,
  );
  return {
    ...out,
    hourlyMismatches: Number(h.mismatches),
    hourlyBucketsChecked: Number(h.buckets),
    dailyMismatches: Number(d.mismatches),
    dailyBucketsChecked: Number(d.buckets),
  };
}
