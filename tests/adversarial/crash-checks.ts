import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/lib/db";

/** Lost and double-counted events of an org, against the acknowledged ids. */
export async function countCheck(d: Db, orgId: string, acked: Set<string>) {
  const stored = new Set((await queryRows<{ id: string }>(d, sql`select id::text as id from usage_events where org_id = ${orgId}`)).map((r) => r.id));
  let lost = 0;
  for (const id of acked) if (!stored.has(id)) lost++;
  const [h] = await queryRows<{ n: string | null }>(d, sql`select sum(requests)::text as n from usage_rollups_hourly where org_id = ${orgId}`);
  const [dd] = await queryRows<{ n: string | null }>(d, sql`select sum(requests)::text as n from usage_rollups_daily where org_id = ${orgId}`);
  const hourly = Number(h.n ?? 0);
  const daily = Number(dd.n ?? 0);
  return {
    stored: stored.size,
    lost,
    // Events are unique by primary key; a double count would show in the rollups.
    doubleCounted: Math.max(0, hourly - stored.size) + Math.max(0, daily - stored.size),
    missingFromRollups: Math.max(0, stored.size - hourly) + Math.max(0, stored.size - daily),
  };
}
