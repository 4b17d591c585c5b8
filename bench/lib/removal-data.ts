/**
 * The data set of the removal benchmark: `total` usage events over 60 days
 * for two orgs (90% for the first), written by SQL (generate_series) in time
 * order, as a live fleet reports them (each event arrives within the hour it
 * was served), so the table's physical order follows `occurred_at` as it does
 * in production. The table's indexes are dropped for the load and built
 * again after it (one sort each instead of 10M random inserts), and the
 * foreign-key triggers are skipped for the load where the role may
 * (superuser): every row names one of the two orgs and no project.
 */
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/lib/db";
import { rebuildRollups } from "@/lib/usage/rollups";

const DAY = 86_400_000;

export async function generateRemovalData(
  db: Db,
  orgId: string,
  otherId: string,
  total: number,
  nowMs: number,
  log: (l: string) => void = () => {},
): Promise<void> {
  const start = new Date(nowMs - 3_600_000 - 60 * DAY).toISOString();
  await db.transaction(async (tx) => {
    const [su] = await queryRows<{ s: boolean }>(tx, sql`select rolsuper as s from pg_roles where rolname = current_user`);
    if (su?.s) await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`set local maintenance_work_mem = '512MB'`);
    const defs = await queryRows<{ name: string; def: string }>(
      tx,
      sql`select indexname as name, indexdef as def from pg_indexes where tablename = 'usage_events' and indexname <> 'usage_events_pkey'`,
    );
    await tx.execute(sql`alter table usage_events drop constraint usage_events_pkey`);
    for (const d of defs) await tx.execute(sql.raw(`drop index ${d.name}`));
    const chunk = 1_000_000;
    for (let done = 0; done < total; done += chunk) {
      const n = Math.min(chunk, total - done);
      await tx.execute(sql`
        insert into usage_events (id, org_id, occurred_at, product, model, input_units, output_units, status, latency_ms, api_key_id, zero_retention, received_at)
        select gen_random_uuid(), case when random() < 0.9 then ${orgId}::uuid else ${otherId}::uuid end, t, 
               (array['llm','speech_to_text','text_to_speech'])[1 + floor(random() * 3)]::product, (array['m-a','m-b','m-c'])[1 + floor(random() * 3)],
               floor(random() * 2000), floor(random() * 800), case when random() < 0.03 then 'server_error' else 'ok' end::usage_status,
               floor(random() * 5000), (array['key_1','key_2','key_3'])[1 + floor(random() * 3)], false, t + interval '1 minute'
        from (select ${start}::timestamptz + (i::float8 / ${total}) * interval '60 days' - random() * interval '1 hour' as t
              from generate_series(${done}::bigint, ${done + n - 1}::bigint) i) s`);
      log(`  ${(done + n).toLocaleString("en-US")} events`);
    }
    await tx.execute(sql`alter table usage_events add primary key (id)`);
    for (const d of defs) await tx.execute(sql.raw(d.def));
  });
  log("rebuilding rollups");
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local work_mem = '256MB'`);
    await rebuildRollups(tx, orgId);
    await rebuildRollups(tx, otherId);
  });
}
