/**
 * Rebuilds the rollups of an organization from its raw events, in SQL.
 * Ingest keeps rollups current batch by batch; this full rebuild serves the
 * seed, a time-zone change and repairs, and is the reference the tests
 * compare ingest against.
 */
import { sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from "./latency";

/** The latency bucket bounds and the histogram aggregate over a column `b` of bucket numbers; ingest uses the same. */
export const bounds = sql.raw(`array[${LATENCY_BOUNDS_MS.join(",")}]::int[]`);
export const histogram = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `count(*) filter (where b = ${i})`).join(", ")}]::bigint[]`);

/** A part of an org's rollups: whole UTC hours [fromHour, toHour) and org-local days [fromDay, toDay]. */
export type RollupSpan = { fromHour: string; toHour: string; fromDay: string; toDay: string };

/** Rebuilds all the rollups of an org, or only those of a span, from the raw events (in the caller's transaction). */
export async function rebuildRollups(tx: Tx, orgId: string, span?: RollupSpan): Promise<void> {
  const hourIn = span ? sql`and hour >= ${span.fromHour}::timestamptz and hour < ${span.toHour}::timestamptz` : sql``;
  const dayIn = span ? sql`and day between ${span.fromDay}::date and ${span.toDay}::date` : sql``;
  await tx.execute(sql`delete from usage_rollups_hourly where org_id = ${orgId} ${hourIn}`);
  await tx.execute(sql`delete from usage_rollups_daily where org_id = ${orgId} ${dayIn}`);
  const source = sql`
    select e.*, width_bucket(e.latency_ms, ${bounds}) as b,
           date_trunc('hour', e.occurred_at, 'UTC') as hour,
           (e.occurred_at at time zone o.time_zone)::date as day
    from usage_events e join organizations o on o.id = e.org_id
    where e.org_id = ${orgId}`;
  const measures = sql`count(*), count(*) filter (where status <> 'ok'), sum(input_units), sum(output_units),
           sum(latency_ms), ${histogram}`;
  await tx.execute(sql`
    insert into usage_rollups_hourly
      (org_id, hour, product, model, api_key_id, project_id, requests, errors, input_units, output_units, latency_ms_sum, latency_hist)
    select org_id, hour, product, model, coalesce(api_key_id, ''), coalesce(project_id::text, ''), ${measures}
    from (${source}) s where true ${hourIn} group by org_id, hour, product, model, coalesce(api_key_id, ''), coalesce(project_id::text, '')`);
  await tx.execute(sql`
    insert into usage_rollups_daily
      (org_id, day, product, model, api_key_id, project_id, requests, errors, input_units, output_units, latency_ms_sum, latency_hist)
    select org_id, day, product, model, coalesce(api_key_id, ''), coalesce(project_id::text, ''), ${measures}
    from (${source}) s where true ${dayIn} group by org_id, day, product, model, coalesce(api_key_id, ''), coalesce(project_id::text, '')`);
}
