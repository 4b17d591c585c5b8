/**
 * The two usage stores side by side, in one run on the same generated
 * events: ingest through `UsageStore.ingest` in batches of 1,000 (in
 * process; for ClickHouse the clock runs until the relay has made every
 * event readable), the 90-day dashboard read of one org (the /usage data
 * work, in process), and bytes on disk per million events. ClickHouse is
 * the embedded chDB engine (scripts/ensure-chdb.sh); skipped without it.
 *
 * Not yet: ingest over HTTP into each store, and the 100M-vs-10M read the
 * issue asks for (BENCH_QUICK sizes only were run on the shared 2-core box).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { queryRows } from "@/lib/db";
import type { ServicePrincipal, UserPrincipal } from "@/lib/auth/principal";
import { postgresUsageStore, type UsageStore } from "@/lib/usage/store";
import { chdbInstallDir, openClickHouse } from "@/lib/usage/clickhouse/client";
import { clickhouseUsageStore } from "@/lib/usage/clickhouse/store";
import { createOrgs, generateEvents } from "../lib/generate";
import { percentile, round } from "../lib/stats";
import type { Benchmark, BenchRow } from "../lib/types";

const fleet: ServicePrincipal = { kind: "service", tokenId: "bench", name: "bench", scopes: ["usage:write"] };

export const benchmark: Benchmark = {
  name: "usage-stores",
  description: "PostgreSQL vs ClickHouse (embedded chDB) usage stores: ingest events/s, 90-day dashboard read, bytes per million events",
  async run(ctx) {
    if (!fs.existsSync(path.join(chdbInstallDir(), "node_modules", "chdb", "package.json"))) {
      ctx.log("usage-stores: chdb is not installed (bash scripts/ensure-chdb.sh); skipped");
      return [];
    }
    const n = ctx.quick ? 20_000 : 200_000;
    const reads = ctx.quick ? 10 : 30;
    const db = ctx.handle.db;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-bench-ch-"));
    const h = openClickHouse({ dataDir: dir });
    const ch = clickhouseUsageStore({ clickhouse: () => h, relayAfterIngest: false });
    await ch.migrate();
    const rows: BenchRow[] = [];
    const results = new Map<string, { rate: number; p50: number; bytes: number }>();
    try {
      for (const [label, store] of [
        ["postgres", postgresUsageStore],
        ["clickhouse", ch],
      ] as [string, UsageStore][]) {
        const [orgId] = await createOrgs(db, 1, `bench-stores-${label}`);
        const [org] = await queryRows<{ name: string }>(db, sql`select name from organizations where id = ${orgId}`);
        const reader: UserPrincipal = {
          kind: "user",
          userId: orgId,
          email: "bench@example.com",
          name: "bench",
          isSupport: false,
          orgId,
          role: "member",
          memberships: [{ orgId, orgName: org.name, role: "member" }],
        };
        const events = generateEvents([orgId], n, { spreadMs: 89 * 86_400_000 });
        const started = performance.now();
        for (let i = 0; i < events.length; i += 1000) {
          await store.ingest(fleet, { events: events.slice(i, i + 1000) }, db);
          if (store.kind === "clickhouse") await store.deliverPending(db);
        }
        const seconds = (performance.now() - started) / 1000;
        const times: number[] = [];
        for (let i = 0; i < reads; i++) {
          const t = performance.now();
          const d = await store.dashboard(reader, { orgId, range: { key: "90d" } }, db);
          times.push(performance.now() - t);
          if (i === 0 && d.totals.current.requests + d.totals.previous.requests !== n)
            ctx.log(`usage-stores: ${label} counted ${d.totals.current.requests + d.totals.previous.requests} of ${n}`);
        }
        let bytes: number;
        if (store.kind === "clickhouse") {
          const [b] = await (
            await h.client.query({
              query: "SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = currentDatabase() AND table LIKE 'usage_%'",
              format: "JSONEachRow",
            })
          ).json<{ b: string }>();
          const [l] = await queryRows<{ b: number }>(db, sql`select pg_total_relation_size('usage_ledger')::float8 as b`);
          bytes = Number(b.b) + Number(l.b);
        } else {
          const [b] = await queryRows<{ b: number }>(
            db,
            sql`select (pg_total_relation_size('usage_events') + pg_total_relation_size('usage_rollups_hourly') + pg_total_relation_size('usage_rollups_daily'))::float8 as b`,
          );
          bytes = Number(b.b);
        }
        const rate = n / seconds;
        results.set(label, { rate, p50: percentile(times, 50), bytes });
        rows.push({
          benchmark: "usage-stores",
          variant: `${label}: ingest (store.ingest, batches of 1,000${label === "clickhouse" ? ", relayed" : ""})`,
          data: `${n} events`,
          rate: round(rate),
          unit: "events/s",
        });
        rows.push({
          benchmark: "usage-stores",
          variant: `${label}: 90-day dashboard read (in process)`,
          data: `${n} events`,
          rate: round(1000 / percentile(times, 50), 1),
          unit: "reads/s",
          p50Ms: round(percentile(times, 50), 2),
          p99Ms: round(percentile(times, 99), 2),
        });
        rows.push({
          benchmark: "usage-stores",
          variant: `${label}: bytes on disk per million events`,
          data: `${n} events`,
          rate: round(((bytes / n) * 1e6) / 2 ** 20),
          unit: "MiB/1M events",
          note: label === "clickhouse" ? "raw + rollups in ClickHouse, plus the PostgreSQL ledger" : "raw + both rollups with indexes",
        });
      }
      const p = results.get("postgres")!;
      const c = results.get("clickhouse")!;
      rows.push({
        benchmark: "usage-stores",
        variant: "clickhouse / postgres",
        data: `${n} events each`,
        rate: round(c.rate / p.rate, 2),
        unit: "x ingest",
        note: `90-day read p50 ${round(c.p50 / p.p50, 2)}x; disk ${round(c.bytes / p.bytes, 2)}x`,
      });
    } finally {
      await h.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
