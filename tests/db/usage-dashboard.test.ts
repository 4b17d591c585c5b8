import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/lib/db";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, percentileFromHistogram } from "@/lib/usage/latency";
import { getUsageBreakdown, getUsageDashboard, getUsageSeries, getUsageTotals } from "@/lib/usage/queries";
import { parseRangeParams, resolveRange, type RangeInput } from "@/lib/usage/range";
import { byUnit, CSV_SECTIONS, readUsageCsv, usageCsvLines } from "@/lib/usage/csv";
import { relativeChange } from "@/lib/usage/compare";
import { addUnits, emptyUnits, mergeUnits, type UnitTotals } from "@/lib/usage/units";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
// A fixed instant, so every call of a test resolves the same windows.
const now = new Date();
let northwindAdmin: UserPrincipal;
let contosoMember: UserPrincipal;
let support: UserPrincipal;
let northwindId: string;
let timeZone: string;

const RANGES: RangeInput[] = [
  { key: "24h" },
  { key: "7d" },
  { key: "30d" },
  { key: "90d" },
  // Spans the switch from daylight saving time in New York (early November).
  { key: "custom", from: addDays(-45), to: addDays(-5) },
];

function addDays(n: number): string {
  return new Date(now.getTime() + n * 86_400_000).toISOString().slice(0, 10);
}

/** The same numbers, straight from the raw events: the reference the rollups must equal. */
async function rawTotals(range: RangeInput, which: "current" | "previous" = "current") {
  const r = resolveRange(range, timeZone, now)[which];
  const where =
    range.key === "24h"
      ? sql`occurred_at >= ${r.from}::timestamptz and occurred_at < ${r.to}::timestamptz`
      : sql`(occurred_at at time zone ${timeZone})::date between ${r.from}::date and ${r.to}::date`;
  const bounds = sql.raw(`array[${LATENCY_BOUNDS_MS.join(",")}]::int[]`);
  const byProduct = await queryRows<{ product: string; requests: number; errors: number; input: number; output: number }>(
    db.handle().db,
    sql`select product::text as product, count(*)::float8 as requests, (count(*) filter (where status <> 'ok'))::float8 as errors,
               coalesce(sum(input_units), 0)::float8 as input, coalesce(sum(output_units), 0)::float8 as output
        from usage_events where org_id = ${northwindId} and ${where} group by 1`,
  );
  const units = emptyUnits();
  const row = { requests: 0, errors: 0, input: 0, output: 0 };
  for (const p of byProduct) {
    addUnits(units, p.product, Number(p.input), Number(p.output));
    row.requests += Number(p.requests);
    row.errors += Number(p.errors);
    row.input += Number(p.input);
    row.output += Number(p.output);
  }
  const buckets = await queryRows<{ b: number; n: number }>(
    db.handle().db,
    sql`select width_bucket(latency_ms, ${bounds}) as b, count(*)::float8 as n
        from usage_events where org_id = ${northwindId} and ${where} group by 1`,
  );
  const hist = Array.from({ length: LATENCY_BUCKETS }, () => 0);
  for (const b of buckets) hist[Number(b.b)] = Number(b.n);
  return {
    requests: Number(row.requests),
    errors: Number(row.errors),
    inputUnits: Number(row.input),
    outputUnits: Number(row.output),
    units,
    p50Ms: percentileFromHistogram(hist, 0.5),
    p95Ms: percentileFromHistogram(hist, 0.95),
  };
}

const num = (v: string) => (v === "" ? null : Number(v));

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: true });
  northwindAdmin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  contosoMember = (await loadUserPrincipalByEmail(d, "member@contoso.example"))!;
  support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
  northwindId = northwindAdmin.orgId!;
  const [org] = await queryRows<{ time_zone: string }>(d, sql`select time_zone from organizations where id = ${northwindId}`);
  timeZone = org.time_zone;
}, 120_000);

describe(`usage dashboard on ${testDbKind}`, () => {
  for (const range of RANGES) {
    it(`totals for ${range.key} equal sums over the raw events, and so do the previous period's`, async () => {
      const t = await getUsageTotals(northwindAdmin, { orgId: northwindId, range, now }, db.handle().db);
      const raw = await rawTotals(range);
      expect(raw.requests).toBeGreaterThan(0);
      expect({ ...t.current, errorRate: undefined }).toEqual({ ...raw, errorRate: undefined });
      expect(t.current.errorRate).toBeCloseTo(raw.errors / raw.requests, 12);
      const prev = await rawTotals(range, "previous");
      expect(t.previous.requests).toBe(prev.requests);
      expect(t.previous.inputUnits).toBe(prev.inputUnits);
      expect(t.previous.units).toEqual(prev.units);
      // A change only against a previous period with enough usage; "—" (null) otherwise.
      const want = relativeChange(raw.requests, prev.requests);
      if (want === null) expect(t.change.requests).toBeNull();
      else expect(t.change.requests).toBeCloseTo((raw.requests - prev.requests) / prev.requests, 12);
    });

    it(`the ${range.key} series and breakdowns add up to the totals`, async () => {
      const args = { orgId: northwindId, range, now };
      const t = await getUsageTotals(northwindAdmin, args, db.handle().db);
      const s = await getUsageSeries(northwindAdmin, args, db.handle().db);
      expect(s.points.length).toBe(range.key === "24h" ? 24 : s.context.range.buckets.length);
      expect(s.points.reduce((a, p) => a + p.requests, 0)).toBe(t.current.requests);
      expect(s.points.reduce((a, p) => a + p.outputUnits, 0)).toBe(t.current.outputUnits);
      // Amounts add up per unit, never across units.
      const sumUnits = (us: UnitTotals[]) => us.reduce((a, u) => mergeUnits(a, u), emptyUnits());
      expect(sumUnits(s.points.map((p) => p.units))).toEqual(t.current.units);
      for (const dimension of ["product", "model", "apiKey"] as const) {
        const b = await getUsageBreakdown(northwindAdmin, { ...args, dimension }, db.handle().db);
        expect(b.rows.reduce((a, r) => a + r.requests, 0)).toBe(t.current.requests);
        expect(b.rows.reduce((a, r) => a + r.inputUnits, 0)).toBe(t.current.inputUnits);
        expect(sumUnits(b.rows.map((r) => r.units))).toEqual(t.current.units);
        expect(b.rows.map((r) => r.requests)).toEqual([...b.rows.map((r) => r.requests)].sort((x, y) => y - x));
      }
    });
  }

  it("the hourly series of 24h has one point per hour ending with the current hour", async () => {
    const s = await getUsageSeries(northwindAdmin, { orgId: northwindId, range: { key: "24h" }, now }, db.handle().db);
    const last = new Date(s.points[23].bucket).getTime();
    expect(now.getTime() - last).toBeGreaterThanOrEqual(0);
    expect(now.getTime() - last).toBeLessThan(3_600_000);
  });

  it("the CSV holds exactly what the page's widgets show, one section per table, amounts per unit, times in the org's zone", async () => {
    const range: RangeInput = { key: "30d" };
    const args = { orgId: northwindId, range, now };
    const dash = await getUsageDashboard(northwindAdmin, args, db.handle().db);
    const text = [...usageCsvLines(dash)].join("");
    const csv = readUsageCsv(text);
    const tz = dash.context.range.timeZone;
    expect([...csv.keys()]).toEqual([
      CSV_SECTIONS.about,
      CSV_SECTIONS.totals,
      byUnit(CSV_SECTIONS.totals),
      CSV_SECTIONS.daily,
      byUnit(CSV_SECTIONS.daily),
      ...(["product", "model", "apiKey", "project"] as const).flatMap((k) => [CSV_SECTIONS[k], byUnit(CSV_SECTIONS[k])]),
    ]);

    // The widgets call these directly; the CSV must match them field by field.
    const t = await getUsageTotals(northwindAdmin, args, db.handle().db);
    const s = await getUsageSeries(northwindAdmin, args, db.handle().db);
    const totals = csv.get(CSV_SECTIONS.totals)!;
    expect(totals.header).toEqual(["period", `start (${tz})`, `end_exclusive (${tz})`, "requests", "errors", "error_rate", "p50_ms_at_most", "p95_ms_at_most"]);
    const current = totals.rows.find((r) => r[0] === "current")!;
    expect(current.slice(3).map(num)).toEqual([t.current.requests, t.current.errors, t.current.errorRate, t.current.p50Ms, t.current.p95Ms]);
    // ISO with the offset of the org's zone.
    expect(current[1]).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00[+-]\d{2}:\d{2}$/);
    const units = csv.get(byUnit(CSV_SECTIONS.totals))!;
    expect(units.header).toEqual(["period", "direction", "amount", "unit"]);
    const fromCsv = emptyUnits();
    for (const [period, direction, amount, unit] of units.rows) if (period === "current") fromCsv[direction as "input" | "output"][unit] = Number(amount);
    expect(fromCsv).toEqual(t.current.units);

    const series = csv.get(CSV_SECTIONS.daily)!;
    expect(series.header).toEqual([`day_start (${tz})`, "in_progress", "requests", "errors"]);
    expect(series.rows.map((r) => [r[0].slice(0, 10), num(r[2]), num(r[3])])).toEqual(s.points.map((p) => [p.bucket, p.requests, p.errors]));
    // The last day of a named range is today: still in progress, and marked so.
    expect(series.rows.map((r) => r[1])).toEqual(s.points.map((_, i) => String(i === s.points.length - 1)));
    for (const [dimension, title] of [
      ["product", CSV_SECTIONS.product],
      ["model", CSV_SECTIONS.model],
      ["apiKey", CSV_SECTIONS.apiKey],
      ["project", CSV_SECTIONS.project],
    ] as const) {
      const b = await getUsageBreakdown(northwindAdmin, { ...args, dimension }, db.handle().db);
      const rows = csv.get(title)!.rows;
      expect(rows.map((r) => [r[0], r[1], num(r[2]), num(r[3]), num(r[5]), num(r[6])])).toEqual(
        b.rows.map((x) => [x.key, x.label, x.requests, x.errors, x.p95Ms, x.share]),
      );
      const amounts = csv.get(byUnit(title))!.rows;
      for (const x of b.rows) {
        const mine = emptyUnits();
        for (const [key, , direction, amount, unit] of amounts) if (key === x.key) mine[direction as "input" | "output"][unit] = Number(amount);
        expect(mine).toEqual(x.units);
      }
    }
    // No section mixes units: every amount row names exactly one unit.
    for (const [title, sec] of csv)
      if (title.endsWith(" by unit")) for (const r of sec.rows) expect(r[r.length - 1]).toMatch(/^(tokens|characters|seconds of audio|voices|units)$/);
  });

  it("a member of another organization cannot read Northwind's usage (404, not 403)", async () => {
    for (const read of [
      () => getUsageTotals(contosoMember, { orgId: northwindId, range: { key: "7d" } }, db.handle().db),
      () => getUsageSeries(contosoMember, { orgId: northwindId, range: { key: "7d" } }, db.handle().db),
      () => getUsageBreakdown(contosoMember, { orgId: northwindId, range: { key: "7d" }, dimension: "apiKey" }, db.handle().db),
      () => getUsageDashboard(support, { orgId: northwindId, range: { key: "7d" } }, db.handle().db),
    ]) {
      await expect(read()).rejects.toMatchObject({ code: "not_found" });
    }
  });

  it("the page reads only the rollups: with the raw events gone, every widget answers the same", async () => {
    const d = db.handle().db;
    const args = { orgId: northwindId, range: { key: "90d" } as RangeInput, now };
    const before = await getUsageDashboard(northwindAdmin, args, d);
    await d.execute(sql`delete from usage_events where org_id = ${northwindId}`);
    expect(await getUsageDashboard(northwindAdmin, args, d)).toEqual(before);
  });

  it("an organization without usage gets zeros, not an error", async () => {
    const d = db.handle().db;
    await d.execute(sql`delete from usage_rollups_daily where org_id = ${contosoMember.orgId}`);
    const t = await getUsageTotals(contosoMember, { orgId: contosoMember.orgId!, range: { key: "30d" }, now }, d);
    expect(t.current).toEqual({
      requests: 0,
      errors: 0,
      inputUnits: 0,
      outputUnits: 0,
      units: { input: {}, output: {} },
      errorRate: null,
      p50Ms: null,
      p95Ms: null,
    });
    expect(t.change.requests).toBeNull();
  });
});

describe("range parameters", () => {
  it("accepts the named ranges and a custom one, and defaults to 30 days", () => {
    expect(parseRangeParams({})).toEqual({ key: "30d" });
    expect(parseRangeParams({ range: "24h" })).toEqual({ key: "24h" });
    expect(parseRangeParams({ range: "custom", from: "2026-01-01", to: "2026-01-31" })).toEqual({ key: "custom", from: "2026-01-01", to: "2026-01-31" });
  });

  it("names the bad field and never echoes its value", () => {
    const bad = [
      [{ range: "1y<script>" }, ["range"]],
      [{ range: "custom", from: "2026-02-30", to: "2026-03-01" }, ["from"]],
      [{ range: "custom", from: "2026-03-01" }, ["to"]],
      [{ range: "custom", from: "2026-03-02", to: "2026-03-01" }, ["from", "to"]],
      [{ range: "custom", from: "2020-01-01", to: "2026-03-01" }, ["from", "to"]],
    ] as const;
    for (const [params, fields] of bad) {
      try {
        parseRangeParams(params as Record<string, string>);
        expect.unreachable();
      } catch (e) {
        expect(e).toMatchObject({ code: "invalid", details: { fields } });
        expect((e as Error).message).not.toContain("script");
        expect((e as Error).message).not.toContain("2026-02-30");
      }
    }
  });

  it("days are the organization's calendar days", () => {
    const at = new Date("2026-11-23T03:00:00Z"); // still the 22nd in New York
    expect(resolveRange({ key: "7d" }, "America/New_York", at).current).toEqual({ from: "2026-11-16", to: "2026-11-22" });
    expect(resolveRange({ key: "7d" }, "Europe/Berlin", at).current).toEqual({ from: "2026-11-17", to: "2026-11-23" });
    expect(resolveRange({ key: "7d" }, "UTC", at).previous).toEqual({ from: "2026-11-10", to: "2026-11-16" });
  });
});
