/**
 * Usage events made for removal tests, and the check every removal test
 * ends with: the rollups of an org equal a rebuild from its raw events.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Tx } from "@/lib/db";
import type { ServicePrincipal } from "@/lib/auth/principal";
import { ingestUsageBatch, type UsageEventInput } from "@/lib/usage/ingest";
import { bounds, histogram } from "@/lib/usage/rollups";

export const fleet: ServicePrincipal = {
  kind: "service",
  tokenId: "00000000-0000-4000-8000-0000000000f1",
  name: "fleet",
  scopes: ["usage:write", "removal:read", "removal:write"],
};

const MODELS = ["eleven_v3", "scribe_v1", "flash_v2"];
const KEYS = ["key_a", "key_b", null];

/** n events spread evenly over [fromMs, toMs), deterministic per seed. */
export function makeEvents(
  orgId: string,
  n: number,
  fromMs: number,
  toMs: number,
  options: { apiKeyId?: string | null; projectIds?: (string | null)[]; seed?: number } = {},
): UsageEventInput[] {
  let s = options.seed ?? 1;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => {
    const r = rnd();
    return {
      id: crypto.randomUUID(),
      orgId,
      occurredAt: new Date(fromMs + Math.floor(((i + r) / n) * (toMs - fromMs))).toISOString(),
      product: r < 0.5 ? "text_to_speech" : "speech_to_text",
      model: MODELS[Math.floor(r * 3)],
      inputUnits: 10 + Math.floor(r * 1000),
      outputUnits: Math.floor(r * 500),
      status: r < 0.05 ? "server_error" : "ok",
      latencyMs: 20 + Math.floor(r * 4000),
      apiKeyId: options.apiKeyId !== undefined ? options.apiKeyId : KEYS[i % 3],
      ...(options.projectIds ? { projectId: options.projectIds[i % options.projectIds.length] } : {}),
      zeroRetention: false,
    } as UsageEventInput;
  });
}

export async function ingestAll(db: Tx, events: UsageEventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) await ingestUsageBatch(fleet, { events: events.slice(i, i + 5000) }, db);
}

const cols = ["requests", "errors", "input_units", "output_units", "latency_ms_sum", "latency_hist"];
const differs = sql.raw(cols.map((c) => `raw.${c} is distinct from roll.${c}`).join(" or "));
const measures = sql`count(*) as requests, count(*) filter (where status <> 'ok') as errors, sum(input_units) as input_units, sum(output_units) as output_units, sum(latency_ms) as latency_ms_sum, ${histogram} as latency_hist`;

/** Rollup rows (hourly + daily) of the org that differ from a rebuild from raw events; 0 when rollups = raw. */
export async function rollupMismatches(db: Tx, orgId: string): Promise<number> {
  const [h] = await queryRows<{ n: string | number }>(
    db,
    sql`with raw as (select date_trunc('hour', occurred_at, 'UTC') as hour, product, model, coalesce(api_key_id, '') as key, coalesce(project_id::text, '') as proj, ${measures}
                     from (select e.*, width_bucket(e.latency_ms, ${bounds}) as b from usage_events e where e.org_id = ${orgId}) s group by 1, 2, 3, 4, 5),
             roll as (select * from usage_rollups_hourly where org_id = ${orgId})
        select count(*) as n from raw full join roll on raw.hour = roll.hour and raw.product = roll.product and raw.model = roll.model and raw.key = roll.api_key_id and raw.proj = roll.project_id
        where ${differs}`,
  );
  const [d] = await queryRows<{ n: string | number }>(
    db,
    sql`with raw as (select (occurred_at at time zone o.time_zone)::date as day, product, model, coalesce(api_key_id, '') as key, coalesce(project_id::text, '') as proj, ${measures}
                     from (select e.*, width_bucket(e.latency_ms, ${bounds}) as b from usage_events e where e.org_id = ${orgId}) s, organizations o where o.id = ${orgId} group by 1, 2, 3, 4, 5),
             roll as (select * from usage_rollups_daily where org_id = ${orgId})
        select count(*) as n from raw full join roll on raw.day = roll.day and raw.product = roll.product and raw.model = roll.model and raw.key = roll.api_key_id and raw.proj = roll.project_id
        where ${differs}`,
  );
  return Number(h.n) + Number(d.n);
}

export async function countEvents(db: Tx, where = sql`true`): Promise<number> {
  const [r] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from usage_events where ${where}`);
  return Number(r.n);
}
