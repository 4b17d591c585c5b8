/**
 * Reads of the usage dashboard. They read the rollups only (hourly for 24h,
 * daily otherwise), never the raw events: a 90-day page costs a range scan of
 * a few thousand rollup rows whatever the event volume.
 */
import { eq, sql, type SQL } from "drizzle-orm";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { organizations } from "@/lib/db/schema";
import { assertOrgAccess } from "@/lib/auth/authorize";
import type { Principal } from "@/lib/auth/principal";
import { notFound } from "@/lib/errors";
import { LATENCY_BUCKETS, percentileFromHistogram } from "./latency";
import { productInfo, type Product } from "./products";
import { resolveRange, type RangeInput, type ResolvedRange } from "./range";

export type UsageTotals = {
  requests: number;
  errors: number;
  inputUnits: number;
  outputUnits: number;
  /** errors / requests, 0..1; null without requests. */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
};

export type TotalsWithChange = {
  current: UsageTotals;
  previous: UsageTotals;
  /** Relative change against the previous period of the same length; null when the previous value is 0 or absent. */
  change: Record<keyof UsageTotals, number | null>;
};

export type SeriesPoint = { bucket: string; requests: number; errors: number; inputUnits: number; outputUnits: number };

export type BreakdownDimension = "product" | "model" | "apiKey";
export type BreakdownRow = {
  /** The raw key: a product id, a model name, an API key id ('' when the request had none). */
  key: string;
  label: string;
  requests: number;
  errors: number;
  inputUnits: number;
  outputUnits: number;
  errorRate: number | null;
  p95Ms: number | null;
  /** Share of the range's requests, 0..1. */
  share: number;
};

export type UsageContext = { orgId: string; orgName: string; timeZone: string; range: ResolvedRange };

type Args = { orgId: string; range: RangeInput; now?: Date };

const hist = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(latency_hist[${i + 1}]), 0)::float8`).join(", ")}]`);
const measures = sql.raw(`coalesce(sum(requests), 0)::float8 as requests, coalesce(sum(errors), 0)::float8 as errors,
  coalesce(sum(input_units), 0)::float8 as input_units, coalesce(sum(output_units), 0)::float8 as output_units`);

/** Resolves the org (and its time zone) after the access check; another tenant's id is 404. */
export async function usageContext(actor: Principal, args: Args, db: Tx = getDb()): Promise<UsageContext> {
  assertOrgAccess(actor, args.orgId);
  const [org] = await db
    .select({ name: organizations.name, timeZone: organizations.timeZone })
    .from(organizations)
    .where(eq(organizations.id, args.orgId));
  if (!org) throw notFound("Organization not found");
  return { orgId: args.orgId, orgName: org.name, timeZone: org.timeZone, range: resolveRange(args.range, org.timeZone, args.now) };
}

function windowFilter(range: ResolvedRange, which: "current" | "previous"): { table: SQL; where: SQL } {
  const w = range[which];
  return range.grain === "hour"
    ? { table: sql.raw("usage_rollups_hourly"), where: sql`hour >= ${w.from}::timestamptz and hour < ${w.to}::timestamptz` }
    : { table: sql.raw("usage_rollups_daily"), where: sql`day between ${w.from}::date and ${w.to}::date` };
}

function toNumbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === "string") return v.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
  return [];
}

function rate(errors: number, requests: number): number | null {
  return requests > 0 ? errors / requests : null;
}

type MeasureRow = { requests: number; errors: number; input_units: number; output_units: number; hist?: unknown };

async function totalsOf(db: Tx, orgId: string, range: ResolvedRange, which: "current" | "previous"): Promise<UsageTotals> {
  const { table, where } = windowFilter(range, which);
  const [row] = await queryRows<MeasureRow>(db, sql`select ${measures}, ${hist} as hist from ${table} where org_id = ${orgId} and ${where}`);
  const h = toNumbers(row.hist);
  const requests = Number(row.requests);
  const errors = Number(row.errors);
  return {
    requests,
    errors,
    inputUnits: Number(row.input_units),
    outputUnits: Number(row.output_units),
    errorRate: rate(errors, requests),
    p50Ms: percentileFromHistogram(h, 0.5),
    p95Ms: percentileFromHistogram(h, 0.95),
  };
}

function relative(cur: number | null, prev: number | null): number | null {
  if (cur === null || prev === null || prev === 0) return null;
  return (cur - prev) / prev;
}

/** Totals of the range and of the period of the same length just before it. */
export async function getUsageTotals(actor: Principal, args: Args, db: Tx = getDb()): Promise<TotalsWithChange & { context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const [current, previous] = await Promise.all([
    totalsOf(db, args.orgId, context.range, "current"),
    totalsOf(db, args.orgId, context.range, "previous"),
  ]);
  const change = Object.fromEntries(
    (Object.keys(current) as (keyof UsageTotals)[]).map((k) => [k, relative(current[k], previous[k])]),
  ) as TotalsWithChange["change"];
  return { current, previous, change, context };
}

/** One point per hour (24h) or per day of the org's calendar, zeros where nothing happened. */
export async function getUsageSeries(actor: Principal, args: Args, db: Tx = getDb()): Promise<{ points: SeriesPoint[]; context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const { range } = context;
  const { table, where } = windowFilter(range, "current");
  const bucket = range.grain === "hour" ? sql.raw(`to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`) : sql.raw(`to_char(day, 'YYYY-MM-DD')`);
  const rows = await queryRows<MeasureRow & { bucket: string }>(
    db,
    sql`select ${bucket} as bucket, ${measures} from ${table} where org_id = ${args.orgId} and ${where} group by 1`,
  );
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const points = range.buckets.map((b) => {
    const r = byBucket.get(b);
    return {
      bucket: b,
      requests: Number(r?.requests ?? 0),
      errors: Number(r?.errors ?? 0),
      inputUnits: Number(r?.input_units ?? 0),
      outputUnits: Number(r?.output_units ?? 0),
    };
  });
  return { points, context };
}

const DIMENSION_COLUMN: Record<BreakdownDimension, string> = { product: "product::text", model: "model", apiKey: "api_key_id" };

function labelOf(dimension: BreakdownDimension, key: string): string {
  if (dimension === "product") return productInfo(key as Product)?.label ?? key;
  if (dimension === "apiKey") return key === "" ? "No API key" : key;
  return key;
}

/** Requests, units, error rate and p95 by product, model or API key, largest first. */
export async function getUsageBreakdown(
  actor: Principal,
  args: Args & { dimension: BreakdownDimension },
  db: Tx = getDb(),
): Promise<{ rows: BreakdownRow[]; context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const { table, where } = windowFilter(context.range, "current");
  const column = sql.raw(DIMENSION_COLUMN[args.dimension]);
  const rows = await queryRows<MeasureRow & { key: string }>(
    db,
    sql`select ${column} as key, ${measures}, ${hist} as hist from ${table}
        where org_id = ${args.orgId} and ${where} group by 1 order by 2 desc, 1`,
  );
  const total = rows.reduce((a, r) => a + Number(r.requests), 0);
  return {
    context,
    rows: rows.map((r) => {
      const requests = Number(r.requests);
      const errors = Number(r.errors);
      return {
        key: r.key,
        label: labelOf(args.dimension, r.key),
        requests,
        errors,
        inputUnits: Number(r.input_units),
        outputUnits: Number(r.output_units),
        errorRate: rate(errors, requests),
        p95Ms: percentileFromHistogram(toNumbers(r.hist), 0.95),
        share: total > 0 ? requests / total : 0,
      };
    }),
  };
}

/** Everything the /usage page shows, for the CSV export and the tests that compare the two. */
export async function getUsageDashboard(actor: Principal, args: Args, db: Tx = getDb()) {
  const now = args.now ?? new Date();
  const a = { ...args, now };
  const [totals, series, product, model, apiKey] = await Promise.all([
    getUsageTotals(actor, a, db),
    getUsageSeries(actor, a, db),
    getUsageBreakdown(actor, { ...a, dimension: "product" }, db),
    getUsageBreakdown(actor, { ...a, dimension: "model" }, db),
    getUsageBreakdown(actor, { ...a, dimension: "apiKey" }, db),
  ]);
  return {
    context: totals.context,
    totals: { current: totals.current, previous: totals.previous, change: totals.change },
    series: series.points,
    breakdowns: { product: product.rows, model: model.rows, apiKey: apiKey.rows },
  };
}
export type UsageDashboard = Awaited<ReturnType<typeof getUsageDashboard>>;
