/**
 * Applies the ClickHouse schema of the repo (clickhouse/*.sql, or
 * clickhouse/cluster/*.sql when a cluster is named) at start, in file order,
 * recording each applied file in usage_schema_migrations. Statements are
 * idempotent (IF NOT EXISTS), so a start that died half-way applies again.
 */
import fs from "node:fs";
import path from "node:path";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKETS } from "../latency";
import type { ClickHouseHandle } from "./client";

export function schemaDir(cluster: string | null, root = process.cwd()): string {
  return cluster ? path.join(root, "clickhouse", "cluster") : path.join(root, "clickhouse");
}

/** The statements of one migration file, with the placeholders filled in. */
export function migrationStatements(sqlText: string, cluster: string | null): string[] {
  const filled = sqlText
    .replaceAll("{{LATENCY_BOUNDS}}", LATENCY_BOUNDS_MS.join(", "))
    .replaceAll("{{LATENCY_BUCKETS}}", String(LATENCY_BUCKETS))
    .replaceAll("{{CLUSTER}}", cluster ?? "");
  const body = filled
    .split("\n")
    .filter((l) => !l.trimStart().startsWith("--"))
    .join("\n");
  return body
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function migrationFiles(cluster: string | null, root = process.cwd()): string[] {
  const dir = schemaDir(cluster, root);
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function migrateClickHouse(h: ClickHouseHandle, root = process.cwd()): Promise<string[]> {
  const onCluster = h.cluster ? ` ON CLUSTER '${h.cluster}'` : "";
  const engine = h.cluster ? "ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/usage_schema_migrations', '{replica}')" : "ReplacingMergeTree";
  await h.client.command({
    query: `CREATE TABLE IF NOT EXISTS usage_schema_migrations${onCluster} (name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = ${engine} ORDER BY name`,
  });
  const done = new Set(
    (await (await h.client.query({ query: "SELECT name FROM usage_schema_migrations FINAL", format: "JSONEachRow" })).json<{ name: string }>()).map(
      (r) => r.name,
    ),
  );
  const applied: string[] = [];
  for (const file of migrationFiles(h.cluster, root)) {
    const name = path.basename(file);
    if (done.has(name)) continue;
    for (const query of migrationStatements(fs.readFileSync(file, "utf8"), h.cluster)) await h.client.command({ query });
    await h.client.insert({ table: "usage_schema_migrations", values: [{ name }], format: "JSONEachRow" });
    applied.push(name);
  }
  return applied;
}
