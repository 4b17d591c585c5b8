/**
 * Reads of the usage dashboard. They read the rollups only (hourly for 24h,
 * daily otherwise), never the raw events: a 90-day page costs a range scan of
 * a few thousand rollup rows whatever the event volume.
 */
import { cache } from "react";
import { and, eq, sql, type SQL } from "drizzle-orm";
import { getDb, queryRows, type Tx } from "@/lib/db";
import { organizations, projects } from "@/lib/db/schema";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { notFound } from "@/lib/errors";
import { LATENCY_BUCKETS, percentileFromHistogram } from "./latency";
import { productInfo, type Product } from "./products";
import { resolveRange, type RangeInput, type ResolvedRange } from "./range";
import { addUnits, emptyUnits, mergeUnits, type UnitTotals } from "./units";
import { changesOf, type Changes } from "./compare";

export type UsageTotals = {
  requests: number;
  errors: number;
  /** Raw sums across products of different units: for reconciling with the events only, never shown (see `units`). */
  inputUnits: number;
  outputUnits: number;
  /** Input and output amounts per unit (tokens, characters, seconds of audio …). */
  units: UnitTotals;
  /** errors / requests, 0..1; null without requests. */
  errorRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
};

export type TotalsWithChange = {
  current: UsageTotals;
  previous: UsageTotals;
  /** Changes against the previous period of the same length; null where it had too little usage to compare (./compare). */
  change: Changes;
};

export type SeriesPoint = { bucket: string; requests: number; errors: number; inputUnits: number; outputUnits: number; units: UnitTotals };

export type BreakdownDimension = "product" | "model" | "apiKey" | "project";
export type BreakdownRow = {
  /** The raw key: a product id, a model name, an API key id or a project id ('' when the request had none). */
  key: string;
  label: string;
  requests: number;
  errors: number;
  /** Raw sums across units, never shown (see `units`). */
  inputUnits: number;
  outputUnits: number;
  units: UnitTotals;
  errorRate: number | null;
  p95Ms: number | null;
  /** Share of the range's requests, 0..1. */
  share: number;
};

export type UsageContext = {
  orgId: string;
  orgName: string;
  timeZone: string;
  range: ResolvedRange;
  /** The project the page is filtered to (`?project=`), or null for the whole org. */
  project: { id: string; name: string } | null;
};

/** projectId: only this project's usage (a project of the org; another org's is 404). */
type Args = { orgId: string; range: RangeInput; now?: Date; projectId?: string | null };

/** The rollup rows of one project, or all of them. */
function projectFilter(projectId: string | null | undefined): SQL {
  return projectId ? sql` and project_id = ${projectId}` : sql``;
}

const hist = sql.raw(`array[${Array.from({ length: LATENCY_BUCKETS }, (_, i) => `coalesce(sum(latency_hist[${i + 1}]), 0)::float8`).join(", ")}]`);
const measures = sql.raw(`coalesce(sum(requests), 0)::float8 as requests, coalesce(sum(errors), 0)::float8 as errors,
  coalesce(sum(input_units), 0)::float8 as input_units, coalesce(sum(output_units), 0)::float8 as output_units`);

// Deduplicated per server request (React cache), so the page's five widgets look the org up once.
const orgZone = cache(async (db: Tx, orgId: string) => {
  const [org] = await db.select({ name: organizations.name, timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, orgId));
  return org ?? null;
});

/** The org's name and time zone after the access check (the range picker's "today"); shares the request's one lookup with the widgets. */
export async function usageOrg(actor: Principal, orgId: string, db: Tx = getDb()): Promise<{ name: string; timeZone: string }> {
  authorize(actor, "usage.read", { orgId });
  const org = await orgZone(db, orgId);
  if (!org) throw notFound("Organization not found");
  return org;
}

/**
 * The org's first calendar day with recorded usage (its time zone), or null when it has none: the smallest day of its
 * daily rollup rows, read by the primary key (org_id, day, ...). No access check: the store's caller makes it.
 */
export async function firstUsageDay(orgId: string, db: Tx = getDb()): Promise<string | null> {
  const [r] = await queryRows<{ day: string | null }>(db, sql`select min(day)::text as day from usage_rollups_daily where org_id = ${orgId} and requests > 0`);
  return r?.day ?? null;
}

/** Resolves the org (and its time zone) after the access check; another tenant's id is 404. */
export async function usageContext(actor: Principal, args: Args, db: Tx = getDb()): Promise<UsageContext> {
  authorize(actor, "usage.read", { orgId: args.orgId });
  const org = await orgZone(db, args.orgId);
  if (!org) throw notFound("Organization not found");
  let project: UsageContext["project"] = null;
  if (args.projectId) {
    const [p] = /^[0-9a-f-]{36}$/i.test(args.projectId)
      ? await db
          .select({ id: projects.id, name: projects.name })
          .from(projects)
          .where(and(eq(projects.id, args.projectId), eq(projects.orgId, args.orgId)))
      : [];
    if (!p) throw notFound("Project not found");
    project = p;
  }
  return { orgId: args.orgId, orgName: org.name, timeZone: org.timeZone, range: resolveRange(args.range, org.timeZone, args.now), project };
}

function rollupTable(range: ResolvedRange): SQL {
  return sql.raw(range.grain === "hour" ? "usage_rollups_hourly" : "usage_rollups_daily");
}

function windowFilter(range: ResolvedRange, which: "current" | "previous"): { table: SQL; where: SQL } {
  const w = range[which];
  return range.grain === "hour"
    ? { table: rollupTable(range), where: sql`hour >= ${w.from}::timestamptz and hour < ${w.to}::timestamptz` }
    : { table: rollupTable(range), where: sql`day between ${w.from}::date and ${w.to}::date` };
}

function toNumbers(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === "string") return v.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number);
  return [];
}

function rate(errors: number, requests: number): number | null {
  return requests > 0 ? errors / requests : null;
}

export type MeasureRow = { requests: number; errors: number; input_units: number; output_units: number; hist?: unknown; units?: UnitTotals };

/**
 * Rows of one key (a period, a bucket, a model …), one per product, as one:
 * counts and histograms summed, amounts summed per unit of each row's product.
 */
export function combineByProduct(rows: readonly (MeasureRow & { product?: string | null })[]): MeasureRow & { units: UnitTotals } {
  const hist: number[] = [];
  let units = emptyUnits();
  let requests = 0;
  let errors = 0;
  let input = 0;
  let output = 0;
  for (const r of rows) {
    requests += Number(r.requests);
    errors += Number(r.errors);
    input += Number(r.input_units);
    output += Number(r.output_units);
    toNumbers(r.hist).forEach((n, i) => (hist[i] = (hist[i] ?? 0) + n));
    units = r.units ? mergeUnits(units, r.units) : addUnits(units, r.product, Number(r.input_units), Number(r.output_units));
  }
  return { requests, errors, input_units: input, output_units: output, hist, units };
}

/** Rows grouped by a key and combined (combineByProduct), in first-seen order. */
export function combineBy<R extends MeasureRow & { product?: string | null }>(
  rows: readonly R[],
  key: (r: R) => string,
): Map<string, MeasureRow & { units: UnitTotals; first: R }> {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return new Map([...groups].map(([k, g]) => [k, { ...combineByProduct(g), first: g[0] }]));
}

export function totalsFrom(row: MeasureRow): UsageTotals {
  const h = toNumbers(row.hist);
  const requests = Number(row.requests);
  const errors = Number(row.errors);
  return {
    requests,
    errors,
    inputUnits: Number(row.input_units),
    outputUnits: Number(row.output_units),
    units: row.units ?? emptyUnits(),
    errorRate: rate(errors, requests),
    p50Ms: percentileFromHistogram(h, 0.5),
    p95Ms: percentileFromHistogram(h, 0.95),
  };
}

/** Both periods in one range scan of the rollup: the previous period is adjacent, so one index range covers both. */
async function totalsOf(db: Tx, orgId: string, range: ResolvedRange, projectId?: string | null): Promise<[UsageTotals, UsageTotals]> {
  const cur = windowFilter(range, "current").where;
  const prev = windowFilter(range, "previous").where;
  const span =
    range.grain === "hour"
      ? sql`hour >= ${range.previous.from}::timestamptz and hour < ${range.current.to}::timestamptz`
      : sql`day between ${range.previous.from}::date and ${range.current.to}::date`;
  // Per product too, so amounts add up per unit (tokens, characters, seconds), never across units.
  const rows = await queryRows<MeasureRow & { period: string; product: string }>(
    db,
    sql`select case when ${cur} then 'current' else 'previous' end as period, product::text as product, ${measures}, ${hist} as hist
        from ${rollupTable(range)} where org_id = ${orgId} and ${span} and (${cur} or ${prev})${projectFilter(projectId)} group by 1, 2`,
  );
  const empty: MeasureRow = { requests: 0, errors: 0, input_units: 0, output_units: 0, hist: [] };
  const by = combineBy(rows, (r) => r.period);
  return [totalsFrom(by.get("current") ?? empty), totalsFrom(by.get("previous") ?? empty)];
}

/** Totals of the range and of the period of the same length just before it. */
export async function getUsageTotals(actor: Principal, args: Args, db: Tx = getDb()): Promise<TotalsWithChange & { context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const [current, previous] = await totalsOf(db, args.orgId, context.range, context.project?.id);
  return { current, previous, change: changesOf(current, previous), context };
}

/** One point per hour (24h) or per day of the org's calendar, zeros where nothing happened. */
export async function getUsageSeries(actor: Principal, args: Args, db: Tx = getDb()): Promise<{ points: SeriesPoint[]; context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const { range } = context;
  const { table, where } = windowFilter(range, "current");
  const bucket = range.grain === "hour" ? sql.raw(`to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`) : sql.raw(`to_char(day, 'YYYY-MM-DD')`);
  const rows = await queryRows<MeasureRow & { bucket: string; product: string }>(
    db,
    sql`select ${bucket} as bucket, product::text as product, ${measures} from ${table} where org_id = ${args.orgId} and ${where}${projectFilter(context.project?.id)} group by 1, 2`,
  );
  const byBucket = combineBy(rows, (r) => r.bucket);
  return { points: seriesPoints(range, byBucket), context };
}

/** One point per bucket of the range, zeros where nothing happened. */
export function seriesPoints(range: ResolvedRange, byBucket: Map<string, MeasureRow & { units?: UnitTotals }>): SeriesPoint[] {
  return range.buckets.map((b) => {
    const r = byBucket.get(b);
    return {
      bucket: b,
      requests: Number(r?.requests ?? 0),
      errors: Number(r?.errors ?? 0),
      inputUnits: Number(r?.input_units ?? 0),
      outputUnits: Number(r?.output_units ?? 0),
      units: r?.units ?? emptyUnits(),
    };
  });
}

function labelOf(dimension: BreakdownDimension, key: string, projectNames: Map<string, string>): string {
  if (dimension === "product") return productInfo(key as Product)?.label ?? key;
  if (dimension === "apiKey") return key === "" ? "No API key" : key;
  if (dimension === "project") return key === "" ? "No project" : (projectNames.get(key) ?? key);
  return key;
}

export type KeyedRow = MeasureRow & { product: string | null; model: string | null; api_key_id: string | null; project_id?: string | null; g: number };
export type Breakdowns = Record<BreakdownDimension, KeyedRow[]> & { projectNames: Map<string, string> };

/**
 * The three breakdowns from one scan of the rollup (GROUPING SETS), shared by
 * the page's three widgets through React's per-request cache.
 */
const breakdownRows = cache(
  async (db: Tx, orgId: string, grain: ResolvedRange["grain"], from: string, to: string, projectId: string | null): Promise<Breakdowns> => {
    const table = sql.raw(grain === "hour" ? "usage_rollups_hourly" : "usage_rollups_daily");
    const where = grain === "hour" ? sql`hour >= ${from}::timestamptz and hour < ${to}::timestamptz` : sql`day between ${from}::date and ${to}::date`;
    const rows = await queryRows<KeyedRow>(
      db,
      sql`select product::text as product, model, api_key_id, project_id, grouping(product, model, api_key_id, project_id) as g, ${measures}, ${hist} as hist
        from ${table} where org_id = ${orgId} and ${where}${projectFilter(projectId)}
        group by grouping sets ((product), (model, product), (api_key_id, product), (project_id, product)) order by requests desc`,
    );
    const names = await db.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.orgId, orgId));
    // grouping() sets a bit for each column left out (product is the highest): 7 = product alone; 3 = model, 5 = api key, 6 = project,
    // each with the product, so their amounts add up per unit (breakdownOf combines a key's products).
    const out: Breakdowns = { product: [], model: [], apiKey: [], project: [], projectNames: new Map(names.map((n) => [n.id, n.name])) };
    for (const r of rows) {
      const g = Number(r.g);
      if (g === 7) out.product.push(r);
      else if (g === 3) out.model.push(r);
      else if (g === 5) out.apiKey.push(r);
      else if (g === 6) out.project.push(r);
    }
    return out;
  },
);

function keyOf(dimension: BreakdownDimension, r: KeyedRow): string {
  return (dimension === "product" ? r.product : dimension === "model" ? r.model : dimension === "apiKey" ? r.api_key_id : r.project_id) ?? "";
}

/** A breakdown from its rows: one per key, or one per key and product (combined here, amounts per unit). */
export function breakdownOf(dimension: BreakdownDimension, source: KeyedRow[], projectNames: Map<string, string> = new Map()): BreakdownRow[] {
  const combined = [...combineBy(source, (r) => keyOf(dimension, r)).entries()].map(([key, m]) => ({ key, m }));
  const rows = combined.sort((a, b) => Number(b.m.requests) - Number(a.m.requests) || (a.key < b.key ? -1 : 1));
  const total = rows.reduce((a, r) => a + Number(r.m.requests), 0);
  return rows.map(({ key, m: r }) => {
    const requests = Number(r.requests);
    const errors = Number(r.errors);
    return {
      key,
      label: labelOf(dimension, key, projectNames),
      requests,
      errors,
      inputUnits: Number(r.input_units),
      outputUnits: Number(r.output_units),
      units: r.units,
      errorRate: rate(errors, requests),
      p95Ms: percentileFromHistogram(toNumbers(r.hist), 0.95),
      share: total > 0 ? requests / total : 0,
    };
  });
}

/** Requests, units, error rate and p95 by product, model or API key, largest first. */
export async function getUsageBreakdown(
  actor: Principal,
  args: Args & { dimension: BreakdownDimension },
  db: Tx = getDb(),
): Promise<{ rows: BreakdownRow[]; context: UsageContext }> {
  const context = await usageContext(actor, args, db);
  const w = context.range.current;
  const all = await breakdownRows(db, args.orgId, context.range.grain, w.from, w.to, context.project?.id ?? null);
  return { context, rows: breakdownOf(args.dimension, all[args.dimension], all.projectNames) };
}

/** Everything the /usage page shows, for the CSV export and the tests that compare the two. */
export async function getUsageDashboard(actor: Principal, args: Args, db: Tx = getDb()) {
  const a = { ...args, now: args.now ?? new Date() };
  const [totals, series] = await Promise.all([getUsageTotals(actor, a, db), getUsageSeries(actor, a, db)]);
  const w = totals.context.range.current;
  const rows = await breakdownRows(db, args.orgId, totals.context.range.grain, w.from, w.to, totals.context.project?.id ?? null);
  return {
    context: totals.context,
    totals: { current: totals.current, previous: totals.previous, change: totals.change },
    series: series.points,
    breakdowns: {
      product: breakdownOf("product", rows.product),
      model: breakdownOf("model", rows.model),
      apiKey: breakdownOf("apiKey", rows.apiKey),
      project: breakdownOf("project", rows.project, rows.projectNames),
    },
  };
}
export type UsageDashboard = Awaited<ReturnType<typeof getUsageDashboard>>;
/** The arguments of every dashboard read: the org, the range and the instant "now" resolves against. */
export type UsageQueryArgs = Args;
