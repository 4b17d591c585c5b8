import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/lib/db";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS, percentileFromHistogram } from "@/lib/usage/latency";
import { getUsageBreakdown, getUsageDashboard, getUsageSeries, getUsageTotals } from "@/lib/usage/queries";
import { parseRangeParams, resolveRange, type RangeInput } from "@/lib/usage/range";
import { CSV_HEADER, usageCsvLines } from "@/lib/usage/csv";
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
  const [row] = await queryRows<{ requests: number; errors: number; input: number; output: number }>(
    db.handle().db,
    sql`select count(*)::float8 as requests, (count(*) filter (where status <> 'ok'))::float8 as errors,
               coalesce(sum(input_units), 0)::float8 as input, coalesce(sum(output_units), 0)::float8 as output
        from usage_events where org_id = ${northwindId} and ${where}`,
  );
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
    p50Ms: percentileFromHistogram(hist, 0.5),
    p95Ms: percentileFromHistogram(hist, 0.95),
  };
}

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split("\r\n")
    .map((l) => {
      const out: string[] = [];
      let cur = "";
      let quoted = false;
      for (let i = 0; i < l.length; i++) {
        const c = l[i];
        if (quoted) {
          if (c === '"' && l[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (c === '"') quoted = false;
          else cur += c;
        } else if (c === '"') quoted = true;
        else if (c === ",") {
          out.push(cur);
          cur = "";
        } else cur += c;
      }
      out.push(cur);
      return out;
    });
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
      if (prev.requests > 0) expect(t.change.requests).toBeCloseTo((raw.requests - prev.requests) / prev.requests, 12);
    });

    it(`the ${range.key} series and breakdowns add up to the totals`, async () => {
      const args = { orgId: northwindId, range, now };
      const t = await getUsageTotals(northwindAdmin, args, db.handle().db);
      const s = await getUsageSeries(northwindAdmin, args, db.handle().db);
      expect(s.points.length).toBe(range.key === "24h" ? 24 : s.context.range.buckets.length);
      expect(s.points.reduce((a, p) => a + p.requests, 0)).toBe(t.current.requests);
      expect(s.points.reduce((a, p) => a + p.outputUnits, 0)).toBe(t.current.outputUnits);
      for (const dimension of ["product", "model", "apiKey"] as const) {
        const b = await getUsageBreakdown(northwindAdmin, { ...args, dimension }, db.handle().db);
        expect(b.rows.reduce((a, r) => a + r.requests, 0)).toBe(t.current.requests);
        expect(b.rows.reduce((a, r) => a + r.inputUnits, 0)).toBe(t.current.inputUnits);
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

  it("the CSV holds exactly what the page's widgets show", async () => {
    const range: RangeInput = { key: "30d" };
    const args = { orgId: northwindId, range, now };
    const dash = await getUsageDashboard(northwindAdmin, args, db.handle().db);
    const rows = parseCsv([...usageCsvLines(dash)].join(""));
    expect(rows[0]).toEqual([...CSV_HEADER]);

    // The widgets call these directly; the CSV must match them field by field.
    const t = await getUsageTotals(northwindAdmin, args, db.handle().db);
    const s = await getUsageSeries(northwindAdmin, args, db.handle().db);
    const current = rows.find((r) => r[0] === "totals" && r[1] === "current")!;
    expect(current.slice(3).map(num)).toEqual([
      t.current.requests,
      t.current.errors,
      t.current.inputUnits,
      t.current.outputUnits,
      t.current.errorRate,
      t.current.p50Ms,
      t.current.p95Ms,
      null,
    ]);
    const series = rows.filter((r) => r[0] === "series_daily");
    expect(series.map((r) => [r[1], num(r[3]), num(r[5]), num(r[6])])).toEqual(s.points.map((p) => [p.bucket, p.requests, p.inputUnits, p.outputUnits]));
    for (const [section, dimension] of [
      ["product", "product"],
      ["model", "model"],
      ["api_key", "apiKey"],
      ["project", "project"],
    ] as const) {
      const b = await getUsageBreakdown(northwindAdmin, { ...args, dimension }, db.handle().db);
      const csv = rows.filter((r) => r[0] === section);
      expect(csv.map((r) => [r[1], r[2], num(r[3]), num(r[4]), num(r[5]), num(r[6]), num(r[9]), num(r[10])])).toEqual(
        b.rows.map((x) => [x.key, x.label, x.requests, x.errors, x.inputUnits, x.outputUnits, x.p95Ms, x.share]),
      );
    }
    expect(rows.length).toBe(
      1 + 2 + s.points.length + dash.breakdowns.product.length + dash.breakdowns.model.length + dash.breakdowns.apiKey.length + dash.breakdowns.project.length,
    );
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
    expect(t.current).toEqual({ requests: 0, errors: 0, inputUnits: 0, outputUnits: 0, errorRate: null, p50Ms: null, p95Ms: null });
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
