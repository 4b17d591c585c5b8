/**
 * Crashes with ClickHouse as the usage store (embedded chDB, control plane on
 * real PostgreSQL): an app process running the real ingest route, its relay
 * after each ingest, SIGKILLed at a random moment, many times. Then a new
 * process relays what waits, and every acknowledged event must be in
 * ClickHouse exactly once: in the raw events (by id, FINAL-free count) and
 * in both rollups (their sums equal the distinct raw events).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { seedDemoWorld } from "@/lib/demo/seed";
import { chdbInstallDir, openClickHouse, type ClickHouseHandle } from "@/lib/usage/clickhouse/client";
import { clickhouseUsageStore } from "@/lib/usage/clickhouse/store";
import { makeOrg, makeToken } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";
import { ackedIds, startChild } from "./child";
import { record, scale } from "./figures";

const chdbInstalled = fs.existsSync(path.join(chdbInstallDir(), "node_modules", "chdb", "package.json"));
if (process.env.CHDB_REQUIRED === "1" && !chdbInstalled)
  throw new Error("CHDB_REQUIRED=1 but the embedded ClickHouse engine is missing: run bash scripts/ensure-chdb.sh");

const fresh = withFreshDatabase();
afterAll(() => closeCacheListener());
let db: Db;
let url: string;

beforeAll(async () => {
  db = fresh.handle().db;
  url = (fresh.handle() as { url?: string }).url!;
  await seedDemoWorld(db, { usage: false });
});

describe.skipIf(!chdbInstalled)("crashes (ClickHouse store, embedded chDB)", () => {
  it("SIGKILL at a random moment of ingest and relay, many times: every acknowledged event counted exactly once", async () => {
    const runs = scale(20, 4);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "zdr-ch-crash-"));
    const orgId = await makeOrg(db);
    const token = (await makeToken(db, ["usage:write"])).token;
    const acked = new Set<string>();
    const baseMs = Date.now();
    let midBatch = 0;
    for (let run = 0; run < runs; run++) {
      const replay = [...acked].sort(() => Math.random() - 0.5).slice(0, 60);
      const child = startChild("tests/adversarial/ingest-child.ts", [], {
        DATABASE_URL: url,
        USAGE_STORE: "clickhouse",
        DATA_DIR: dataDir,
        TOKEN: token,
        ORG_ID: orgId,
        BASE_MS: String(baseMs),
        REPLAY_IDS: JSON.stringify(replay),
      });
      await child.waitForLine(/^ready$/m);
      await child.waitForLine(/^ack /m, 120_000);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 1500));
      child.proc.kill("SIGKILL");
      await child.exited;
      for (const id of ackedIds(child.lines())) acked.add(id);
      if (!child.lines().at(-1)?.startsWith("ack ")) midBatch++;
    }

    // A new process: the relay sends what the killed ones left waiting.
    const h: ClickHouseHandle = openClickHouse({ dataDir: path.join(dataDir, "clickhouse") });
    try {
      const store = clickhouseUsageStore({ clickhouse: () => h, relayAfterIngest: false });
      await store.start(db);
      const q = async <T>(query: string) => (await h.client.query({ query, query_params: { org: orgId }, format: "JSONEachRow" })).json<T>();
      const stored = new Set((await q<{ id: string }>("SELECT DISTINCT toString(id) AS id FROM usage_events WHERE org_id = {org:UUID}")).map((r) => r.id));
      const [raw] = await q<{ n: string }>("SELECT count() AS n FROM usage_events WHERE org_id = {org:UUID}");
      const [hourly] = await q<{ n: string }>("SELECT sum(requests) AS n FROM usage_rollups_hourly WHERE org_id = {org:UUID}");
      const [daily] = await q<{ n: string }>("SELECT sum(requests) AS n FROM usage_rollups_daily WHERE org_id = {org:UUID}");
      const [ledger] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_ledger where org_id = ${orgId}`);
      const [pending] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_relay_batches`);
      const lost = [...acked].filter((id) => !stored.has(id)).length;
      const doubleCounted = Math.max(Number(raw.n), Number(hourly.n), Number(daily.n)) - stored.size;
      record("crashes", "clickhouse ingest: SIGKILL runs (child process, chDB + PostgreSQL)", runs, `>= ${scale(20, 4)}`);
      record("crashes", "clickhouse ingest: events acknowledged before the kills", acked.size);
      record("crashes", "clickhouse ingest: acknowledged events lost", lost, "0");
      record("crashes", "clickhouse ingest: events double-counted (raw or rollups above distinct ids)", doubleCounted, "0");
      console.info(
        `[crash clickhouse] ${runs} runs, ${acked.size} acked, ${stored.size} in ClickHouse, ledger ${ledger.n}, ${pending.n} batches still waiting, ${midBatch} kills mid-batch`,
      );
      expect({
        pending: pending.n,
        lost,
        doubleCounted,
        ledgerEqualsStored: ledger.n === stored.size,
        hourly: Number(hourly.n),
        daily: Number(daily.n),
      }).toEqual({
        pending: 0,
        lost: 0,
        doubleCounted: 0,
        ledgerEqualsStored: true,
        hourly: stored.size,
        daily: stored.size,
      });
    } finally {
      await h.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
