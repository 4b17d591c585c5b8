/**
 * The ClickHouse schema files, parsed: the cluster variant (clickhouse/cluster/,
 * used when CLICKHOUSE_CLUSTER is set; the embedded engine cannot run a
 * cluster, so this is its check) declares the same tables, columns and
 * ordering keys as the single-server schema, each as a Replicated…MergeTree
 * `*_local` table behind a Distributed table sharded by org, with the views
 * on the local tables and every statement ON CLUSTER.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { migrationFiles, migrationStatements } from "@/lib/usage/clickhouse/migrate";

type Table = { name: string; columns: string[]; engine: string; orderBy: string | null; onCluster: boolean; as: string | null };

function parse(statements: string[]): { tables: Map<string, Table>; views: Map<string, { to: string; from: string; onCluster: boolean }> } {
  const tables = new Map<string, Table>();
  const views = new Map<string, { to: string; from: string; onCluster: boolean }>();
  for (const st of statements) {
    const t = /^CREATE TABLE IF NOT EXISTS (\w+)( ON CLUSTER '[^']+')?\s*(?:AS (\w+))?\s*(?:\(([\s\S]*?)\)\s*)?ENGINE = (\w+)(?:\([\s\S]*?\))?([\s\S]*)$/.exec(
      st,
    );
    if (t) {
      const body = t[4] ?? "";
      const columns = body
        .split("\n")
        .map((l) => l.trim().replace(/,$/, ""))
        .filter(Boolean)
        .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
      const orderBy = /ORDER BY \(([^)]*)\)/.exec(t[6])?.[1].replace(/\s+/g, " ") ?? null;
      tables.set(t[1], { name: t[1], columns, engine: t[5], orderBy, onCluster: Boolean(t[2]), as: t[3] ?? null });
      continue;
    }
    const v = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)( ON CLUSTER '[^']+')? TO (\w+) AS[\s\S]*FROM (\w+)/.exec(st);
    if (v) {
      views.set(v[1], { to: v[3], from: v[4], onCluster: Boolean(v[2]) });
      continue;
    }
    throw new Error(`unparsed statement: ${st.slice(0, 80)}`);
  }
  return { tables, views };
}

const read = (cluster: string | null) => parse(migrationFiles(cluster).flatMap((f) => migrationStatements(fs.readFileSync(f, "utf8"), cluster)));

describe("ClickHouse schema", () => {
  const single = read(null);
  const cluster = read("usage");

  it("single server: raw events dedup on the id, ordered by org then time; rollups aggregate by org and bucket; views feed them", () => {
    const ev = single.tables.get("usage_events")!;
    expect(ev.engine).toBe("ReplacingMergeTree");
    expect(ev.orderBy).toBe("org_id, occurred_at, id");
    expect(single.tables.get("usage_rollups_hourly")!.engine).toBe("AggregatingMergeTree");
    expect(single.tables.get("usage_rollups_daily")!.orderBy).toBe("org_id, day, product, model, api_key_id, project_id");
    expect(single.views.get("usage_rollups_hourly_mv")).toMatchObject({ to: "usage_rollups_hourly", from: "usage_events" });
    expect(single.views.get("usage_rollups_daily_mv")).toMatchObject({ to: "usage_rollups_daily", from: "usage_events" });
  });

  it("cluster: every table of the single-server schema is a Replicated local table with the same columns and key, behind a Distributed table sharded by org", () => {
    const statements = migrationFiles("usage").flatMap((f) => migrationStatements(fs.readFileSync(f, "utf8"), "usage"));
    for (const [name, t] of single.tables) {
      const local = cluster.tables.get(`${name}_local`);
      expect(local, `${name}_local`).toBeDefined();
      expect(local!.engine).toBe(`Replicated${t.engine}`);
      expect(local!.columns).toEqual(t.columns);
      expect(local!.orderBy).toBe(t.orderBy);
      expect(local!.onCluster).toBe(true);
      const dist = cluster.tables.get(name)!;
      expect(dist.engine).toBe("Distributed");
      expect(dist.as).toBe(`${name}_local`);
      expect(dist.onCluster).toBe(true);
      const st = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${name} `))!;
      expect(st).toContain(`Distributed('usage', currentDatabase(), ${name}_local, cityHash64(org_id))`);
    }
    for (const s of statements.filter((x) => x.includes("Replicated")))
      expect(s).toMatch(/'\/clickhouse\/tables\/\{shard\}\/\{database\}\/\w+_local', '\{replica\}'/);
    for (const [name, v] of single.views) {
      expect(cluster.views.get(name)).toEqual({ to: `${v.to}_local`, from: `${v.from}_local`, onCluster: true });
    }
    expect(statements.join("\n")).not.toContain("{{");
  });

  it("the views compute the latency bucket with the bounds of lib/usage/latency", () => {
    const st = migrationFiles(null)
      .flatMap((f) => migrationStatements(fs.readFileSync(f, "utf8"), null))
      .filter((s) => s.includes("MATERIALIZED VIEW"));
    expect(st).toHaveLength(2);
    for (const s of st) expect(s).toMatch(/arrayCount\(b -> latency_ms >= b, \[10, 20, 30, [\d, ]+60000\]\)\), range\(23\)/);
  });
});
